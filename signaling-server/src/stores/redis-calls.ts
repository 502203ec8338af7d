/**
 * Calls in Redis, shared by every node. A call is one JSON value; every
 * change reads it, computes the next call with the same rules as the memory
 * store (call-rules.ts, calls/membership.ts), and writes it back in one
 * script only if the value is still the one it read, else decides again on
 * the value the script answers with. So two nodes accepting the same call at
 * the same moment have exactly one winner, and two people joining a room
 * with one place left: one gets in, the other reads the full room and is
 * refused. The same script keeps the indexes: the call of each user (which
 * makes "already in a call" atomic), the calls of each device, the open room
 * of each name, and all calls.
 *
 * Round trips are what a call setup waits for on a busy machine (each one
 * waits for Redis and then this node to get a CPU), so a change given the
 * call as its request just read it (`seen`: an accept or a hang-up reads the
 * call to check it first) starts from that instead of reading it again: one
 * round trip instead of two, and one more when it changed meanwhile.
 */
import type { RedisConnection } from '../redis/connection.js';
import { lua } from '../redis/lua.js';
import { accept, indexChange, withAway, withoutRinging } from './call-rules.js';
import { readIndexed, readJson } from './redis-values.js';
import { callDevices, callMembers, type Call, type CallChange, type CallStore, type CreateResult, type Holding, type Publication, type ResumeClaim, type UpdateResult } from './types.js';

/**
 * KEYS: the call, all calls, one user-call key per member (the caller
 * first), one device set per device, then the room's key for a named room.
 * ARGV: the call JSON, its id, the number of members, the number of devices,
 * then channel and message pairs to publish once the call is made.
 * Returns 'exists' when the call is there, the position (1-based) of a
 * member already in a call, 'room' when the room is open, or 'ok'.
 */
