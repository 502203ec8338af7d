/**
 * Single-node stores in memory. Every method runs to completion without
 * awaiting, so each one is atomic on this node's event loop.
 *
 * What is stored is a frozen copy, handed out as it is: a read costs no copy
 * (a call's setup reads its call and sessions a few dozen times; copying each
 * read was a twentieth of the server's time in a profile of call setups), and
 * nobody can change the stored record behind the store's back. A change gets
 * a copy of its own to work on.
 */
import type { Status } from '../protocol/index.js';
import { accept, createConflict, indexChange, withAway, withoutRinging } from './call-rules.js';
import {
  callDevices,
  callMembers,
  type Call,
  type CallChange,
  type CallStore,
  type CreateResult,
  type Holding,
  type UpdateResult,
  type DeviceSession,
  type PresenceChange,
  type PresenceStore,
  type ResumeClaim,
  type SessionStore,
  type Stores,
} from './types.js';

const clone = <T>(value: T): T => structuredClone(value);

/** A frozen copy, all the way down. */
function frozen<T>(value: T): T {
  const copy = clone(value);
  deepFreeze(copy);
  return copy;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  for (const v of Object.values(value)) deepFreeze(v);
  Object.freeze(value);
}

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, DeviceSession>();
  /**
   * Session ids by username: byUser runs on every call and presence change.
   * Most users have one device: its id alone, a Set (about 140 bytes) only
   * for two or more.
   */
  private readonly byUsername = new Map<string, string | Set<string>>();

  reserve(session: DeviceSession): Promise<DeviceSession[]> {
    const { sessionId, username } = session;
    this.sessions.set(sessionId, frozen(session));
    const ids = this.byUsername.get(username);
    if (ids === undefined || ids === sessionId) this.byUsername.set(username, sessionId);
    else if (typeof ids === 'string') this.byUsername.set(username, new Set([ids, sessionId]));
    else ids.add(sessionId);
    return this.byUser(username);
  }

  remove(sessionId: string): Promise<DeviceSession | undefined> {
    const session = this.sessions.get(sessionId);
    this.sessions.delete(sessionId);
    if (!session) return Promise.resolve(undefined);
    const ids = this.byUsername.get(session.username);
    if (ids === sessionId) this.byUsername.delete(session.username);
    else if (ids instanceof Set) {
      ids.delete(sessionId);
      if (ids.size === 1) this.byUsername.set(session.username, ids.values().next().value as string);
    }
    return Promise.resolve(session);
  }

  get(sessionId: string): Promise<DeviceSession | undefined> {
    return Promise.resolve(this.sessions.get(sessionId));
  }

  byUser(username: string): Promise<DeviceSession[]> {
    const ids = this.byUsername.get(username);
    const list = ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids];
    return Promise.resolve(list.flatMap((id) => this.sessions.get(id) ?? []));
  }

  setStatus(sessionId: string, status: DeviceSession['status']): Promise<DeviceSession | undefined> {
    const s = this.sessions.get(sessionId);
    const next = s && frozen({ ...s, status });
    if (next) this.sessions.set(sessionId, next);
    return Promise.resolve(next);
  }

  setDisplayName(sessionId: string, displayName: string): Promise<void> {
    const s = this.sessions.get(sessionId);
    if (s) this.sessions.set(sessionId, frozen({ ...s, displayName }));
    return Promise.resolve();
  }

  count(): Promise<number> {
    return Promise.resolve(this.sessions.size);
  }
}

export class MemoryPresenceStore implements PresenceStore {
  private readonly current = new Map<string, Status>();
  /** The stamp of each user's recorded status, kept when they go offline so an older refresh stays refused. */
  private readonly recorded = new Map<string, number>();
  private stamps = 0;
  private readonly listeners = new Set<(change: PresenceChange) => void>();

  stamp(): Promise<number> {
    return Promise.resolve(++this.stamps);
  }

  publish(change: PresenceChange, stamp: number): Promise<Status> {
    const { username, status } = change;
    const previous = this.current.get(username) ?? 'offline';
    if (stamp < (this.recorded.get(username) ?? 0)) return Promise.resolve(previous);
    this.recorded.set(username, stamp);
    if (status === 'offline') this.current.delete(username);
    else this.current.set(username, status);
    if (previous !== status) for (const listener of this.listeners) listener(change);
    return Promise.resolve(status);
  }

  subscribe(listener: (change: PresenceChange) => void): Promise<void> {
    this.listeners.add(listener);
    return Promise.resolve();
  }

