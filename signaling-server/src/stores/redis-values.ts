/**
 * Atomic read-modify-write of one JSON value in Redis: read it, compute the
 * next value in TypeScript (the same rules as the memory stores), and write
 * it only if the value is still the one that was read; otherwise read again.
 * A race is decided by Redis running one script at a time.
 */
import { lua, type RedisConnection } from '../redis/connection.js';

/** Writes ARGV[2] if the key still holds ARGV[1]. */
const SWAP = lua(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1
`);

/** Tries before giving up under contention (a handful of writers per call at most). */
const MAX_TRIES = 50;

/**
 * Applies `change` to the value at `key`. `change` returning undefined leaves
 * the value alone. Returns the value written, or undefined if there was none
 * or `change` declined.
 */
export async function compareAndSet<T>(redis: RedisConnection, key: string, change: (value: T) => T | undefined): Promise<T | undefined> {
  for (let i = 0; i < MAX_TRIES; i++) {
    const raw = await redis.run(() => redis.client.get(key));
    if (raw === null) return undefined;
    const next = change(JSON.parse(raw) as T);
    if (next === undefined) return undefined;
    if ((await redis.script(SWAP, [key], [raw, JSON.stringify(next)])) === 1) return next;
  }
  throw new Error(`${key}: gave up after ${MAX_TRIES} conflicting updates`);
}

export async function readJson<T>(redis: RedisConnection, keys: string[]): Promise<T[]> {
  if (keys.length === 0) return [];
  const raws = await redis.run(() => redis.client.mGet(keys));
  return raws.flatMap((raw) => (raw === null ? [] : [JSON.parse(raw) as T]));
}
