/**
 * Call routing: ringing every device of the callee, one answer wins, the
 * other devices stop ringing; one idempotent `end` per call that records the
 * outcome and tells every device still involved. Relay goes only between
 * participants of an answered call, one pair at a time, stamped with the
 * sender by the server.
 *
 * Group calls are the same calls with more participants: someone added to an
 * answered call (Add person) or a named room (`room:join`). A full mesh: each
 * newcomer is polite toward everyone already there, who offer to it. Leaving
 * never touches the other pairs; see membership.ts for who may join and when
 * a leave ends the call.
 *
 * Calls are bound to devices (a room per device), not to connections, so an
 * answered call outlives a lost connection: the device is marked away for a
 * grace period and resumes the call from its next connection. After a server
 * restart both sides claim the call and it is restored from the two claims
 * and its history row, so no single client can invent a call.
 */
import { randomUUID } from 'node:crypto';
import type { UserRepository } from '../accounts/users.js';
import { isStoreUnavailable } from '../db/store-errors.js';
import type { HistoryRepository } from '../history/history-repository.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CallResumeReply, ClientPayload, EndReason, Media, ServerToClientEvents, UserRef } from '../protocol/index.js';
import type { AccountLimits } from '../realtime/account-limits.js';
import type { PresenceService } from '../realtime/presence-service.js';
import { RequestError } from '../realtime/request-error.js';
import { deviceRoom, userRoom, type ParleyServer } from '../realtime/types.js';
import { callDevices, callMembers, type Call, type CallChange, type DeviceSession, type Participant, type Stores } from '../stores/types.js';
import type { CallTimer, CallTimers } from './call-timers.js';
import * as membership from './membership.js';
import type { PersistentRooms } from './persistent-rooms.js';
import { sameCode, type RoomCodes } from './room-codes.js';

export interface CallServiceDeps {
  io: ParleyServer;
  stores: Stores;
  users: UserRepository;
  history: HistoryRepository;
  presence: PresenceService;
  metrics: Metrics;
  ringTimeoutMs: number;
  /** How long an answered call waits for a device that lost its connection. */
  graceMs: number;
  /** Most people in one call, those still ringing included. */
  meshLimit: number;
  /** Ring and grace deadlines: this node's, or shared by every node (Redis). */
  timers: CallTimers;
  /** Join codes of rooms, with their guess limits. */
  roomCodes: RoomCodes;
  /** Rooms an admin keeps, with their owner and code. */
  rooms: PersistentRooms;
  /** Unanswered calls per account and per pair. */
  limits: AccountLimits;
  log: Logger;
}

const AUDIO_ONLY: Media = { audio: true, video: false };

/**
 * After the shared state (Redis) lost its data, how long its unanswered
 * history rows stay open at least: every node reads them to tell its own
 * devices (endLostRinging), and each notices the loss within a heartbeat or
 * two of Redis being back.
 */
const LOST_STATE_SETTLE_MS = 10_000;
/** A ringing call is never older than the ring timeout, give or take the deadline sweep. */
const RING_TIMEOUT_SLACK_MS = 5000;


export class CallService {
  private restartSweep: NodeJS.Timeout | undefined;

  constructor(private readonly deps: CallServiceDeps) {
    deps.timers.start((timer) => this.due(timer));
  }

