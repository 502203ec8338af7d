/**
 * Which Janus instance (its place in PARLEY_JANUS_URL) each call's room
 * lives on. Chosen once, by the first node to need it, and then the same for
 * every node: kept in this process alone, or in Redis when several nodes
 * share it. Moved only off an instance that went away, and only by the first
 * node to see it gone.
 */
import type { RedisConnection } from '../redis/connection.js';
import { lua } from '../redis/lua.js';

export interface RoomPlacement {
  /** The instance the call's room was placed on; undefined before anyone placed it. */
  get(callId: string): Promise<number | undefined>;
  /** Places the call's room on `instance` unless it already is somewhere; returns where it is. */
  claim(callId: string, instance: number): Promise<number>;
  /** Moves the room from `from` to `to` unless it is no longer on `from` (another node moved it); returns where it is. */
  move(callId: string, from: number, to: number): Promise<number>;
}

/** How many calls one process remembers (the oldest go first: long over by then). */
const KEPT = 10_000;

export class MemoryPlacement implements RoomPlacement {
  private readonly rooms = new Map<string, number>();

  get(callId: string): Promise<number | undefined> {
    return Promise.resolve(this.rooms.get(callId));
  }

  claim(callId: string, instance: number): Promise<number> {
    const placed = this.rooms.get(callId);
    if (placed !== undefined) return Promise.resolve(placed);
    this.rooms.set(callId, instance);
    if (this.rooms.size > KEPT) this.rooms.delete(this.rooms.keys().next().value as string);
    return Promise.resolve(instance);
  }

  move(callId: string, from: number, to: number): Promise<number> {
    const placed = this.rooms.get(callId);
    if (placed !== undefined && placed !== from) return Promise.resolve(placed);
    this.rooms.set(callId, to);
    return Promise.resolve(to);
  }
}

/** A room outlives no call for long: the key goes a week after it was last placed or moved. */
const TTL_S = 7 * 24 * 3600;

/** KEYS[1] the call's key; ARGV[1] the instance to place it on, ARGV[2] the TTL. Returns where it is. */
const CLAIM = lua(`
redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2])
return redis.call('GET', KEYS[1])
`);

/** KEYS[1] the call's key; ARGV[1] from, ARGV[2] to, ARGV[3] the TTL. Moves it if it is on `from` (or nowhere). */
const MOVE = lua(`
local placed = redis.call('GET', KEYS[1])
if placed == false or placed == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return ARGV[2]
end
return placed
`);

export class RedisPlacement implements RoomPlacement {
  constructor(private readonly redis: RedisConnection) {}

  async get(callId: string): Promise<number | undefined> {
    const placed = await this.redis.run(() => this.redis.client.get(this.key(callId)));
    return placed === null ? undefined : Number(placed);
  }

  async claim(callId: string, instance: number): Promise<number> {
    return Number(await this.redis.script(CLAIM, [this.key(callId)], [instance, TTL_S]));
  }

  async move(callId: string, from: number, to: number): Promise<number> {
    return Number(await this.redis.script(MOVE, [this.key(callId)], [from, to, TTL_S]));
  }

  private key(callId: string): string {
    return `${this.redis.prefix}sfu-room:${callId}`;
  }
}
