/**
 * What the test calls cost and refused, on /metrics: echo packets dropped
 * (over the rate, or a full queue), candidates dropped (by reason), and the
 * echo queues' size now and at their largest since the node started.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { CandidateDrop } from './candidate-policy.js';
import type { EchoDrop } from './echo-queue.js';

export interface QueueSizes {
  packets: number;
  bytes: number;
  peakPackets: number;
  peakBytes: number;
}

export class TestCallMetrics {
  readonly droppedPackets: Counter<'reason'>;
  readonly droppedCandidates: Counter<'reason'>;
  private peak = { packets: 0, bytes: 0 };

  /** `queues`: the echo queues of the test calls running now. */
  constructor(registry: Registry | undefined, queues: () => QueueSizes[]) {
    const registers = registry ? [registry] : [];
    this.droppedPackets = new Counter({
      name: 'parley_test_call_dropped_packets_total',
      help: 'Echo packets of test calls dropped: over the policed rate, or the queue full',
      labelNames: ['reason'] as const,
      registers,
    });
    this.droppedCandidates = new Counter({
      name: 'parley_test_call_dropped_candidates_total',
      help: 'ICE candidates of test calls the echo peer refused, by reason',
      labelNames: ['reason'] as const,
      registers,
    });
    const now = (key: 'packets' | 'bytes') => () => queues().reduce((sum, q) => sum + q[key], 0);
    const peak = (key: 'packets' | 'bytes') => () => {
      for (const q of queues()) this.notePeak(q);
      return this.peak[key];
    };
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    gauge('parley_test_call_queue_packets', 'Echo packets waiting in the test calls running now', now('packets'));
    gauge('parley_test_call_queue_bytes', 'Echo bytes waiting in the test calls running now', now('bytes'));
    gauge('parley_test_call_queue_peak_packets', 'The most packets one test call’s echo queue has held since the node started', peak('packets'));
    gauge('parley_test_call_queue_peak_bytes', 'The most bytes one test call’s echo queue has held since the node started', peak('bytes'));
  }

  packetDropped(reason: EchoDrop): void {
    this.droppedPackets.inc({ reason });
  }

  candidateDropped(reason: CandidateDrop): void {
    this.droppedCandidates.inc({ reason });
  }

  /** A queue's largest, kept when its test call ends. */
  notePeak(q: QueueSizes): void {
    this.peak = { packets: Math.max(this.peak.packets, q.peakPackets), bytes: Math.max(this.peak.bytes, q.peakBytes) };
  }
}
