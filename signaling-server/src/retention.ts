/**
 * Retention: what is older than a number of days is deleted in the
 * background, at start and then every hour (call history past
 * PARLEY_HISTORY_DAYS, voicemail past PARLEY_VOICEMAIL_DAYS). Every node
 * prunes; deleting what another node deleted already is harmless.
 */
import type { Logger } from './logger.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const EVERY_MS = 60 * 60 * 1000;

export class Retention {
  private timer: NodeJS.Timeout | undefined;

  /** `prune` deletes what was made before an instant and says how many it deleted; `what` names it in logs. */
  constructor(
    private readonly what: string,
    private readonly days: number,
    private readonly deleteBefore: (before: number) => Promise<number>,
    private readonly log: Logger,
  ) {}

  start(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Deletes what is past keeping now; logs, never throws (the next round tries again). */
  async prune(now = Date.now()): Promise<number> {
    try {
      const deleted = await this.deleteBefore(now - this.days * DAY_MS);
      if (deleted > 0) this.log.info({ deleted, days: this.days }, `old ${this.what} pruned`);
      return deleted;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, `pruning ${this.what} failed; trying again later`);
      return 0;
    }
  }
}
