/**
 * Calls in Redis, shared by every node. A call is one JSON value changed by
 * the rules in call-rules.ts through compare-and-set, so two nodes accepting
 * the same call at the same moment have exactly one winner. Indexes: the call
 * of each user (which also makes "already in a call" atomic at creation),
 * the calls of each device, and the set of all calls.
 */
import { lua, type RedisConnection } from '../redis/connection.js';
import { accepted, devicesOf, involves, withAway, withoutRinging } from './call-rules.js';
import { compareAndSet, readJson } from './redis-values.js';
import type { Call, CallStore, CreateResult, ResumeClaim } from './types.js';

/**
 * KEYS: call, caller's user-call, callee's user-call, all calls, then one
 * device set per device. ARGV: the call JSON, its id.
 */
const CREATE = lua(`
if redis.call('EXISTS', KEYS[2]) == 1 then return 'caller' end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'callee' end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
for i = 5, #KEYS do redis.call('SADD', KEYS[i], ARGV[2]) end
return 'ok'
`);

/** Same KEYS as CREATE. ARGV: the call JSON as it was read, its id. Removes it only if unchanged. */
const REMOVE = lua(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[2] then redis.call('DEL', KEYS[2]) end
if redis.call('GET', KEYS[3]) == ARGV[2] then redis.call('DEL', KEYS[3]) end
redis.call('SREM', KEYS[4], ARGV[2])
for i = 5, #KEYS do redis.call('SREM', KEYS[i], ARGV[2]) end
return 1
`);

/**
 * A resume claim meets the other side's, or waits. KEYS: the claim. ARGV:
 * this claim's JSON, its role, how long it may wait (ms).
 */
const CLAIM = lua(`
local other = redis.call('GET', KEYS[1])
if other and cjson.decode(other).role ~= ARGV[2] then
  redis.call('DEL', KEYS[1])
  return other
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return false
`);

/** A claim nobody matched is dropped by the restart sweep after the grace period; this only bounds garbage. */
const CLAIM_TTL_MS = 24 * 3600 * 1000;
const MAX_TRIES = 50;

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

  private allKey(): string {
    return `${this.redis.prefix}calls`;
  }

  private keysOf(call: Call): string[] {
    return [this.key(call.id), this.userKey(call.caller), this.userKey(call.callee), this.allKey(), ...devicesOf(call).map((d) => this.deviceKey(d))];
  }

  async create(call: Call): Promise<CreateResult> {
    const result = await this.redis.script(CREATE, this.keysOf(call), [JSON.stringify(call), call.id]);
    return result === 'ok' ? { ok: true } : { ok: false, conflict: result === 'caller' ? 'caller' : 'callee' };
  }

  async get(callId: string): Promise<Call | undefined> {
    return (await readJson<Call>(this.redis, [this.key(callId)]))[0];
  }

  accept(callId: string, device: string, at: number): Promise<Call | undefined> {
    return compareAndSet<Call>(this.redis, this.key(callId), (c) => accepted(c, device, at));
  }

  async end(callId: string, onlyIf?: (call: Call) => boolean): Promise<Call | undefined> {
    for (let i = 0; i < MAX_TRIES; i++) {
      const raw = await this.redis.run(() => this.redis.client.get(this.key(callId)));
      if (raw === null) return undefined;
      const call = JSON.parse(raw) as Call;
      if (onlyIf && !onlyIf(call)) return undefined;
      if ((await this.redis.script(REMOVE, this.keysOf(call), [raw, call.id])) === 1) return call;
    }
    throw new Error(`call ${callId}: gave up ending it after ${MAX_TRIES} conflicting updates`);
  }

  stopRinging(callId: string, device: string): Promise<Call | undefined> {
    return this.change(callId, (c) => withoutRinging(c, device));
  }

  setAway(callId: string, device: string, away: boolean): Promise<Call | undefined> {
    return this.change(callId, (c) => withAway(c, device, away));
  }

  async byUser(username: string): Promise<Call | undefined> {
    const id = await this.redis.run(() => this.redis.client.get(this.userKey(username)));
    return id === null ? undefined : this.get(id);
  }

  async byDevice(device: string): Promise<Call[]> {
    const ids = await this.redis.run(() => this.redis.client.sMembers(this.deviceKey(device)));
    // The index holds every device a call may reach; what reaches it now is decided by the call.
    return (await readJson<Call>(this.redis, ids.map((id) => this.key(id)))).filter((c) => involves(c, device));
  }

  async all(): Promise<Call[]> {
    const ids = await this.redis.run(() => this.redis.client.sMembers(this.allKey()));
    return readJson<Call>(this.redis, ids.map((id) => this.key(id)));
  }

  async claim(claim: ResumeClaim): Promise<ResumeClaim | undefined> {
    const other = await this.redis.script(CLAIM, [this.claimKey(claim.callId)], [JSON.stringify(claim), claim.role, CLAIM_TTL_MS]);
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

  /** A change that keeps the call as it is when it has nothing to change. */
  private async change(callId: string, fn: (c: Call) => Call): Promise<Call | undefined> {
    return compareAndSet<Call>(this.redis, this.key(callId), fn);
  }
}
