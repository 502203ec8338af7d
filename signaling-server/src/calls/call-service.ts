/**
 * Call routing: ringing every device of the callee, one answer wins, the
 * other devices stop ringing; one idempotent `end` per call that records the
 * outcome and tells every device still involved. Relay goes only between the
 * two devices of an answered call, stamped with the sender by the server.
 *
 * Calls are bound to devices (a room per device), not to connections, so an
 * answered call outlives a lost connection: the device is marked away for a
 * grace period and resumes the call from its next connection. After a server
 * restart both sides claim the call and it is restored from the two claims
 * and its history row, so no single client can invent a call.
 */
import { randomUUID } from 'node:crypto';
import type { UserRepository } from '../accounts/users.js';
import type { HistoryRepository } from '../history/history-repository.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CallResumeReply, ClientPayload, EndReason, Media, ServerToClientEvents } from '../protocol/index.js';
import type { PresenceService } from '../realtime/presence-service.js';
import { RequestError } from '../realtime/request-error.js';
import { deviceRoom, type ParleyServer } from '../realtime/types.js';
import { involves } from '../stores/call-rules.js';
import type { Call, DeviceSession, Stores } from '../stores/types.js';
import type { CallTimer, CallTimers } from './call-timers.js';

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
  /** Ring and grace deadlines: this node's, or shared by every node (Redis). */
  timers: CallTimers;
  log: Logger;
}

export class CallService {
  private restartSweep: NodeJS.Timeout | undefined;

  constructor(private readonly deps: CallServiceDeps) {
    deps.timers.start((timer) => this.due(timer));
  }