  /** Rings the callee's devices. `afterReply` runs once the caller has the call id. */
  async invite(from: DeviceSession, to: string, media: Media, afterReply: (fn: () => void) => void): Promise<string> {
    const { stores, users, history } = this.deps;
    if (to === from.username) throw new RequestError('self_call', 'You cannot call yourself');
    await this.deps.limits.call(from.username, to);
    // Independent reads, asked together: with shared stores one round trip instead of three.
    const [current, callee, devices] = await Promise.all([stores.calls.byUser(from.username), users.find(to), stores.sessions.byUser(to)]);
    if (current) throw new RequestError('in_call', 'You are already in a call');
    if (!callee || callee.disabled) throw new RequestError('not_found', `There is no user "${to}"`);
    const record = { callId: randomUUID(), caller: from.username, callee: to, media, startedAt: Date.now() };

    // One entry per device: a device reconnecting may briefly have two connections.
    const ringable = [...new Set(devices.filter((d) => d.status !== 'dnd').map((d) => d.device))];
    const refusal: [EndReason, string] | undefined =
      devices.length === 0
        ? ['offline', `${callee.displayName} is offline`]
        : ringable.length === 0
          ? ['dnd', `${callee.displayName} does not want to be disturbed`]
          : undefined;
    if (refusal) return this.refuse(record, ...refusal);

    const created = await stores.calls.create({
      id: record.callId,
      caller: from.username,
      callerDevice: from.device,
      callee: to,
      calleeDevice: null,
      ringing: ringable,
      media,
      state: 'ringing',
      startedAt: record.startedAt,
      answeredAt: null,
      away: [],
      room: null,
      code: null,
      participants: [],
      invitations: [],
    });
    if (!created.ok) {
      if (created.conflict === 'caller') throw new RequestError('in_call', 'You are already in a call');
      return this.refuse(record, 'busy', `${callee.displayName} is busy`);
    }
    // The deadline and the history row together (Redis and the database answer at the same time).
    const [deadline, row] = await Promise.allSettled([
      this.deps.timers.set({ kind: 'ring', callId: record.callId }, this.deps.ringTimeoutMs),
      history.started(record),
    ]);
    if (row.status === 'rejected') {
      // No history row, no call: the caller hears why (unavailable) and is not left "in a call".
      // (A deadline set meanwhile finds no call when it comes due.)
      await stores.calls.end(record.callId);
      throw row.reason;
    }
    if (deadline.status === 'rejected') throw deadline.reason;
    const incoming = { callId: record.callId, from: { username: from.username, displayName: from.displayName }, media, polite: true };
    for (const d of ringable) this.emitTo(d, 'call:incoming', incoming);
    afterReply(() => this.emitTo(from.device, 'call:ringing', { callId: record.callId }));
    this.deps.log.info({ callId: record.callId, caller: from.username, callee: to, devices: ringable.length }, 'call ringing');
    return record.callId;
  }

  /** Answers a call ringing on this device; for a group call, says who is in it already. */
  async accept(session: DeviceSession, callId: string): Promise<UserRef[] | undefined> {
    const existing = await this.deps.stores.calls.get(callId);
    if (existing?.state === 'active') return this.acceptInvitation(session, existing);
    const call = this.ringingOn(session, existing);
    const accepted = await this.deps.stores.calls.accept(callId, session.device, Date.now(), existing);
    if (!accepted) throw new RequestError('not_found', 'The call is no longer ringing');
    void this.deps.limits.answered(call.caller, call.callee);
    await Promise.all([
      this.deps.timers.clear({ kind: 'ring', callId }),
      // The history row, then the news (a device that hears it may read its history at once),
      // without waiting for the deadline: once answered, it would do nothing anyway.
      this.keepHistory(callId, () => this.deps.history.answered(callId, accepted.answeredAt ?? Date.now())).then(() => {
        this.emitTo(call.callerDevice, 'call:accepted', { callId, polite: false });
        for (const other of call.ringing) {
          if (other !== session.device) this.emitTo(other, 'call:ended', { callId, reason: 'answered-elsewhere' });
        }
      }),
    ]);
    await this.refresh(callMembers(call));
    this.deps.log.info({ callId }, 'call answered');
    return undefined;
  }

  async decline(session: DeviceSession, callId: string): Promise<void> {
    const existing = await this.deps.stores.calls.get(callId);
    if (existing?.state === 'active') {
      if (!existing.invitations.some((i) => i.username === session.username && i.devices.includes(session.device))) {
        throw new RequestError('not_in_call', 'This call is not ringing on this device');
      }
      return this.endInvitation(callId, session.username, 'declined', session.device);
    }
    this.ringingOn(session, existing);
    await this.end(callId, 'declined', session.device, undefined, existing);
  }

