/**
 * Limits per account, not per connection: every device and connection of a
 * user, on every node (the limiter counts in Redis when nodes share state),
 * draws from the same counts. They bound what one signed-in user can make
 * the server do to colleagues and to the disk:
 *
 * - calls placed that nobody answered (rings, refusals as offline, busy or
 *   on DND, Add person), per account and per caller→callee pair. A call that
 *   is answered gives its tries back, so a working day of real calls never
 *   meets the limit, while ring-and-cancel or calling someone offline in a
 *   loop stops after a few;
 * - status changes, each of which reaches every watcher.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { MakeLimiter } from '../limits.js';
import { RequestError } from './request-error.js';

export interface AccountLimitSettings {
  /** Status changes a minute. */
  statusChanges: number;
  /** Unanswered calls in 10 minutes, per account and per caller→callee pair. */
  unansweredCalls: number;
  unansweredPerCallee: number;
}

const CALL_WINDOW_S = 600;

export class AccountLimits {
  private readonly calls: RateLimiterAbstract;
  private readonly pairs: RateLimiterAbstract;
  private readonly statuses: RateLimiterAbstract;

  constructor(make: MakeLimiter, settings: AccountLimitSettings) {
    this.calls = make({ keyPrefix: 'calls-user', points: settings.unansweredCalls, duration: CALL_WINDOW_S });
    this.pairs = make({ keyPrefix: 'calls-pair', points: settings.unansweredPerCallee, duration: CALL_WINDOW_S });
    this.statuses = make({ keyPrefix: 'status-user', points: settings.statusChanges, duration: 60 });
  }

  /** Takes a try for a call from `caller` to `callee`, before anything rings or is written; throws `rate_limited` when spent. */
  async call(caller: string, callee: string): Promise<void> {
    // The pair first: one colleague called in a loop must not spend the caller's tries for everyone else.
    await take(this.pairs, pairKey(caller, callee), `You have called ${callee} too often without an answer: wait and try again`);
    await take(this.calls, caller, 'You have placed too many calls without an answer: wait and try again');
  }

  /** The call was answered: its tries are given back. Never throws (a lost reward only makes the limit stricter). */
  async answered(caller: string, callee: string): Promise<void> {
    await Promise.allSettled([this.pairs.reward(pairKey(caller, callee)), this.calls.reward(caller)]);
  }

  /** Takes a try for a status change; throws `rate_limited` when spent. */
  async status(username: string): Promise<void> {
    await take(this.statuses, username, 'Your status changed too often: wait and try again');
  }
}

// A username has no ">" (see USERNAME_PATTERN), so the key names one pair only.
const pairKey = (caller: string, callee: string) => `${caller}>${callee}`;

async function take(limiter: RateLimiterAbstract, key: string, message: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err;
    throw new RequestError('rate_limited', message, err.msBeforeNext);
  }
}