  /** Rings the callee's devices. `afterReply` runs once the caller has the call id. */
  async invite(from: DeviceSession, to: string, media: Media, afterReply: (fn: () => void) => void): Promise<string> {
    const { stores, users, history } = this.deps;
    if (to === from.username) throw new RequestError('self_call', 'You cannot call yourself');
    if (await stores.calls.byUser(from.username)) throw new RequestError('in_call', 'You are already in a call');
    const callee = await users.find(to);
    if (!callee || callee.disabled) throw new RequestError('not_found', `There is no user "${to}"`);
    const record = { callId: randomUUID(), caller: from.username, callee: to, media, startedAt: Date.now() };

    const devices = await stores.sessions.byUser(to);
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
    });
    if (!created.ok) {
      if (created.conflict === 'caller') throw new RequestError('in_call', 'You are already in a call');
      return this.refuse(record, 'busy', `${callee.displayName} is busy`);
    }
    await history.started(record);
    await this.deps.timers.set({ kind: 'ring', callId: record.callId }, this.deps.ringTimeoutMs);
    const incoming = { callId: record.callId, from: { username: from.username, displayName: from.displayName }, media, polite: true };
    for (const d of ringable) this.emitTo(d, 'call:incoming', incoming);
    afterReply(() => this.emitTo(from.device, 'call:ringing', { callId: record.callId }));
    this.deps.log.info({ callId: record.callId, caller: from.username, callee: to, devices: ringable.length }, 'call ringing');
    return record.callId;
  }

  async accept(session: DeviceSession, callId: string): Promise<void> {
    const call = await this.ringingOn(session, callId);
    const accepted = await this.deps.stores.calls.accept(callId, session.device, Date.now());
    if (!accepted) throw new RequestError('not_found', 'The call is no longer ringing');
    await this.deps.timers.clear({ kind: 'ring', callId });
    await this.deps.history.answered(callId, accepted.answeredAt ?? Date.now());
    this.emitTo(call.callerDevice, 'call:accepted', { callId, polite: false });
    for (const other of call.ringing) {
      if (other !== session.device) this.emitTo(other, 'call:ended', { callId, reason: 'answered-elsewhere' });
    }
    await this.refreshBoth(call);
    this.deps.log.info({ callId }, 'call answered');
  }

  async decline(session: DeviceSession, callId: string): Promise<void> {
    await this.ringingOn(session, callId);
    await this.end(callId, 'declined', session.device);
  }

  async cancel(session: DeviceSession, callId: string): Promise<void> {
    const call = await this.participating(session, callId);
    if (call.callerDevice !== session.device || call.state !== 'ringing') {
      throw new RequestError('not_in_call', 'Only the caller can cancel a call that is still ringing');
    }
    await this.end(callId, 'cancelled', session.device);
  }

  /**
   * Hangs up an answered call; on a ringing call it cancels (caller) or
   * declines (callee). A hang-up of a call the server lost in a restart, sent
   * when the device is back, ends it too.
   */
  async hangup(session: DeviceSession, callId: string, failed = false): Promise<void> {
    const call = await this.deps.stores.calls.get(callId);
    if (!call) return this.hangupLost(session, callId);
    await this.participating(session, callId);
    const reason: EndReason =
      call.state === 'active' ? (failed ? 'failed' : 'hangup') : call.callerDevice === session.device ? 'cancelled' : 'declined';
    await this.end(callId, reason, session.device);
  }

  async signal(session: DeviceSession, payload: ClientPayload<'call:signal'>): Promise<void> {
    const peer = await this.peerOf(session, payload.callId);
    const { callId, description, candidate } = payload;
    // A peer that is away misses this: its session layer starts over when it is back.
    this.emitTo(peer, 'call:signal', {
      callId,
      from: session.username,
      ...(description !== undefined && { description }),
      ...(candidate !== undefined && { candidate }),
    });
    this.deps.metrics.relayed.inc({ event: 'call:signal' });
  }

  async mute(session: DeviceSession, callId: string, muted: boolean): Promise<void> {
    const peer = await this.peerOf(session, callId);
    this.emitTo(peer, 'call:muted', { callId, username: session.username, muted });
    this.deps.metrics.relayed.inc({ event: 'call:mute' });
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
      if (call.state === 'active') await this.awaitDevice(call, session.device);
      else if (call.callerDevice === session.device) await this.end(call.id, 'cancelled', session.device);
      else {
        const now = await stores.calls.stopRinging(call.id, session.device);
        if (now && now.state === 'ringing' && now.ringing.length === 0) await this.end(call.id, 'offline', session.device);
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
      const role = call.callerDevice === session.device ? 'caller' : call.calleeDevice === session.device ? 'callee' : null;
      if (call.state !== 'active' || !role) throw new RequestError('not_in_call', 'This device is not in that call');
      await stores.calls.setAway(callId, session.device, false);
      await this.deps.timers.clear({ kind: 'away', callId, device: session.device });
      this.emitTo(this.otherDevice(call, session.device), 'call:peer-connection', { callId, connected: true });
      this.deps.log.info({ callId, username: session.username }, 'call resumed');
      return { state: 'active', polite: role === 'callee' };
    }
    const row = await history.find(callId);
    const role = row?.caller === session.username ? 'caller' : row?.callee === session.username ? 'callee' : null;
    if (!row || !role || row.answeredAt === null) throw new RequestError('not_found', 'No such call');
    if (row.endedAt !== null) return { state: 'ended', reason: row.outcome ?? 'failed' };
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
    });
    if (!restored.ok) {
      // Either user started another call meanwhile: this one cannot come back.
      await this.recordLost(callId, 'failed', [other.device]);
      return { state: 'ended', reason: 'failed' };
    }
    this.emitTo(other.device, 'call:peer-connection', { callId, connected: true });
    await Promise.all([this.deps.presence.refresh(row.caller), this.deps.presence.refresh(row.callee)]);
    this.deps.log.info({ callId }, 'call restored from both sides after a restart');
    return { state: 'active', polite };
  }

  /**
   * After a restart: calls the previous process left open end as `failed`,
   * the unanswered ones at once and the answered ones (which may resume) once
   * the grace period has passed without both sides claiming them.
   */
  async recoverAfterRestart(startedAt: number): Promise<void> {
    const unanswered: string[] = [];
    for (const id of await this.deps.history.dangling(startedAt, 'unanswered')) {
      // With shared stores another node may be ringing it: only a call no store knows is left over.
      if (await this.deps.stores.calls.get(id)) continue;
      await this.deps.history.ended(id, 'failed', startedAt);
      unanswered.push(id);
    }
    if (unanswered.length > 0) this.deps.log.warn({ calls: unanswered.length }, 'closed unanswered calls left open by the previous run');
    clearTimeout(this.restartSweep);
    this.restartSweep = setTimeout(() => {
      this.sweepAfterRestart(startedAt).catch((err: unknown) => this.deps.log.error({ err }, 'the restart sweep failed'));
    }, this.deps.graceMs);
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
   * Ends ringing calls (shutdown): every one, or with shared stores only
   * those of `devices` (this node's); answered calls stay resumable.
   */
  async endRinging(reason: EndReason, devices?: Iterable<string>): Promise<void> {
    const calls = devices ? (await Promise.all([...devices].map((d) => this.deps.stores.calls.byDevice(d)))).flat() : await this.deps.stores.calls.all();
    for (const call of calls) if (call.state === 'ringing') await this.end(call.id, reason);
  }

  /**
   * The one teardown: idempotent, since racing ends (hang-up on both sides,
   * timeout during accept) resolve to whoever removes the call first.
   */
  async end(callId: string, reason: EndReason, except?: string, onlyIf?: (call: Call) => boolean): Promise<void> {
    const call = await this.deps.stores.calls.end(callId, onlyIf);
    if (!call) return;
    const { timers } = this.deps;
    await Promise.all([timers.clear({ kind: 'ring', callId }), ...call.away.map((device) => timers.clear({ kind: 'away', callId, device }))]);
    await this.deps.history.ended(callId, reason, Date.now());
    this.deps.metrics.callOutcomes.inc({ reason });
    const devices = new Set([call.callerDevice, call.calleeDevice, ...call.ringing]);
    for (const d of devices) if (d && d !== except) this.emitTo(d, 'call:ended', { callId, reason });
    if (call.state === 'active') await this.refreshBoth(call);
    this.deps.log.info({ callId, reason }, 'call ended');
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
    if (timer.kind === 'ring') return this.end(timer.callId, 'no-answer', undefined, (c) => c.state === 'ringing');
    const { callId, device } = timer;
    await this.end(callId, 'failed', device, (c) => c.state === 'active' && c.away.includes(device));
  }

  private async awaitDevice(call: Call, device: string): Promise<void> {
    await this.deps.stores.calls.setAway(call.id, device, true);
    this.emitTo(this.otherDevice(call, device), 'call:peer-connection', { callId: call.id, connected: false });
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

  private otherDevice(call: Call, device: string): string {
    return (call.callerDevice === device ? call.calleeDevice : call.callerDevice) ?? '';
  }

  private async refreshBoth(call: Call): Promise<void> {
    await Promise.all([this.deps.presence.refresh(call.caller), this.deps.presence.refresh(call.callee)]);
  }

  private async refuse(record: Parameters<HistoryRepository['refused']>[0], reason: EndReason, message: string): Promise<never> {
    await this.deps.history.refused(record, reason);
    this.deps.metrics.callOutcomes.inc({ reason });
    throw new RequestError(reason === 'dnd' ? 'dnd' : reason === 'busy' ? 'busy' : 'offline', message);
  }

  private async participating(session: DeviceSession, callId: string): Promise<Call> {
    const call = await this.deps.stores.calls.get(callId);
    if (!call) throw new RequestError('not_found', 'No such call');
    if (!involves(call, session.device)) throw new RequestError('not_in_call', 'You are not in this call');
    return call;
  }

  private async ringingOn(session: DeviceSession, callId: string): Promise<Call> {
    const call = await this.participating(session, callId);
    if (call.state !== 'ringing' || !call.ringing.includes(session.device)) {
      throw new RequestError('not_in_call', 'This call is not ringing on this device');
    }
    return call;
  }

  /** The other device of an answered call this device takes part in. */
  private async peerOf(session: DeviceSession, callId: string): Promise<string> {
    const call = await this.participating(session, callId);
    const peer =
      call.callerDevice === session.device ? call.calleeDevice : call.calleeDevice === session.device ? call.callerDevice : null;
    if (call.state !== 'active' || !peer) throw new RequestError('not_in_call', 'The call is not connected on this device');
    return peer;
  }
}