  /**
   * Add person: rings `to` into an answered call this device is in. Refused
   * like an invite (offline, dnd, busy, …), and `room_full` at the mesh limit.
   */
  async add(session: DeviceSession, callId: string, to: string): Promise<void> {
    const { stores, users, meshLimit } = this.deps;
    const call = await this.participating(session, callId);
    if (to === session.username) throw new RequestError('self_call', 'You are in this call already');
    await this.deps.limits.call(session.username, to);
    const callee = await users.find(to);
    if (!callee || callee.disabled) throw new RequestError('not_found', `There is no user "${to}"`);
    const devices = await stores.sessions.byUser(to);
    const ringable = [...new Set(devices.filter((d) => d.status !== 'dnd').map((d) => d.device))];
    if (devices.length === 0) throw new RequestError('offline', `${callee.displayName} is offline`);
    if (ringable.length === 0) throw new RequestError('dnd', `${callee.displayName} does not want to be disturbed`);
    const invitation = { username: to, devices: ringable, by: session.username, at: Date.now() };
    const res = await stores.calls.update(callId, membership.invite(invitation, session.device, meshLimit), call);
    if (!res.ok) {
      switch (res.refused) {
        case 'room_full':
          throw new RequestError('room_full', `This call already has ${meshLimit} people, the most one call can hold`);
        case 'already_in':
          throw new RequestError('busy', `${callee.displayName} is already in this call`);
        case 'busy':
          throw new RequestError('busy', `${callee.displayName} is busy`);
        case 'not_found':
          throw new RequestError('not_found', 'No such call');
        case 'not_in_call':
          throw new RequestError('not_in_call', call.state === 'active' ? 'You are not in this call' : 'Add people once the call is answered');
      }
    }
    await this.deps.timers.set({ kind: 'invite', callId, username: to }, this.deps.ringTimeoutMs);
    const refs = await users.refs(res.call.participants.map((p) => p.username));
    const from = { username: session.username, displayName: session.displayName };
    const incoming = {
      callId,
      from,
      media: res.call.media,
      polite: true,
      participants: res.call.participants.map((p) => refs.get(p.username) ?? { username: p.username, displayName: p.username }),
      ...(res.call.room !== null && { room: res.call.room }),
    };
    for (const d of ringable) this.emitTo(d, 'call:incoming', incoming);
    const user = { username: to, displayName: callee.displayName };
    for (const p of res.call.participants) this.emitTo(p.device, 'room:ringing', { callId, user, by: session.username });
    this.deps.log.info({ callId, by: session.username, invited: to, devices: ringable.length }, 'person added to a call');
  }