  get(username: string): Promise<Status> {
    return Promise.resolve(this.current.get(username) ?? 'offline');
  }

  statuses(usernames: readonly string[]): Promise<Status[]> {
    return Promise.resolve(usernames.map((u) => this.current.get(u) ?? 'offline'));
  }

  snapshot(): Promise<{ username: string; status: Status }[]> {
    return Promise.resolve([...this.current].map(([username, status]) => ({ username, status })));
  }
}

export class MemoryCallStore implements CallStore {
  private readonly calls = new Map<string, Call>();
  private readonly byUsername = new Map<string, string>();
  private readonly claims = new Map<string, ResumeClaim>();
  private readonly rooms = new Map<string, string>();

  create(call: Call): Promise<CreateResult> {
    const conflict = createConflict(call, this.calls.has(call.id), (u) => this.byUsername.has(u), call.room !== null && this.rooms.has(call.room));
    if (conflict) return Promise.resolve({ ok: false, conflict });
    this.calls.set(call.id, frozen(call));
    for (const u of callMembers(call)) this.byUsername.set(u, call.id);
    if (call.room !== null) this.rooms.set(call.room, call.id);
    return Promise.resolve({ ok: true });
  }

  get(callId: string): Promise<Call | undefined> {
    return Promise.resolve(this.calls.get(callId));
  }

  byRoom(name: string): Promise<Call | undefined> {
    const id = this.rooms.get(name);
    return this.get(id ?? '');
  }

  update<R extends string>(callId: string, change: CallChange<R>): Promise<UpdateResult<R>> {
    const c = this.calls.get(callId);
    if (!c) return Promise.resolve({ ok: false, refused: 'not_found' });
    const next = change(clone(c));
    if ('refused' in next) return Promise.resolve({ ok: false, refused: next.refused });
    const { joined, left } = indexChange(c, next);
    if (joined.some((u) => this.byUsername.has(u))) return Promise.resolve({ ok: false, refused: 'busy' });
    for (const u of left) if (this.byUsername.get(u) === callId) this.byUsername.delete(u);
    for (const u of joined) this.byUsername.set(u, callId);
    const stored = frozen(next);
    this.calls.set(callId, stored);
    return Promise.resolve({ ok: true, call: stored });
  }

  async accept(callId: string, device: string, at: number, _seen?: Call, holding?: Holding): Promise<Call | undefined> {
    const res = await this.update(callId, accept(device, at, holding));
    return res.ok ? res.call : undefined;
  }

  end(callId: string, onlyIf?: (call: Call) => boolean): Promise<Call | undefined> {
    const c = this.calls.get(callId);
    if (!c || (onlyIf && !onlyIf(c))) return Promise.resolve(undefined);
    this.calls.delete(callId);
    for (const u of callMembers(c)) if (this.byUsername.get(u) === callId) this.byUsername.delete(u);
    if (c.room !== null) this.rooms.delete(c.room);
    return Promise.resolve(c);
  }

  async stopRinging(callId: string, device: string): Promise<Call | undefined> {
    const res = await this.update(callId, (c) => withoutRinging(c, device));
    return res.ok ? res.call : undefined;
  }

  async setAway(callId: string, device: string, away: boolean): Promise<Call | undefined> {
    const res = await this.update(callId, (c) => withAway(c, device, away));
    return res.ok ? res.call : undefined;
  }

  byUser(username: string): Promise<Call | undefined> {
    const id = this.byUsername.get(username);
    return Promise.resolve(id === undefined ? undefined : this.calls.get(id));
  }

  byDevice(device: string): Promise<Call[]> {
    return Promise.resolve([...this.calls.values()].filter((c) => callDevices(c).includes(device)));
  }

  all(): Promise<Call[]> {
    return Promise.resolve([...this.calls.values()]);
  }

  claim(claim: ResumeClaim): Promise<ResumeClaim | undefined> {
    const other = this.claims.get(claim.callId);
    if (other && other.username !== claim.username) {
      this.claims.delete(claim.callId);
      return Promise.resolve(other);
    }
    this.claims.set(claim.callId, frozen(claim));
    return Promise.resolve(undefined);
  }

  dropClaim(callId: string): Promise<ResumeClaim | undefined> {
    const c = this.claims.get(callId);
    this.claims.delete(callId);
    return Promise.resolve(c);
  }

  restore(call: Call): Promise<CreateResult> {
    return this.create(call);
  }
}

export function createMemoryStores(): Stores {
  return { sessions: new MemorySessionStore(), presence: new MemoryPresenceStore(), calls: new MemoryCallStore() };
}
