/** The shared stores, for several nodes on one Redis (PARLEY_REDIS_URL). */
import type { RedisConnection } from '../redis/connection.js';
import { RedisCallStore } from './redis-calls.js';
import { RedisPresenceStore } from './redis-presence.js';
import { RedisSessionStore } from './redis-sessions.js';
import type { Stores } from './types.js';

export interface RedisStores extends Stores {
  sessions: RedisSessionStore;
}

export function createRedisStores(redis: RedisConnection, node: string): RedisStores {
  return { sessions: new RedisSessionStore(redis, node), presence: new RedisPresenceStore(redis), calls: new RedisCallStore(redis) };
}
