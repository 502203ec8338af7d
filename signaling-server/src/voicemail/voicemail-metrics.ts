/** Voicemail in Prometheus: what is stored (read from the database on each scrape, so every node reports the same totals) and what each node took or refused. */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { VoicemailRepository } from './voicemail-repository.js';

export type VoicemailRefusal = 'mailbox_full' | 'too_large' | 'too_long' | 'invalid_audio';

export class VoicemailMetrics {
  private readonly uploads: Counter<'result'>;

  constructor(registry: Registry, messages: VoicemailRepository) {
    const registers = [registry];
    // One read serves both gauges of a scrape.
    let totals: Promise<{ count: number; bytes: number }> | undefined;
    const read = () => (totals ??= messages.totals().finally(() => setImmediate(() => (totals = undefined))));
    new Gauge({
      name: 'parley_voicemail_messages',
      help: 'Voicemail messages stored, on every node',
      registers,
      async collect() {
        this.set((await read()).count);
      },
    });
    new Gauge({
      name: 'parley_voicemail_bytes',
      help: 'Bytes of voicemail audio stored, on every node',
      registers,
      async collect() {
        this.set((await read()).bytes);
      },
    });
    this.uploads = new Counter({
      name: 'parley_voicemail_uploads_total',
      help: 'Voicemail messages this node stored, or refused and why',
      labelNames: ['result'] as const,
      registers,
    });
  }

  stored(): void {
    this.uploads.inc({ result: 'stored' });
  }

  refused(why: VoicemailRefusal): void {
    this.uploads.inc({ result: why });
  }
}
