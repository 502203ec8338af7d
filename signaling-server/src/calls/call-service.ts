/**
 * Call routing: ringing every device of the callee, one answer wins, the
 * other devices stop ringing; one idempotent `end` per call that records the
 * outcome and tells every device still involved. Relay goes only between the
 * two devices of an answered call, stamped with the sender by the server.
 */
import { randomUUID } from 'node:crypto';
import type { UserRepository } from '../accounts/users.js';
import type { HistoryRepository } from '../history/history-repository.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ClientPayload, EndReason, Media } from '../protocol/index.js';
import type { PresenceService } from '../realtime/presence-service.js';
import { RequestError } from '../realtime/request-error.js';
import type { ParleyServer } from '../realtime/types.js';
import type { Call, DeviceSession, Stores } from '../stores/types.js';

export interface CallServiceDeps {
  io: ParleyServer;
  stores: Stores;
  users: UserRepository;
  history: HistoryRepository;
  presence: PresenceService;
  metrics: Metrics;
  ringTimeoutMs: number;
  log: Logger;
}

export class CallService {
  private readonly ringTimers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: CallServiceDeps) {}

  /** Rings the callee's devices. `afterReply` runs once the caller has the call id. */
  async invite(from: DeviceSession, to: string, media: Media, afterReply: (fn: () => void) => void): Promise<string> {
    const { stores, users, history, io } = this.deps;
    if (to === from.username) throw new RequestError('self_call', 'You cannot call yourself');
    if (await stores.calls.byUser(from.username)) throw new RequestError('in_call', 'You are already in a call');
    const callee = await users.find(to);
    if (!callee || callee.disabled) throw new RequestError('not_found', `There is no user "${to}"`);
    const record = { callId: randomUUID(), caller: from.username, callee: to, media, startedAt: Date.now() };

    const devices = await stores.sessions.byUser(to);
    const ringable = devices.filter((d) => d.status !== 'dnd');
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
      callerSession: from.sessionId,
      callee: to,
      calleeSession: null,
      ringing: ringable.map((d) => d.sessionId),
      media,
      state: 'ringing',
      startedAt: record.startedAt,
      answeredAt: null,
    });
    if (!created.ok) {
      if (created.conflict === 'caller') throw new RequestError('in_call', 'You are already in a call');
      return this.refuse(record, 'busy', `${callee.displayName} is busy`);
    }
    await history.started(record);
    this.ringTimers.set(
      record.callId,
      setTimeout(() => {
        this.end(record.callId, 'no-answer').catch((err: unknown) => {
          this.deps.log.error({ err, callId: record.callId }, 'ending an unanswered call failed');
        });
      }, this.deps.ringTimeoutMs),
    );
    const incoming = { callId: record.callId, from: { username: from.username, displayName: from.displayName }, media, polite: true };
    for (const d of ringable) io.to(d.sessionId).emit('call:incoming', incoming);
    afterReply(() => io.to(from.sessionId).emit('call:ringing', { callId: record.callId }));
    this.deps.log.info({ callId: record.callId, caller: from.username, callee: to, devices: ringable.length }, 'call ringing');
    return record.callId;
  }

  async accept(session: DeviceSession, callId: string): Promise<void> {
    const call = await this.ringingOn(session, callId);
    const accepted = await this.deps.stores.calls.accept(callId, session.sessionId, Date.now());
    if (!accepted) throw new RequestError('not_found', 'The call is no longer ringing');
    this.clearTimer(callId);
    await this.deps.history.answered(callId, accepted.answeredAt ?? Date.now());
    const { io } = this.deps;
    io.to(call.callerSession).emit('call:accepted', { callId, polite: false });
    for (const other of call.ringing) {
      if (other !== session.sessionId) io.to(other).emit('call:ended', { callId, reason: 'answered-elsewhere' });
    }
    await Promise.all([this.deps.presence.refresh(call.caller), this.deps.presence.refresh(call.callee)]);
    this.deps.log.info({ callId }, 'call answered');
  }

  async decline(session: DeviceSession, callId: string): Promise<void> {
    await this.ringingOn(session, callId);
    await this.end(callId, 'declined', session.sessionId);
  }

  async cancel(session: DeviceSession, callId: string): Promise<void> {
    const call = await this.participating(session, callId);
    if (call.callerSession !== session.sessionId || call.state !== 'ringing') {
      throw new RequestError('not_in_call', 'Only the caller can cancel a call that is still ringing');
    }
    await this.end(callId, 'cancelled', session.sessionId);
  }

  /** Hangs up an answered call; on a ringing call it cancels (caller) or declines (callee). */
  async hangup(session: DeviceSession, callId: string): Promise<void> {
    const call = await this.participating(session, callId);
    const reason: EndReason =
      call.state === 'active' ? 'hangup' : call.callerSession === session.sessionId ? 'cancelled' : 'declined';
    await this.end(callId, reason, session.sessionId);
  }

  async signal(session: DeviceSession, payload: ClientPayload<'call:signal'>): Promise<void> {
    const peer = await this.peerOf(session, payload.callId);
    const { callId, description, candidate } = payload;
    this.deps.io.to(peer).emit('call:signal', {
      callId,
      from: session.username,
      ...(description !== undefined && { description }),
      ...(candidate !== undefined && { candidate }),
    });
    this.deps.metrics.relayed.inc({ event: 'call:signal' });
  }

  async mute(session: DeviceSession, callId: string, muted: boolean): Promise<void> {
    const peer = await this.peerOf(session, callId);
    this.deps.io.to(peer).emit('call:muted', { callId, username: session.username, muted });
    this.deps.metrics.relayed.inc({ event: 'call:mute' });
  }

  /** A device went away: its calls end for the other side, or it stops ringing. */
  async disconnected(sessionId: string): Promise<void> {
    for (const call of await this.deps.stores.calls.bySession(sessionId)) {
      if (call.state === 'active') await this.end(call.id, 'failed', sessionId);
      else if (call.callerSession === sessionId) await this.end(call.id, 'cancelled', sessionId);
      else {
        const now = await this.deps.stores.calls.stopRinging(call.id, sessionId);
        if (now && now.state === 'ringing' && now.ringing.length === 0) await this.end(call.id, 'offline', sessionId);
      }
    }
  }

  /** Ends every call on this node (shutdown). */
  async endAll(reason: EndReason): Promise<void> {
    for (const call of await this.deps.stores.calls.all()) await this.end(call.id, reason);
  }

  /**
   * The one teardown: idempotent, since racing ends (hang-up on both sides,
   * timeout during accept) resolve to whoever removes the call first.
   */
  async end(callId: string, reason: EndReason, except?: string): Promise<void> {
    const call = await this.deps.stores.calls.end(callId);
    if (!call) return;
    this.clearTimer(callId);
    await this.deps.history.ended(callId, reason, Date.now());
    this.deps.metrics.callOutcomes.inc({ reason });
    const devices = new Set([call.callerSession, call.calleeSession, ...call.ringing]);
    for (const d of devices) if (d && d !== except) this.deps.io.to(d).emit('call:ended', { callId, reason });
    if (call.state === 'active') {
      await Promise.all([this.deps.presence.refresh(call.caller), this.deps.presence.refresh(call.callee)]);
    }
    this.deps.log.info({ callId, reason }, 'call ended');
  }

  dispose(): void {
    for (const t of this.ringTimers.values()) clearTimeout(t);
    this.ringTimers.clear();
  }

  private clearTimer(callId: string): void {
    clearTimeout(this.ringTimers.get(callId));
    this.ringTimers.delete(callId);
  }

  private async refuse(record: Parameters<HistoryRepository['refused']>[0], reason: EndReason, message: string): Promise<never> {
    await this.deps.history.refused(record, reason);
    this.deps.metrics.callOutcomes.inc({ reason });
    throw new RequestError(reason === 'dnd' ? 'dnd' : reason === 'busy' ? 'busy' : 'offline', message);
  }

  private async participating(session: DeviceSession, callId: string): Promise<Call> {
    const call = await this.deps.stores.calls.get(callId);
    if (!call) throw new RequestError('not_found', 'No such call');
    const involved =
      call.callerSession === session.sessionId ||
      call.calleeSession === session.sessionId ||
      call.ringing.includes(session.sessionId);
    if (!involved) throw new RequestError('not_in_call', 'You are not in this call');
    return call;
  }

  private async ringingOn(session: DeviceSession, callId: string): Promise<Call> {
    const call = await this.participating(session, callId);
    if (call.state !== 'ringing' || !call.ringing.includes(session.sessionId)) {
      throw new RequestError('not_in_call', 'This call is not ringing on this device');
    }
    return call;
  }

  /** The other device of an answered call this device takes part in. */
  private async peerOf(session: DeviceSession, callId: string): Promise<string> {
    const call = await this.participating(session, callId);
    const peer =
      call.callerSession === session.sessionId ? call.calleeSession : call.calleeSession === session.sessionId ? call.callerSession : null;
    if (call.state !== 'active' || !peer) throw new RequestError('not_in_call', 'The call is not connected on this device');
    return peer;
  }
}
