/**
 * Which test call holds each account's one slot: in this process, or in
 * Redis when nodes share state, so that "one test call per account" holds
 * whichever node each device is connected to. A claim lapses by itself a
 * little after the longest a test call may run, so a node that dies
 * holding one frees it in time.
 */
import type { RedisConnection } from '../redis/connection.js';
import { lua } from '../redis/lua.js';

export interface TestCallClaims {
  /** Takes the account's slot for `testId` for `ttlMs`; false while another test call holds it. */
  claim(username: string, testId: string, ttlMs: number): Promise<boolean>;
  /** Gives the slot back, if `testId` still holds it. */
  release(username: string, testId: string): Promise<void>;
}

export class MemoryTestCallClaims implements TestCallClaims {
  private readonly held = new Map<string, { testId: string; until: number }>();

  claim(username: string, testId: string, ttlMs: number): Promise<boolean> {
    const now = Date.now();
    const current = this.held.get(username);
    if (current && current.until > now) return Promise.resolve(false);
    this.held.set(username, { testId, until: now + ttlMs });
    return Promise.resolve(true);
  }

  release(username: string, testId: string): Promise<void> {
    if (this.held.get(username)?.testId === testId) this.held.delete(username);
    return Promise.resolve();
  }
}

/** KEYS[1] the account's key; ARGV[1] the test id, ARGV[2] the TTL in ms. 1 when taken. */
const CLAIM = lua(`
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0
`);

/** KEYS[1] the account's key; ARGV[1] the test id: deleted only if it still names it. */
const RELEASE = lua(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`);

export class RedisTestCallClaims implements TestCallClaims {
  constructor(private readonly redis: RedisConnection) {}

  async claim(username: string, testId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.script(CLAIM, [this.key(username)], [testId, ttlMs])) === 1;
  }

  async release(username: string, testId: string): Promise<void> {
    await this.redis.script(RELEASE, [this.key(username)], [testId]);
  }

  private key(username: string): string {
    return `${this.redis.prefix}test-call:${username}`;
  }
}