  /**
   * Opens the named room, or joins it. Whoever opens it sets its join code
   * (a kept room has its own: persistent-rooms.ts); the others must give the
   * same. The newcomer is polite toward everyone
   * already there (the answer lists them); each of them gets `room:joined`.
   */
  async joinRoom(
    session: DeviceSession,
    name: string,
    given: string | undefined,
    media: Media = AUDIO_ONLY,
  ): Promise<{ callId: string; room: string; participants: UserRef[] }> {
    const { stores, history, meshLimit, roomCodes } = this.deps;
    const [current, kept] = await Promise.all([stores.calls.byUser(session.username), this.deps.rooms.find(name)]);
    if (current) throw new RequestError('in_call', 'You are already in a call');
    // Each turn either opens or joins; one that lost a race with another opening or closing tries again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const now = Date.now();
      const me: Participant = { username: session.username, device: session.device, joinedAt: now };
      const open = await stores.calls.byRoom(name);
      // A kept room's code is its own; an unkept room's is the one its opener set.
      const code = kept ? (kept.hasCode ? kept.matches : null) : open?.code ? (given: string | undefined) => sameCode(open.code ?? '', given) : null;
      if (code) await roomCodes.check(session.username, name, code, given);
      if (!open) {
        const callId = randomUUID();
        const created = await stores.calls.create({
          id: callId,
          caller: session.username,
          callerDevice: session.device,
          callee: '',
          calleeDevice: null,
          ringing: [],
          media,
          state: 'active',
          startedAt: now,
          answeredAt: now,
          away: [],
          room: name,
          code: kept ? null : (given ?? null),
          participants: [me],
          invitations: [],
        });
        if (!created.ok && created.conflict === 'caller') throw new RequestError('in_call', 'You are already in a call');
        if (!created.ok) continue;
        await history.started({ callId, caller: session.username, callee: '', media, startedAt: now, room: name });
        await history.answered(callId, now);
        await history.joined(callId, [me]);
        await this.refresh([session.username]);
        this.deps.log.info({ callId, room: name, username: session.username, code: kept ? kept.hasCode : given !== undefined }, 'room opened');
        return { callId, room: name, participants: [] };
      }
      const res = await stores.calls.update(open.id, membership.join(me, meshLimit), open);
      if (res.ok) {
        await this.joined(res.call, session, now);
        const refs = await this.deps.users.refs(res.call.participants.map((p) => p.username));
        const others = res.call.participants.filter((p) => p.username !== session.username);
        return { callId: open.id, room: name, participants: others.map((p) => refs.get(p.username) ?? { username: p.username, displayName: p.username }) };
      }
      if (res.refused === 'room_full') {
        throw new RequestError('room_full', `Room "${name}" is full: ${meshLimit} people are in it, the most one call can hold`);
      }
      if (res.refused === 'busy' || res.refused === 'already_in') throw new RequestError('in_call', 'You are already in a call');
      // not_found, not_in_call: the room closed meanwhile; open it anew.
    }
    throw new RequestError('not_found', `Room "${name}" changed while you were joining: try again`);
  }

  async cancel(session: DeviceSession, callId: string): Promise<void> {
    const call = await this.participating(session, callId);
    if (call.callerDevice !== session.device || call.state !== 'ringing') {
      throw new RequestError('not_in_call', 'Only the caller can cancel a call that is still ringing');
    }
    await this.end(callId, 'cancelled', session.device, undefined, call);
  }

  /**
   * Hangs up an answered call; on a ringing call it cancels (caller) or
   * declines (callee). A hang-up of a call the server lost in a restart, sent
   * when the device is back, ends it too.
   */
  async hangup(session: DeviceSession, callId: string, failed = false): Promise<void> {
    const call = await this.deps.stores.calls.get(callId);
    if (!call) return this.hangupLost(session, callId);
    this.involved(session, call);
    if (call.state === 'active') {
      if (call.participants.some((p) => p.device === session.device)) return this.leave(call, session.device, failed ? 'failed' : 'hangup');
      return this.endInvitation(callId, session.username, 'declined', session.device);
    }
    await this.end(callId, call.callerDevice === session.device ? 'cancelled' : 'declined', session.device, undefined, call);
  }

  async signal(session: DeviceSession, payload: ClientPayload<'call:signal'>): Promise<void> {
    const { callId, description, candidate, to } = payload;
    const peer = await this.peerOf(session, callId, to);
    // A peer that is away misses this: its session layer starts over when it is back.
    this.emitTo(peer, 'call:signal', {
      callId,
      from: session.username,
      ...(description !== undefined && { description }),
      ...(candidate !== undefined && { candidate }),
    });
    this.deps.metrics.relayed.inc({ event: 'call:signal' });
  }

  /** Tells every other participant. */
  async mute(session: DeviceSession, callId: string, muted: boolean): Promise<void> {
    const call = await this.participant(session, callId);
    for (const p of call.participants) {
      if (p.device !== session.device) this.emitTo(p.device, 'call:muted', { callId, username: session.username, muted });
    }
    this.deps.metrics.relayed.inc({ event: 'call:mute' });
  }

  /** Chat happened in an answered call: its history row says so (the server never sees the chat itself). */
  async noteChat(session: DeviceSession, callId: string): Promise<void> {
    await this.participant(session, callId);
    await this.deps.history.noteChat(callId);
  }

  /**
   * A device's connection went away. Unless the device is connected again
   * already: its answered calls wait `graceMs` for it, its outgoing ringing
   * call is cancelled, and it stops ringing for incoming ones.
   */
  async disconnected(session: DeviceSession): Promise<void> {
    const { stores } = this.deps;
    if ((await stores.sessions.byUser(session.username)).some((s) => s.device === session.device)) return;
    for (const call of await stores.calls.byDevice(session.device)) {
      if (call.state === 'active' && call.participants.some((p) => p.device === session.device)) await this.awaitDevice(call, session.device);
      else if (call.state === 'active') await this.stopRingingInvitation(call.id, session.username, session.device);
      else if (call.callerDevice === session.device) await this.end(call.id, 'cancelled', session.device, undefined, call);
      else {
        const now = await stores.calls.stopRinging(call.id, session.device);
        if (now && now.state === 'ringing' && now.ringing.length === 0) await this.end(call.id, 'offline', session.device, undefined, now);
      }
    }
  }

  /**
   * A device announces the call it still has after its connection came back.
   * A call the server knows is picked up again; one it lost (restart) waits
   * for the peer's matching claim and must match its history row.
   */
  async resume(session: DeviceSession, callId: string): Promise<CallResumeReply> {
    const { stores, history } = this.deps;
    const call = await stores.calls.get(callId);
    if (call) {
      const index = call.participants.findIndex((p) => p.device === session.device);
      if (call.state !== 'active' || index < 0) throw new RequestError('not_in_call', 'This device is not in that call');
      await stores.calls.setAway(callId, session.device, false);
      await this.deps.timers.clear({ kind: 'away', callId, device: session.device });
      this.tellOthers(call, session.device, 'call:peer-connection', { callId, connected: true, username: session.username });
      this.deps.log.info({ callId, username: session.username }, 'call resumed');
      // Roles do not change: the later of each pair to join is polite (in a 1:1 call, the callee).
      return { state: 'active', polite: index > 0 };
    }
    const row = await history.find(callId);
    const role = row?.caller === session.username ? 'caller' : row?.callee === session.username ? 'callee' : null;
    if (!row || !role || row.answeredAt === null) throw new RequestError('not_found', 'No such call');
    if (row.endedAt !== null) return { state: 'ended', reason: row.outcome ?? 'failed' };
    // A group call is not rebuilt from claims (who was in it when the server went is not kept): it ends.
    if (row.group) return { state: 'ended', reason: 'failed' };
    const polite = role === 'callee';
    const other = await stores.calls.claim({ callId, role, device: session.device });
    if (!other) {
      this.deps.log.info({ callId, username: session.username }, 'call claimed after a restart: waiting for the peer');
      return { state: 'waiting', polite };
    }
    const [callerDevice, calleeDevice] = role === 'caller' ? [session.device, other.device] : [other.device, session.device];
    const restored = await stores.calls.restore({
      id: callId,
      caller: row.caller,
      callerDevice,
      callee: row.callee,
      calleeDevice,
      ringing: [],
      media: row.media,
      state: 'active',
      startedAt: row.startedAt,
      answeredAt: row.answeredAt,
      away: [],
      room: null,
      code: null,
      participants: [
        { username: row.caller, device: callerDevice, joinedAt: row.startedAt },
        { username: row.callee, device: calleeDevice, joinedAt: row.answeredAt },
      ],
      invitations: [],
    });
    if (!restored.ok) {
      // Either user started another call meanwhile: this one cannot come back.
      await this.recordLost(callId, 'failed', [other.device]);
      return { state: 'ended', reason: 'failed' };
    }
    this.emitTo(other.device, 'call:peer-connection', { callId, connected: true, username: session.username });
    await this.refresh([row.caller, row.callee]);
    this.deps.log.info({ callId }, 'call restored from both sides after a restart');
    return { state: 'active', polite };
  }

  /**
   * After a restart: calls the previous process left open end as `failed`,
   * the unanswered ones at once and the answered ones (which may resume) once
   * the grace period has passed without both sides claiming them.
   */
  async recoverAfterRestart(startedAt: number, sharedStateLost = false): Promise<void> {
    const unanswered: string[] = [];
    // After Redis lost its data the other nodes still read these rows (endLostRinging): the sweep closes them.
    for (const id of sharedStateLost ? [] : await this.deps.history.dangling(startedAt, 'unanswered')) {
      // With shared stores another node may be ringing it: only a call no store knows is left over.
      if (await this.deps.stores.calls.get(id)) continue;
      await this.deps.history.ended(id, 'failed', startedAt);
      unanswered.push(id);
    }
    if (unanswered.length > 0) this.deps.log.warn({ calls: unanswered.length }, 'closed unanswered calls left open by the previous run');
    clearTimeout(this.restartSweep);
    this.restartSweep = setTimeout(
      () => {
        this.sweepAfterRestart(startedAt).catch((err: unknown) => this.deps.log.error({ err }, 'the restart sweep failed'));
      },
      sharedStateLost ? Math.max(this.deps.graceMs, LOST_STATE_SETTLE_MS) : this.deps.graceMs,
    );
  }

  /**
   * The shared state (Redis) lost its data, and with it the calls that were
   * ringing: only their open, unanswered history rows are left, which name
   * the users but not the devices. Every device of both users connected to
   * this node hears `call:ended` (`failed`) before it is asked to reconnect;
   * every node does the same for its own devices.
   */
  async endLostRinging(at: number): Promise<void> {
    for (const row of await this.deps.history.unansweredOpen(at - this.deps.ringTimeoutMs - RING_TIMEOUT_SLACK_MS, at)) {
      // A call placed since Redis came back is still there, and rings on.
      if (await this.deps.stores.calls.get(row.callId)) continue;
      this.deps.io.local.to([userRoom(row.caller), userRoom(row.callee)]).emit('call:ended', { callId: row.callId, reason: 'failed' });
      this.deps.log.info({ callId: row.callId }, 'ringing call lost with the shared state');
    }
  }

  private async sweepAfterRestart(startedAt: number): Promise<void> {
    let closed = 0;
    for (const id of await this.deps.history.dangling(startedAt, 'all')) {
      if (await this.deps.stores.calls.get(id)) continue;
      const claim = await this.deps.stores.calls.dropClaim(id);
      await this.recordLost(id, 'failed', claim ? [claim.device] : []);
      closed++;
    }
    if (closed > 0) this.deps.log.warn({ calls: closed }, 'ended calls not resumed after the restart');
  }

  /**
   * Ends ringing calls and invitations (shutdown): every one, or with shared
   * stores only those that ring on or from `devices` (this node's); answered
   * calls stay resumable.
   */
  async endRinging(reason: EndReason, devices?: ReadonlySet<string>): Promise<void> {
    const { calls } = this.deps.stores;
    const found = devices ? (await Promise.all([...devices].map((d) => calls.byDevice(d)))).flat() : await calls.all();
    for (const call of new Map(found.map((c) => [c.id, c])).values()) {
      if (call.state === 'ringing') await this.end(call.id, reason, undefined, undefined, call);
      else {
        for (const i of call.invitations) {
          if (!devices || i.devices.some((d) => devices.has(d))) await this.endInvitation(call.id, i.username, reason);
        }
      }
    }
  }

  /**
   * The one teardown: idempotent, since racing ends (hang-up on both sides,
   * timeout during accept) resolve to whoever removes the call first.
   * `seen`: the call as this request read it (see CallStore.update).
   */
  async end(callId: string, reason: EndReason, except?: string, onlyIf?: (call: Call) => boolean, seen?: Call): Promise<void> {
    const call = await this.deps.stores.calls.end(callId, onlyIf, seen);
    if (!call) return;
    const { timers } = this.deps;
    // Each deadline of an ended call would do nothing: the news need not wait for them, only for the history row.
    await Promise.all([
      timers.clear({ kind: 'ring', callId }),
      ...call.away.map((device) => timers.clear({ kind: 'away', callId, device })),
      ...call.invitations.map((i) => timers.clear({ kind: 'invite', callId, username: i.username })),
      this.keepHistory(callId, () => this.deps.history.ended(callId, reason, Date.now())).then(() => {
        this.deps.metrics.callOutcomes.inc({ reason });
        // Someone still ringing into a call that ended was never in it: for them it was cancelled.
        const ringingInvitees = new Set(call.invitations.flatMap((i) => i.devices));
        for (const d of new Set(callDevices(call))) {
          if (d === except) continue;
          this.emitTo(d, 'call:ended', { callId, reason: ringingInvitees.has(d) && reason === 'hangup' ? 'cancelled' : reason });
        }
      }),
    ]);
    if (call.state === 'active') await this.refresh(callMembers(call));
    this.deps.log.info({ callId, reason }, 'call ended');
  }

  /**
   * A history write of a call that is already decided (answered, ended):
   * while the database is unreachable the call goes on without it, since
   * media is peer to peer and both sides must still hear the answer or the
   * end. The row stays open, and the next start records it as failed.
   */
  private async keepHistory(callId: string, write: () => Promise<void>): Promise<void> {
    try {
      await write();
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      this.deps.log.warn({ callId, err: (err as Error).message }, 'call history not recorded: the database is unreachable');
    }
  }

  dispose(): void {
    clearTimeout(this.restartSweep);
    this.deps.timers.dispose();
  }

  /**
   * A deadline came due, on whichever node: it applies only if the call is
   * still as it was when it was set (answered or resumed elsewhere: not).
   */
  private async due(timer: CallTimer): Promise<void> {
    switch (timer.kind) {
      case 'ring':
        return this.end(timer.callId, 'no-answer', undefined, (c) => c.state === 'ringing');
      case 'invite':
        return this.endInvitation(timer.callId, timer.username, 'no-answer');
      case 'away': {
        const call = await this.deps.stores.calls.get(timer.callId);
        if (!call?.away.includes(timer.device)) return;
        // Refused (the call ended or the device left meanwhile): nothing is left to do.
        return this.leave(call, timer.device, 'failed', true).catch((err: unknown) => {
          if (!(err instanceof RequestError)) throw err;
        });
      }
    }
  }

  private async awaitDevice(call: Call, device: string): Promise<void> {
    await this.deps.stores.calls.setAway(call.id, device, true);
    const username = call.participants.find((p) => p.device === device)?.username;
    this.tellOthers(call, device, 'call:peer-connection', { callId: call.id, connected: false, ...(username !== undefined && { username }) });
    await this.deps.timers.set({ kind: 'away', callId: call.id, device }, this.deps.graceMs);
    this.deps.log.info({ callId: call.id, device, graceMs: this.deps.graceMs }, 'call waiting for a device to reconnect');
  }

  /** A hang-up (or a failed restore) of a call only its history row still knows. */
  private async hangupLost(session: DeviceSession, callId: string): Promise<void> {
    const row = await this.deps.history.find(callId);
    if (!row || row.endedAt !== null || (row.caller !== session.username && row.callee !== session.username)) {
      throw new RequestError('not_found', 'No such call');
    }
    const claim = await this.deps.stores.calls.dropClaim(callId);
    await this.recordLost(callId, row.answeredAt === null ? 'failed' : 'hangup', claim && claim.device !== session.device ? [claim.device] : []);
  }

  private async recordLost(callId: string, reason: EndReason, tell: string[]): Promise<void> {
    await this.deps.history.ended(callId, reason, Date.now());
    this.deps.metrics.callOutcomes.inc({ reason });
    for (const d of tell) this.emitTo(d, 'call:ended', { callId, reason });
    this.deps.log.info({ callId, reason }, 'call ended');
  }

  /** Reaches whichever connection the device has now, on any node; nothing if it is away. */
  private emitTo<E extends keyof ServerToClientEvents>(device: string, event: E, payload: Parameters<ServerToClientEvents[E]>[0]): void {
    // Socket.IO's typed emit cannot take a generic event name.
    (this.deps.io.to(deviceRoom(device)).emit as (e: E, p: typeof payload) => boolean)(event, payload);
  }

  private tellOthers<E extends keyof ServerToClientEvents>(
    call: Call,
    device: string,
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
  ): void {
    for (const p of call.participants) if (p.device !== device) this.emitTo(p.device, event, payload);
  }

  private async refresh(usernames: string[]): Promise<void> {
    await Promise.all(usernames.map((u) => this.deps.presence.refresh(u)));
  }

  /** An invited device answered: it joins, and the others offer to it. */
  private async acceptInvitation(session: DeviceSession, call: Call): Promise<UserRef[]> {
    const now = Date.now();
    const me: Participant = { username: session.username, device: session.device, joinedAt: now };
    const res = await this.deps.stores.calls.update(call.id, membership.acceptInvitation(me), call);
    if (!res.ok) {
      const ringsHere = call.invitations.some((i) => i.username === session.username && i.devices.includes(session.device));
      throw ringsHere
        ? new RequestError('not_found', 'The call is no longer ringing')
        : new RequestError('not_in_call', 'This call is not ringing on this device');
    }
    await this.deps.timers.clear({ kind: 'invite', callId: call.id, username: session.username });
    const ringing = call.invitations.find((i) => i.username === session.username)?.devices ?? [];
    for (const d of ringing) if (d !== session.device) this.emitTo(d, 'call:ended', { callId: call.id, reason: 'answered-elsewhere' });
    await this.joined(res.call, session, now);
    const refs = await this.deps.users.refs(res.call.participants.map((p) => p.username));
    return res.call.participants
      .filter((p) => p.device !== session.device)
      .map((p) => refs.get(p.username) ?? { username: p.username, displayName: p.username });
  }

  /** Someone is in: history lists everyone in the group, the others offer to the newcomer. */
  private async joined(call: Call, session: DeviceSession, at: number): Promise<void> {
    await this.deps.history.joined(
      call.id,
      call.participants.map((p) => ({ username: p.username, joinedAt: p.device === session.device ? at : p.joinedAt })),
    );
    const user = { username: session.username, displayName: session.displayName };
    this.tellOthers(call, session.device, 'room:joined', { callId: call.id, user, polite: false });
    await this.refresh([session.username]);
    this.deps.log.info({ callId: call.id, username: session.username, participants: call.participants.length }, 'joined a group call');
  }

  /**
   * A participant's device leaves (hang-up, or it did not come back in time).
   * The others are told and keep their own connections; when this was the
   * last pair of a placed call, or the last one in a room, the call ends.
   * `whileAway`: only if the device is still away when the store decides
   * (it may have resumed on any node since its grace period ran out).
   */
  private async leave(call: Call, device: string, reason: 'hangup' | 'failed', whileAway = false): Promise<void> {
    const away = (c: Call) => !whileAway || c.away.includes(device);
    const leave = membership.leave(device);
    const change: CallChange<'not_in_call' | 'last' | 'back'> = (c) => (away(c) ? leave(c) : { refused: 'back' });
    const res = await this.deps.stores.calls.update(call.id, change, call);
    if (!res.ok) {
      if (res.refused === 'back') return;
      if (res.refused === 'last') return this.end(call.id, reason, device, away, call);
      if (res.refused === 'not_found') throw new RequestError('not_found', 'No such call');
      throw new RequestError('not_in_call', 'You are not in this call');
    }
    const gone = call.participants.find((p) => p.device === device);
    await this.deps.timers.clear({ kind: 'away', callId: call.id, device });
    if (!gone) return;
    await this.deps.history.left(call.id, gone.username, Date.now());
    for (const p of res.call.participants) this.emitTo(p.device, 'room:left', { callId: call.id, username: gone.username, reason });
    await this.refresh([gone.username]);
    this.deps.log.info({ callId: call.id, username: gone.username, reason, participants: res.call.participants.length }, 'left a group call');
  }

  /** An invitation into an answered call ends unanswered; `except` is the device whose request ended it. */
  private async endInvitation(callId: string, username: string, reason: EndReason, except?: string): Promise<void> {
    const before = await this.deps.stores.calls.get(callId);
    const invitation = before?.invitations.find((i) => i.username === username);
    const res = await this.deps.stores.calls.update(callId, membership.dropInvitation(username), before);
    if (!res.ok || !invitation) return;
    await this.deps.timers.clear({ kind: 'invite', callId, username });
    for (const d of invitation.devices) if (d !== except) this.emitTo(d, 'call:ended', { callId, reason });
    for (const p of res.call.participants) this.emitTo(p.device, 'room:left', { callId, username, reason });
    this.deps.log.info({ callId, invited: username, reason }, 'invitation ended');
  }

  /** An invited device went away while it rang; the invitation ends `offline` when it was the last. */
  private async stopRingingInvitation(callId: string, username: string, device: string): Promise<void> {
    const res = await this.deps.stores.calls.update(callId, membership.stopRingingInvitation(username, device));
    if (res.ok && !res.call.invitations.some((i) => i.username === username)) {
      await this.deps.timers.clear({ kind: 'invite', callId, username });
      for (const p of res.call.participants) this.emitTo(p.device, 'room:left', { callId, username, reason: 'offline' });
    }
  }

  private async refuse(record: Parameters<HistoryRepository['refused']>[0], reason: EndReason, message: string): Promise<never> {
    await this.deps.history.refused(record, reason);
    this.deps.metrics.callOutcomes.inc({ reason });
    throw new RequestError(reason === 'dnd' ? 'dnd' : reason === 'busy' ? 'busy' : 'offline', message);
  }

  private async participating(session: DeviceSession, callId: string): Promise<Call> {
    return this.involved(session, await this.deps.stores.calls.get(callId));
  }

  /** The call, if this device takes part in it or it rings there (checked on a call just read). */
  private involved(session: DeviceSession, call: Call | undefined): Call {
    if (!call) throw new RequestError('not_found', 'No such call');
    if (!callDevices(call).includes(session.device)) throw new RequestError('not_in_call', 'You are not in this call');
    return call;
  }

  private ringingOn(session: DeviceSession, found: Call | undefined): Call {
    const call = this.involved(session, found);
    if (call.state !== 'ringing' || !call.ringing.includes(session.device)) {
      throw new RequestError('not_in_call', 'This call is not ringing on this device');
    }
    return call;
  }

  /** An answered call this device is a participant of. */
  private async participant(session: DeviceSession, callId: string): Promise<Call> {
    const call = await this.participating(session, callId);
    if (call.state !== 'active' || !call.participants.some((p) => p.device === session.device)) {
      throw new RequestError('not_in_call', 'The call is not connected on this device');
    }
    return call;
  }

  /** The device of participant `to`, or of the one other participant when `to` is left out. */
  private async peerOf(session: DeviceSession, callId: string, to: string | undefined): Promise<string> {
    const call = await this.participant(session, callId);
    const others = call.participants.filter((p) => p.device !== session.device);
    if (to === undefined) {
      if (others.length === 1 && others[0]) return others[0].device;
      throw new RequestError('bad_request', 'call:signal: to: name the participant in a call of more than two');
    }
    const peer = others.find((p) => p.username === to);
    if (!peer) throw new RequestError('not_in_call', `${to} is not in this call`);
    return peer.device;
  }
}
