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
 *   loop stops after a few. A call its caller takes back within
 *   QUICK_CANCEL_MS (a misdial, the wrong person) costs half a try: it rang,
 *   so a loop of them still stops, at almost twice the count;
 * - status changes, each of which reaches every watcher;
 * - rooms opened, each of which writes a history row: a loop of join and
 *   hang-up in an empty room cannot fill the disk;
 * - TURN credentials outside a call: network checks (`network:ice`) and
 *   echo test calls (`testcall:start`) draw from one count.
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
/** A ringing call cancelled by its caller this soon after it was placed gives half its try back. */
export const QUICK_CANCEL_MS = 5000;
/** A try is two points, so that a quick cancel can give one back (the limiter counts whole points). */
const TRY = 2;
/** Rooms one account may open in CALL_WINDOW_S (joining one that is open is free): a busy person opens a few an hour. */
export const ROOM_OPENS = 30;
/** TURN credentials outside a call (network checks and test calls) one account may ask for in CALL_WINDOW_S: a person checks a few times, a script asking for relays does not get far. */
export const NETWORK_CHECKS = 20;

export class AccountLimits {
  private readonly calls: RateLimiterAbstract;
  private readonly pairs: RateLimiterAbstract;
  private readonly statuses: RateLimiterAbstract;
  private readonly roomOpens: RateLimiterAbstract;
  private readonly networkChecks: RateLimiterAbstract;

  constructor(make: MakeLimiter, settings: AccountLimitSettings) {
    this.calls = make({ keyPrefix: 'calls-user', points: settings.unansweredCalls * TRY, duration: CALL_WINDOW_S });
    this.pairs = make({ keyPrefix: 'calls-pair', points: settings.unansweredPerCallee * TRY, duration: CALL_WINDOW_S });
    this.statuses = make({ keyPrefix: 'status-user', points: settings.statusChanges, duration: 60 });
    this.roomOpens = make({ keyPrefix: 'room-opens', points: ROOM_OPENS, duration: CALL_WINDOW_S });
    this.networkChecks = make({ keyPrefix: 'network-checks', points: NETWORK_CHECKS, duration: CALL_WINDOW_S });
  }

  /** Takes a try for opening a room (not for joining one); throws `rate_limited` when spent. */
  async openRoom(username: string): Promise<void> {
    const [taken] = await Promise.allSettled([this.roomOpens.consume(username)]);
    refuseIfSpent(taken, 'You have opened too many rooms: wait and try again');
  }

  /** Takes a try for TURN credentials outside a call (network:ice, testcall:start); throws `rate_limited` when spent. */
  async networkCheck(username: string): Promise<void> {
    const [taken] = await Promise.allSettled([this.networkChecks.consume(username)]);
    refuseIfSpent(taken, 'You have checked the network too often: wait and try again');
  }

  /** Takes a try for a call from `caller` to `callee`, before anything rings or is written; throws `rate_limited` when spent. */
  async call(caller: string, callee: string): Promise<void> {
    // Both counts at once: with shared state each is a Redis round trip a ring waits for.
    const [pair, all] = await Promise.allSettled([this.pairs.consume(pairKey(caller, callee), TRY), this.calls.consume(caller, TRY)]);
    // One colleague called in a loop must not spend the caller's tries for everyone else: the pair's refusal
    // gives the account's try back, and is the one the caller hears.
    if (pair.status === 'rejected' && all.status === 'fulfilled') await Promise.allSettled([this.calls.reward(caller, TRY)]);
    refuseIfSpent(pair, `You have called ${callee} too often without an answer: wait and try again`);
    refuseIfSpent(all, 'You have placed too many calls without an answer: wait and try again');
  }

  /** The call was answered: its tries are given back. Never throws (a lost reward only makes the limit stricter). */
  async answered(caller: string, callee: string): Promise<void> {
    await Promise.allSettled([giveBack(this.pairs, pairKey(caller, callee), TRY), giveBack(this.calls, caller, TRY)]);
  }

  /** The caller took the call back within QUICK_CANCEL_MS: half its try is given back. Never throws. */
  async cancelledQuickly(caller: string, callee: string): Promise<void> {
    await Promise.allSettled([this.pairs.reward(pairKey(caller, callee), TRY / 2), this.calls.reward(caller, TRY / 2)]);
  }

  /** Takes a try for a status change; throws `rate_limited` when spent. */
  async status(username: string): Promise<void> {
    const [taken] = await Promise.allSettled([this.statuses.consume(username)]);
    refuseIfSpent(taken, 'Your status changed too often: wait and try again');
  }
}

/**
 * Gives `points` back; a count back at nothing is dropped rather than kept
 * (a record and its timer in memory, a key in Redis) until its window ends:
 * a day of answered calls leaves no counts behind. A try taken between the
 * two steps is forgiven with it, which only makes the limit a try kinder.
 */
async function giveBack(limiter: RateLimiterAbstract, key: string, points: number): Promise<void> {
  const left = await limiter.reward(key, points);
  if (left.consumedPoints <= 0) await limiter.delete(key);
}

// A username has no ">" (see USERNAME_PATTERN), so the key names one pair only.
const pairKey = (caller: string, callee: string) => `${caller}>${callee}`;

/** Throws what a limiter's consume() settled to: `rate_limited` for a spent count, any other failure as it is. */
function refuseIfSpent(taken: PromiseSettledResult<unknown>, message: string): void {
  if (taken.status === 'fulfilled') return;
  if (!(taken.reason instanceof RateLimiterRes)) throw taken.reason;
  throw new RequestError('rate_limited', message, taken.reason.msBeforeNext);
}
