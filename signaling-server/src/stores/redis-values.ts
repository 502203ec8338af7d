/**
 * Atomic read-modify-write of one JSON value in Redis: read it, compute the
 * next value in TypeScript (the same rules as the memory stores), and write
 * it only if the value is still the one that was read; otherwise read again.
 * A race is decided by Redis running one script at a time.
 */
import type { RedisConnection } from '../redis/connection.js';
import { lua } from '../redis/lua.js';

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

/**
 * The values named by an index, read in one round trip instead of two.
 * KEYS[1]: a string holding one id, or a set of ids; ARGV[1]: the prefix of
 * the keys the ids name. Returns the raw values that exist. (It reads keys
 * it is not given in KEYS, as the session REMOVE script does: fine on one
 * Redis, not on Redis Cluster.)
 */
const READ_INDEXED = lua(`
local ids
if redis.call('TYPE', KEYS[1]).ok == 'set' then
  ids = redis.call('SMEMBERS', KEYS[1])
else
  local id = redis.call('GET', KEYS[1])
  ids = id and { id } or {}
end
local out = {}
for _, id in ipairs(ids) do
  local value = redis.call('GET', ARGV[1] .. id)
  if value then out[#out + 1] = value end
end
return out
`);

/** The raw values of the keys `prefix + id` for each id an index holds (a string or a set of ids), in one round trip. */
export async function readIndexed(redis: RedisConnection, index: string, prefix: string): Promise<string[]> {
  return (await redis.script(READ_INDEXED, [index], [prefix])) as string[];
}

export async function readJson<T>(redis: RedisConnection, keys: string[]): Promise<T[]> {
  if (keys.length === 0) return [];
  const raws = await redis.run(() => redis.client.mGet(keys));
  return raws.flatMap((raw) => (raw === null ? [] : [JSON.parse(raw) as T]));
}
