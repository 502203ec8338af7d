/**
 * Device sessions in Redis, shared by every node. Each session is one JSON
 * value, indexed by user, by the node that holds its connection (so the
 * sessions of a node that died can be found and ended, see
 * cluster/node-registry.ts), and in one set of all sessions.
 */
import type { SettableStatus } from '../protocol/index.js';
import type { RedisConnection } from '../redis/connection.js';
import { lua } from '../redis/lua.js';
import { compareAndSet, readIndexed } from './redis-values.js';
import type { DeviceSession, SessionStore } from './types.js';

/** The session and the node whose connection it is. */
interface StoredSession {
  session: DeviceSession;
  node: string;
}

/** Removes a session and its index entries in one step; returns it (only to the first of racing callers). */
const REMOVE = lua(`
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local s = cjson.decode(raw)
redis.call('DEL', KEYS[1])
redis.call('SREM', ARGV[1] .. 'user-sessions:' .. s.session.username, ARGV[2])
redis.call('SREM', ARGV[1] .. 'node-sessions:' .. s.node, ARGV[2])
redis.call('SREM', ARGV[1] .. 'sessions', ARGV[2])
return raw
`);

/**
 * Adds a session (KEYS: its key, the user's, the node's and the global index;
 * ARGV: the stored value, its id, the session key prefix) and returns the
 * user's sessions right after: the handshake's reservation in one round trip.
 */
const RESERVE = lua(`
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  local value = redis.call('GET', ARGV[3] .. id)
  if value then out[#out + 1] = value end
end
return out
`);

export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisConnection,
    /** This node's id: the sessions it adds are its own. */
    private readonly node: string,
  ) {}

  private key(sessionId: string): string {
    return `${this.redis.prefix}session:${sessionId}`;
  }

  nodeSessionsKey(node: string): string {
    return `${this.redis.prefix}node-sessions:${node}`;
  }

  async reserve(session: DeviceSession): Promise<DeviceSession[]> {
    const p = this.redis.prefix;
    const stored: StoredSession = { session, node: this.node };
    const keys = [this.key(session.sessionId), `${p}user-sessions:${session.username}`, this.nodeSessionsKey(this.node), `${p}sessions`];
    const raws = (await this.redis.script(RESERVE, keys, [JSON.stringify(stored), session.sessionId, this.key('')])) as string[];
    return raws.map(toSession);
  }

  async remove(sessionId: string): Promise<DeviceSession | undefined> {
    const raw = await this.redis.script(REMOVE, [this.key(sessionId)], [this.redis.prefix, sessionId]);
    return typeof raw === 'string' ? toSession(raw) : undefined;
  }

  async get(sessionId: string): Promise<DeviceSession | undefined> {
    const raw = await this.redis.run(() => this.redis.client.get(this.key(sessionId)));
    return raw === null ? undefined : toSession(raw);
  }

  async byUser(username: string): Promise<DeviceSession[]> {
    // One round trip: on every call and presence change.
    const raws = await readIndexed(this.redis, `${this.redis.prefix}user-sessions:${username}`, this.key(''));
    return raws.map(toSession);
  }

  /** Session ids held by a node's connections. */
  async idsOfNode(node: string): Promise<string[]> {
    return this.redis.run(() => this.redis.client.sMembers(this.nodeSessionsKey(node)));
  }

  async setStatus(sessionId: string, status: SettableStatus): Promise<DeviceSession | undefined> {
    const next = await compareAndSet<StoredSession>(this.redis, this.key(sessionId), (s) => ({ ...s, session: { ...s.session, status } }));
    return next?.session;
  }

  async setDisplayName(sessionId: string, displayName: string): Promise<void> {
    await compareAndSet<StoredSession>(this.redis, this.key(sessionId), (s) => ({ ...s, session: { ...s.session, displayName } }));
  }

  async count(): Promise<number> {
    return this.redis.run(() => this.redis.client.sCard(`${this.redis.prefix}sessions`));
  }
}

const toSession = (raw: string): DeviceSession => (JSON.parse(raw) as StoredSession).session;
