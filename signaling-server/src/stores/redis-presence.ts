/** The last published status of each user, in one Redis hash shared by every node. */
import type { Status } from '../protocol/index.js';
import { lua, type RedisConnection } from '../redis/connection.js';
import type { PresenceStore } from './types.js';

/** Records ARGV[2] for user ARGV[1] and returns the status it replaces, in one step. */
const PUBLISH = lua(`
local previous = redis.call('HGET', KEYS[1], ARGV[1]) or 'offline'
if ARGV[2] == 'offline' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
return previous
`);

export class RedisPresenceStore implements PresenceStore {
  private readonly key: string;

  constructor(private readonly redis: RedisConnection) {
    this.key = `${redis.prefix}presence`;
  }

  async publish(username: string, status: Status): Promise<Status> {
    return (await this.redis.script(PUBLISH, [this.key], [username, status])) as Status;
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
