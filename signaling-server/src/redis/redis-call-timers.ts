/**
 * Call deadlines shared through Redis: each is a member of one sorted set,
 * scored by when it is due on Redis's clock. The node that sets a deadline
 * also keeps a local timer, so it fires on time; every node sweeps the set
 * once a second, so the deadline of a node that died is still enforced.
 * Whoever takes a due deadline holds it for a lease and removes it when its
 * handler is done: a node dying in between leaves it to be taken again.
 */
import type { CallTimer, CallTimers, TimerFailure } from '../calls/call-timers.js';
import { timerJson, timerKey } from '../calls/call-timers.js';
import type { RedisConnection } from './connection.js';
import { lua } from './lua.js';

const NOW = `local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)`;

/** ARGV: member, due in ms. */
const SET = lua(`${NOW}
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return 1`);

/** ARGV: member, lease ms. Takes the deadline if it is due; returns the lease's score. */
const TAKE = lua(`${NOW}
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not s or tonumber(s) > now then return false end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return tostring(now + tonumber(ARGV[2]))`);

/** ARGV: lease ms, how many. Takes every due deadline; returns the lease's score then the members. */
const TAKE_DUE = lua(`${NOW}
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))
local lease = now + tonumber(ARGV[1])
for _, m in ipairs(due) do redis.call('ZADD', KEYS[1], lease, m) end
table.insert(due, 1, tostring(lease))
return due`);

/** ARGV: member, lease score. Removes a handled deadline unless it was set again meanwhile. */
const DONE = lua(`
local s = redis.call('ZSCORE', KEYS[1], ARGV[1])
if s and tonumber(s) == tonumber(ARGV[2]) then redis.call('ZREM', KEYS[1], ARGV[1]) end
return 1`);

const LEASE_MS = 30_000;
const SWEEP_MS = 1000;
const SWEEP_BATCH = 100;

export class RedisCallTimers implements CallTimers {
  private readonly local = new Map<string, NodeJS.Timeout>();
  private readonly key: string;
  private sweeper: NodeJS.Timeout | undefined;
  private onDue: (timer: CallTimer) => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly redis: RedisConnection,
    private readonly failed: TimerFailure,
  ) {
    this.key = `${redis.prefix}call-deadlines`;
  }

  start(onDue: (timer: CallTimer) => Promise<void>): void {
    this.onDue = onDue;
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
  }

  async set(timer: CallTimer, ms: number): Promise<void> {
    const member = timerJson(timer);
    await this.redis.script(SET, [this.key], [member, ms]);
    const key = timerKey(timer);
    clearTimeout(this.local.get(key));
    this.local.set(
      key,
      setTimeout(() => {
        this.local.delete(key);
        void this.fire(member);
      }, ms),
    );
  }

  async clear(timer: CallTimer): Promise<void> {
    const key = timerKey(timer);
    clearTimeout(this.local.get(key));
    this.local.delete(key);
    await this.redis.run(() => this.redis.client.zRem(this.key, timerJson(timer)));
  }

  dispose(): void {
    clearInterval(this.sweeper);
    for (const t of this.local.values()) clearTimeout(t);
    this.local.clear();
  }

  /** This node's own timer went off: run it if the deadline is still there and due. */
  private async fire(member: string): Promise<void> {
    try {
      const lease = await this.redis.script(TAKE, [this.key], [member, LEASE_MS]);
      if (typeof lease === 'string') await this.handle(member, lease);
    } catch {
      // Redis is away: the sweep takes the deadline once it is back.
    }
  }

  private async sweep(): Promise<void> {
    if (!this.redis.available) return;
    try {
      const [lease, ...due] = (await this.redis.script(TAKE_DUE, [this.key], [LEASE_MS, SWEEP_BATCH])) as string[];
      for (const member of due) await this.handle(member, lease ?? '0');
    } catch {
      // Redis went away mid-sweep: the next sweep tries again.
    }
  }

  private async handle(member: string, lease: string): Promise<void> {
    const timer = JSON.parse(member) as CallTimer;
    try {
      await this.onDue(timer);
      await this.redis.script(DONE, [this.key], [member, lease]);
    } catch (err) {
      // Left in place: the lease runs out and a node takes it again.
      this.failed(err, timer);
    }
  }
}
