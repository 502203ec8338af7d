/**
 * Slows password guessing: after a few free failures per username and per IP,
 * each further failure doubles the wait before the next try is accepted.
 *
 * A try is reserved before its password is checked, with atomic counts
 * (rate-limiter-flexible's consume, atomic in memory and in Redis), so
 * requests sent all at once get no more checks than requests sent one by
 * one: the free tries, then one try each time the wait has run out.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { memoryLimiter, type MakeLimiter } from '../limits.js';

/**
 * How long a try past the free ones holds its key's gate when its result
 * never comes (a node that died mid-check); a result replaces it at once.
 */
const GATE_HOLD_S = 30;

interface Dimension {
  /** Tries reserved within the window: the ones under way and the failed ones. */
  tries: RateLimiterAbstract;
  /** One point: past the free tries, whoever takes it may check; blocked while the key must wait. */
  gate: RateLimiterAbstract;
  free: number;
  maxDelayS: number;
}

function dimension(make: MakeLimiter, prefix: string, free: number, maxDelayS: number): Dimension {
  return {
    tries: make({ keyPrefix: `${prefix}-tries`, points: 1_000_000, duration: 3600 }),
    gate: make({ keyPrefix: `${prefix}-gate`, points: 1, duration: GATE_HOLD_S }),
    free,
    maxDelayS,
  };
}

/** One key's reserved try: whether it went through the gate, to open it again when the try needs no wait after it. */
interface Held {
  d: Dimension;
  key: string;
  gated: boolean;
}

/** A reserved sign-in attempt: report its result exactly once. */
export interface LoginAttempt {
  /** Wrong password: counts, and sets the wait once past the free tries. */
  failed(): Promise<void>;
  /** Right password: forgives the username's failures; the IP's stay, or one account could reset them between guesses. */
  succeeded(): Promise<void>;
  /** No result (the check itself failed): the try is given back. */
  abandoned(): Promise<void>;
}

export type Reservation = ({ ok: true } & LoginAttempt) | { ok: false; retryAfterMs: number };

/** With shared state (several nodes) the counts are shared too: guesses spread over nodes add up. */
export class LoginThrottle {
  private readonly byUser: Dimension;
  private readonly byIp: Dimension;

  constructor(make: MakeLimiter = memoryLimiter) {
    // Per username the cap is short: a stranger must not lock a colleague out for long.
    this.byUser = dimension(make, 'user', 5, 300);
    this.byIp = dimension(make, 'ip', 20, 900);
  }

  /** Takes a try for this username and IP, or says how many milliseconds to wait. */
  async reserve(username: string, ip: string): Promise<Reservation> {
    const user = await this.take(this.byUser, username);
    if (typeof user === 'number') return { ok: false, retryAfterMs: user };
    const address = await this.take(this.byIp, ip);
    if (typeof address === 'number') {
      await this.giveBack(user);
      return { ok: false, retryAfterMs: address };
    }
    return {
      ok: true,
      failed: async () => {
        await Promise.all([this.fail(user), this.fail(address)]);
      },
      succeeded: async () => {
        await Promise.all([user.d.tries.delete(username), user.d.gate.delete(username), this.giveBack(address)]);
      },
      abandoned: async () => {
        await Promise.all([this.giveBack(user), this.giveBack(address)]);
      },
    };
  }

  /** The reserved try, or the milliseconds to wait when there is none. */
  private async take(d: Dimension, key: string): Promise<Held | number> {
    const { consumedPoints } = await d.tries.consume(key);
    if (consumedPoints <= d.free) return { d, key, gated: false };
    try {
      await d.gate.consume(key);
      return { d, key, gated: true };
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // A refused request is not a try: only checked passwords count.
      await d.tries.reward(key, 1);
      return Math.max(1, err.msBeforeNext);
    }
  }

  private async giveBack(held: Held): Promise<void> {
    await Promise.all([held.d.tries.reward(held.key, 1), held.gated ? held.d.gate.delete(held.key) : undefined]);
  }

  private async fail({ d, key, gated }: Held): Promise<void> {
    const res = await d.tries.get(key);
    const over = (res?.consumedPoints ?? 0) - d.free;
    if (over > 0) await d.gate.block(key, Math.min(2 ** (over - 1), d.maxDelayS));
    // Forgiven meanwhile (the right password in another request): no wait.
    else if (gated) await d.gate.delete(key);
  }
}
