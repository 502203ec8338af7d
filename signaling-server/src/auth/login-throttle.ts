/**
 * Slows password guessing: after a few free failures per username and per IP,
 * each further failure doubles the wait before the next try is accepted.
 * Counting and blocking come from rate-limiter-flexible.
 */
import type { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { memoryLimiter, type MakeLimiter } from '../limits.js';

interface Dimension {
  /** Failures within the window. */
  failures: RateLimiterAbstract;
  /** Set while the key must wait. */
  blocks: RateLimiterAbstract;
  free: number;
  maxDelayS: number;
}

function dimension(make: MakeLimiter, prefix: string, free: number, maxDelayS: number): Dimension {
  return {
    failures: make({ keyPrefix: `${prefix}-fail`, points: 1_000_000, duration: 3600 }),
    blocks: make({ keyPrefix: `${prefix}-block`, points: 1, duration: 1 }),
    free,
    maxDelayS,
  };
}

/** With shared state (several nodes) the counts are shared too: guesses spread over nodes add up. */
export class LoginThrottle {
  private readonly byUser: Dimension;
  private readonly byIp: Dimension;

  constructor(make: MakeLimiter = memoryLimiter) {
    // Per username the cap is short: a stranger must not lock a colleague out for long.
    this.byUser = dimension(make, 'user', 5, 300);
    this.byIp = dimension(make, 'ip', 20, 900);
  }

  /** Milliseconds until this username or IP may try again; 0 when allowed now. */
  async retryAfterMs(username: string, ip: string): Promise<number> {
    const waits = await Promise.all([this.waitOf(this.byUser, username), this.waitOf(this.byIp, ip)]);
    return Math.max(...waits);
  }

  async failed(username: string, ip: string): Promise<void> {
    await Promise.all([this.fail(this.byUser, username), this.fail(this.byIp, ip)]);
  }

  /** Forgives the username's failures; the IP's stay, or one account could reset them between guesses. */
  async succeeded(username: string): Promise<void> {
    await this.byUser.failures.delete(username);
  }

  private async waitOf(d: Dimension, key: string): Promise<number> {
    const res: RateLimiterRes | null = await d.blocks.get(key);
    return res && res.consumedPoints > d.blocks.points ? res.msBeforeNext : 0;
  }

  private async fail(d: Dimension, key: string): Promise<void> {
    const { consumedPoints } = await d.failures.consume(key);
    const over = consumedPoints - d.free;
    if (over > 0) await d.blocks.block(key, Math.min(2 ** (over - 1), d.maxDelayS));
  }
}