const CREATE = lua(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local users, devices = tonumber(ARGV[3]), tonumber(ARGV[4])
for i = 1, users do
  if redis.call('EXISTS', KEYS[2 + i]) == 1 then return tostring(i) end
end
local room = KEYS[3 + users + devices]
if room and redis.call('EXISTS', room) == 1 then return 'room' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
for i = 1, users do redis.call('SET', KEYS[2 + i], ARGV[2]) end
for i = 1, devices do redis.call('SADD', KEYS[2 + users + i], ARGV[2]) end
if room then redis.call('SET', room, ARGV[2]) end
for i = 5, #ARGV, 2 do redis.call('PUBLISH', ARGV[i], ARGV[i + 1]) end
return 'ok'
`);

/**
 * Writes a changed call if it is unchanged since it was read. KEYS: the
 * call, then the user-call keys of users joining, of users leaving, the
 * device sets of devices added, of devices removed. ARGV: the call JSON as
 * read, the new JSON, its id, then the four counts. Returns {'busy'} when a
 * joining user is in another call, {'ok'}, {'gone'} when there is no such
 * call, or {'stale', the call as it is now} when it changed.
 */
const UPDATE = lua(`
local current = redis.call('GET', KEYS[1])
if not current then return { 'gone' } end
if current ~= ARGV[1] then return { 'stale', current } end
local joined, left, added, removed = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
local k = 1
for i = 1, joined do
  if redis.call('EXISTS', KEYS[k + i]) == 1 then return { 'busy' } end
end
redis.call('SET', KEYS[1], ARGV[2])
for i = 1, joined do redis.call('SET', KEYS[k + i], ARGV[3]) end
k = k + joined
for i = 1, left do
  if redis.call('GET', KEYS[k + i]) == ARGV[3] then redis.call('DEL', KEYS[k + i]) end
end
k = k + left
for i = 1, added do redis.call('SADD', KEYS[k + i], ARGV[3]) end
k = k + added
for i = 1, removed do redis.call('SREM', KEYS[k + i], ARGV[3]) end
return { 'ok' }
`);

/**
 * Same KEYS and counts as CREATE. ARGV: the call JSON as it was read, its
 * id, the counts. Removes it only if unchanged; answers as UPDATE does.
 */
const REMOVE = lua(`
local current = redis.call('GET', KEYS[1])
if not current then return { 'gone' } end
if current ~= ARGV[1] then return { 'stale', current } end
local users, devices = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
for i = 1, users do
  if redis.call('GET', KEYS[2 + i]) == ARGV[2] then redis.call('DEL', KEYS[2 + i]) end
end
for i = 1, devices do redis.call('SREM', KEYS[2 + users + i], ARGV[2]) end
local room = KEYS[3 + users + devices]
if room and redis.call('GET', room) == ARGV[2] then redis.call('DEL', room) end
return { 'ok' }
`);

/**
 * A resume claim meets another user's, or waits. KEYS: the claim. ARGV:
 * this claim's JSON, its username, how long it may wait (ms).
 */
const CLAIM = lua(`
local other = redis.call('GET', KEYS[1])
local user = other and cjson.decode(other).username
-- A claim left by an older version names no user: this one takes its place.
if user and user ~= ARGV[2] then
  redis.call('DEL', KEYS[1])
  return other
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return false
`);

/** A claim nobody matched is dropped by the restart sweep after the grace period; this only bounds garbage. */
const CLAIM_TTL_MS = 24 * 3600 * 1000;
/** Tries before giving up under contention (a handful of writers per call at most). */
const MAX_TRIES = 50;

/** What a step of a change said: a final answer, or the call as it is now (null: gone) to decide again on. */
type Step<T> = { done: T } | { now: string | null };

export class RedisCallStore implements CallStore {
  constructor(private readonly redis: RedisConnection) {}

  private key(callId: string): string {
    return `${this.redis.prefix}call:${callId}`;
  }

  private userKey(username: string): string {
    return `${this.redis.prefix}user-call:${username}`;
  }

  private deviceKey(device: string): string {
    return `${this.redis.prefix}device-calls:${device}`;
  }

  private roomKey(name: string): string {
    return `${this.redis.prefix}room:${name}`;
  }

  private allKey(): string {
    return `${this.redis.prefix}calls`;
  }

  /** KEYS and counts of CREATE and REMOVE for a call as it is. */
  private keysOf(call: Call): { keys: string[]; counts: number[] } {
    const users = callMembers(call);
    const devices = [...new Set(callDevices(call))];
    const keys = [this.key(call.id), this.allKey(), ...users.map((u) => this.userKey(u)), ...devices.map((d) => this.deviceKey(d))];
    if (call.room !== null) keys.push(this.roomKey(call.room));
    return { keys, counts: [users.length, devices.length] };
  }

  async create(call: Call, publish: Publication[] = []): Promise<CreateResult> {
    const { keys, counts } = this.keysOf(call);
    const published = publish.flatMap((p) => [p.channel, p.message]);
    const result = await this.redis.script(CREATE, keys, [JSON.stringify(call), call.id, ...counts, ...published]);
    if (result === 'ok') return { ok: true };
    // The script checks in createConflict's order: the call, the members (the caller first), then the room.
    if (result === 'exists' || result === 'room') return { ok: false, conflict: result };
    return { ok: false, conflict: result === '1' ? 'caller' : 'callee' };
  }

  async get(callId: string): Promise<Call | undefined> {
    return parse(await this.read(callId));
  }

  async byRoom(name: string): Promise<Call | undefined> {
    return this.viaIndex(this.roomKey(name));
  }

  async update<R extends string>(callId: string, change: CallChange<R>, seen?: Call): Promise<UpdateResult<R>> {
    return this.change<UpdateResult<R>>(callId, seen, { ok: false, refused: 'not_found' }, async (call, raw) => {
      const next = change(call);
      if ('refused' in next) return { done: { ok: false, refused: next.refused } };
      const { joined, left, devicesAdded, devicesRemoved } = indexChange(call, next);
      const keys = [
        this.key(callId),
        ...joined.map((u) => this.userKey(u)),
        ...left.map((u) => this.userKey(u)),
        ...devicesAdded.map((d) => this.deviceKey(d)),
        ...devicesRemoved.map((d) => this.deviceKey(d)),
      ];
      const counts = [joined.length, left.length, devicesAdded.length, devicesRemoved.length];
      const json = JSON.stringify(next);
      const [result, now] = (await this.redis.script(UPDATE, keys, [raw, json, callId, ...counts])) as [string, string?];
      if (result === 'ok') return { done: { ok: true, call: next } };
      // 'busy' was decided on the call as it is (the script compared it first).
      if (result === 'busy') return { done: { ok: false, refused: 'busy' } };
      // 'stale': another node changed the call meanwhile; decide again on what it is now.
      return { now: now ?? null };
    });
  }

  async accept(callId: string, device: string, at: number, seen?: Call, holding?: Holding): Promise<Call | undefined> {
    const res = await this.update(callId, accept(device, at, holding), seen);
    return res.ok ? res.call : undefined;
  }

  async end(callId: string, onlyIf?: (call: Call) => boolean, seen?: Call): Promise<Call | undefined> {
    return this.change<Call | undefined>(callId, seen, undefined, async (call, raw) => {
      if (onlyIf && !onlyIf(call)) return { done: undefined };
      const { keys, counts } = this.keysOf(call);
      const [result, now] = (await this.redis.script(REMOVE, keys, [raw, call.id, ...counts])) as [string, string?];
      return result === 'ok' ? { done: call } : { now: now ?? null };
    });
  }

  async stopRinging(callId: string, device: string): Promise<Call | undefined> {
    const res = await this.update(callId, (c) => withoutRinging(c, device));
    return res.ok ? res.call : undefined;
  }

  async setAway(callId: string, device: string, away: boolean): Promise<Call | undefined> {
    const res = await this.update(callId, (c) => withAway(c, device, away));
    return res.ok ? res.call : undefined;
  }

  async byUser(username: string): Promise<Call | undefined> {
    return this.viaIndex(this.userKey(username));
  }

  async byDevice(device: string): Promise<Call[]> {
    const raws = await readIndexed(this.redis, this.deviceKey(device), this.key(''));
    // The scripts keep the index exact; the filter only guards against one left by an older version.
    return raws.map((raw) => JSON.parse(raw) as Call).filter((c) => callDevices(c).includes(device));
  }

  async all(): Promise<Call[]> {
    const ids = await this.redis.run(() => this.redis.client.sMembers(this.allKey()));
    return readJson<Call>(this.redis, ids.map((id) => this.key(id)));
  }

  async claim(claim: ResumeClaim): Promise<ResumeClaim | undefined> {
    const other = await this.redis.script(CLAIM, [this.claimKey(claim.callId)], [JSON.stringify(claim), claim.username, CLAIM_TTL_MS]);
    return typeof other === 'string' ? (JSON.parse(other) as ResumeClaim) : undefined;
  }

  async dropClaim(callId: string): Promise<ResumeClaim | undefined> {
    const raw = await this.redis.run(() => this.redis.client.getDel(this.claimKey(callId)));
    return raw === null ? undefined : (JSON.parse(raw) as ResumeClaim);
  }

  restore(call: Call): Promise<CreateResult> {
    return this.create(call);
  }

  private claimKey(callId: string): string {
    return `${this.redis.prefix}claim:${callId}`;
  }

  /**
   * Runs `step` on the call as the request saw it (`seen`), or as it is now,
   * then again on each value a script answers with while other nodes change it.
   * `seen` is taken as it was read: the JSON of a parsed value is the value.
   */
  private async change<T>(callId: string, seen: Call | undefined, missing: T, step: (call: Call, raw: string) => Promise<Step<T>>): Promise<T> {
    let raw = seen ? JSON.stringify(seen) : await this.read(callId);
    for (let i = 0; i < MAX_TRIES; i++) {
      if (raw === null) return missing;
      const s = await step(JSON.parse(raw) as Call, raw);
      if ('done' in s) return s.done;
      raw = s.now;
    }
    throw new Error(`call ${callId}: gave up changing it after ${MAX_TRIES} conflicting updates`);
  }

  private read(callId: string): Promise<string | null> {
    return this.redis.run(() => this.redis.client.get(this.key(callId)));
  }

  /** The call an index key (a user's, a room's) names, in one round trip. */
  private async viaIndex(index: string): Promise<Call | undefined> {
    const [raw] = await readIndexed(this.redis, index, this.key(''));
    return raw === undefined ? undefined : (JSON.parse(raw) as Call);
  }
}

const parse = (raw: string | null): Call | undefined => (raw === null ? undefined : (JSON.parse(raw) as Call));
