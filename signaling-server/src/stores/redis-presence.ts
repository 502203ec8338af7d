/**
 * The last published status of each user, in one Redis hash shared by every
 * node. Recording a status and announcing the change are one script: the
 * change goes out on a Redis channel from inside it, so every node gets the
 * changes in the order Redis recorded them and hands them to its own
 * watchers (an announcement sent by each node after its write could arrive
 * after a later one from another node, leaving watchers on a stale status).
 */
import type { Status } from '../protocol/index.js';
import type { RedisConnection } from '../redis/connection.js';
import { lua } from '../redis/lua.js';
import type { PresenceChange, PresenceStore } from './types.js';

/**
 * KEYS: the statuses, the recorded stamps, the stamp counter. ARGV: the
 * username, the status, its stamp, the change as JSON, the channel. A stamp
 * older than the recorded one is refused; the counter is kept ahead of every
 * recorded stamp, so a refresh that was in flight while Redis lost its data
 * cannot outrank the ones after it. Returns the status recorded now.
 */
const PUBLISH = lua(`
local stamp = tonumber(ARGV[3])
local previous = redis.call('HGET', KEYS[1], ARGV[1]) or 'offline'
if stamp < tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') then return previous end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
if tonumber(redis.call('GET', KEYS[3]) or '0') < stamp then redis.call('SET', KEYS[3], ARGV[3]) end
if ARGV[2] == 'offline' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
if previous ~= ARGV[2] then redis.call('PUBLISH', ARGV[5], ARGV[4]) end
return ARGV[2]
`);

export class RedisPresenceStore implements PresenceStore {
  private readonly key: string;
  private readonly stampsKey: string;
  private readonly counterKey: string;
  private readonly channel: string;

  constructor(private readonly redis: RedisConnection) {
    this.key = `${redis.prefix}presence`;
    this.stampsKey = `${redis.prefix}presence-stamps`;
    this.counterKey = `${redis.prefix}presence-stamp`;
    this.channel = `${redis.prefix}presence-changes`;
  }

  async stamp(): Promise<number> {
    return this.redis.run(() => this.redis.client.incr(this.counterKey));
  }

  async publish(change: PresenceChange, stamp: number): Promise<Status> {
    const args = [change.username, change.status, stamp, JSON.stringify(change), this.channel];
    return (await this.redis.script(PUBLISH, [this.key, this.stampsKey, this.counterKey], args)) as Status;
  }

  async subscribe(listener: (change: PresenceChange) => void): Promise<void> {
    // The adapter's subscriber connection: node-redis subscribes again by itself after a reconnect.
    await this.redis.sub.subscribe(this.channel, (message: string) => {
      let change: PresenceChange;
      try {
        change = JSON.parse(message) as PresenceChange;
      } catch {
        return; // not written by PUBLISH: nothing to announce
      }
      listener(change);
    });
  }

  async get(username: string): Promise<Status> {
    return ((await this.redis.run(() => this.redis.client.hGet(this.key, username))) ?? 'offline') as Status;
  }

  async statuses(usernames: readonly string[]): Promise<Status[]> {
    if (usernames.length === 0) return [];
    const values = await this.redis.run(() => this.redis.client.hmGet(this.key, [...usernames]));
    return values.map((v) => (v ?? 'offline') as Status);
  }

  async snapshot(): Promise<{ username: string; status: Status }[]> {
    const all = await this.redis.run(() => this.redis.client.hGetAll(this.key));
    return Object.entries(all).map(([username, status]) => ({ username, status: status as Status }));
  }
}
