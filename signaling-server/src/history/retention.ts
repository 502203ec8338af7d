/**
 * History retention: calls older than PARLEY_HISTORY_DAYS are deleted, with
 * who took part, in the background (at start and then every hour). Every node
 * prunes; deleting what another node deleted already is harmless.
 */
import type { Logger } from '../logger.js';
import type { HistoryRepository } from './history-repository.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const EVERY_MS = 60 * 60 * 1000;

export class HistoryRetention {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly history: HistoryRepository,
    private readonly days: number,
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
      const deleted = await this.history.prune(now - this.days * DAY_MS);
      if (deleted > 0) this.log.info({ deleted, days: this.days }, 'old call history pruned');
      return deleted;
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'pruning call history failed; trying again later');
      return 0;
    }
  }
}
