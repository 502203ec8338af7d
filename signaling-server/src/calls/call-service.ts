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
 * restart the participants claim the call and it is restored from their
 * claims (two at least, or a room's last one) and its history, so no single
 * client can invent a call.
 *
 * This class is the one entry point; the work is in ringing.ts (invite, Add
 * person), answering.ts (answer, decline, cancel, hang-up), rooms.ts,
 * relay.ts, resume.ts (lost connections), restore.ts (calls the stores
 * lost), restart.ts (restarts, shutdown) and teardown.ts (every ending).
 */
import type { CallResumeReply, ClientPayload, EndReason, FailureCause, Media, UserRef } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import type { Call, DeviceSession } from '../stores/types.js';
import * as answering from './answering.js';
import { participant } from './call-checks.js';
import type { AfterReply, CallServiceDeps } from './call-deps.js';
import type { CallTimer } from './call-timers.js';
import * as parking from './parking.js';
import * as relay from './relay.js';
import * as resuming from './resume.js';
import * as restart from './restart.js';
import * as ringing from './ringing.js';
import * as rooms from './rooms.js';
import * as teardown from './teardown.js';
import * as transferring from './transfer.js';
import { merge } from './merge.js';

export type { CallServiceDeps } from './call-deps.js';

const AUDIO_ONLY: Media = { audio: true, video: false };

export class CallService {
  private readonly recovery: restart.RestartRecovery;

  constructor(private readonly deps: CallServiceDeps) {
    this.recovery = new restart.RestartRecovery(deps);
    deps.timers.start((timer) => this.due(timer));
  }

  /** What call:invite reads first, started before the caller's session is confirmed; none for a call to oneself (refused). */
  inviteReads(caller: string, to: string): Promise<ringing.InviteReads> | undefined {
    return to === caller ? undefined : ringing.inviteReads(this.deps, caller, to);
  }

  /** call:invite; `afterReply` runs once the caller has the call id (ringing.ts); `hold`: the call held aside meanwhile (consult). */
  async invite(from: DeviceSession, to: string, media: Media, afterReply: AfterReply, early?: Promise<ringing.InviteReads>, hold?: string): Promise<ringing.Invited> {
    if (hold === undefined) return ringing.invite(this.deps, from, to, media, afterReply, early);
    // Refused before the held call's other side hears of a hold.
    if (to === from.username) throw new RequestError('self_call', 'You cannot call yourself');
    const held = await parking.parkFor(this.deps, from, hold);
    try {
      return await ringing.invite(this.deps, from, to, media, afterReply, undefined, held);
    } catch (err) {
      // Not placed: the held call is as it was, this user's and not on hold.
      await parking.giveBack(this.deps, from, held);
      throw err;
    }
  }

  /** call:transfer: blind, ringing `to` in (transfer.ts), or attended, with `consult` (merge.ts). */
  async transfer(session: DeviceSession, payload: ClientPayload<'call:transfer'>, afterReply: AfterReply): Promise<void> {
    const { callId, to, consult } = payload;
    if (consult !== undefined) return merge(this.deps, session, callId, consult, afterReply, true);
    if (to === undefined) throw new RequestError('bad_request', 'call:transfer needs exactly one of to and consult');
    return transferring.transfer(this.deps, session, { ...payload, to });
  }

  /** call:merge: the other side of `withId` joins `callId`, held aside for it (merge.ts). */
  merge(session: DeviceSession, callId: string, withId: string, afterReply: AfterReply): Promise<void> {
    return merge(this.deps, session, callId, withId, afterReply, false);
  }

  /** call:accept; for a group call, who is in it already; `hold`: the call held meanwhile (answering.ts). */
  accept(session: DeviceSession, callId: string, afterReply: AfterReply, hold?: string, read?: Promise<Call | undefined>): Promise<UserRef[] | undefined> {
    return answering.accept(this.deps, session, callId, afterReply, hold, read);
  }

  /** call:decline (answering.ts). */
  decline(session: DeviceSession, callId: string, busy = false): Promise<void> {
    return answering.decline(this.deps, session, callId, busy);
  }

  /** call:add, Add person (ringing.ts). */
  add(session: DeviceSession, callId: string, to: string): Promise<void> {
    return ringing.add(this.deps, session, callId, to);
  }

  /** room:join: opens the named room, or joins it; the others hear of it after `afterReply` (rooms.ts). */
  joinRoom(
    session: DeviceSession,
    name: string,
    given: string | undefined,
    afterReply: AfterReply,
    media: Media = AUDIO_ONLY,
  ): Promise<{ callId: string; room: string; participants: UserRef[] }> {
    return rooms.joinRoom(this.deps, session, name, given, media, afterReply);
  }

  /** call:cancel (answering.ts); with `to`, takes back an Add person of `to`. */
  cancel(session: DeviceSession, callId: string, to?: string): Promise<void> {
    return answering.cancel(this.deps, session, callId, to);
  }

  /** call:hangup; `failed`: the media path did not come back, with what was seen (answering.ts). */
  hangup(session: DeviceSession, callId: string, failed: { cause?: FailureCause } | false = false, read?: Promise<Call | undefined>): Promise<void> {
    return answering.hangup(this.deps, session, callId, failed, this.recovery.lostAt, read);
  }

  /**
   * The call a message acts on (accept, hang-up, signal, mute, hold), read
   * beside the dispatcher's check of the session (dispatch.ts, withEarlyReads):
   * with shared stores, one Redis round trip less before the answer.
   */
  callRead(callId: string): Promise<Call | undefined> {
    return this.deps.stores.calls.get(callId);
  }

  /** call:signal, to one other participant (relay.ts); `read`: from callRead. */
  signal(session: DeviceSession, payload: ClientPayload<'call:signal'>, read?: Promise<Call | undefined>): Promise<void> {
    return relay.signal(this.deps, session, payload, read);
  }

  /** call:mute (relay.ts); `read`: from callRead. */
  mute(session: DeviceSession, callId: string, muted: boolean, read?: Promise<Call | undefined>): Promise<void> {
    return relay.mute(this.deps, session, callId, muted, read);
  }

  /** The answered call this device takes part in, refused as call:signal is otherwise (the SFU's check, sfu/). */
  participantOf(session: DeviceSession, callId: string): Promise<Call> {
    return participant(this.deps, session, callId);
  }

  /** call:hold (relay.ts); `read`: from callRead. */
  hold(session: DeviceSession, callId: string, held: boolean, read?: Promise<Call | undefined>): Promise<void> {
    return relay.hold(this.deps, session, callId, held, read);
  }

  /** call:swap: the call held aside is this user's again, and the one they are in is held aside (parking.ts). */
  swap(session: DeviceSession, heldId: string): Promise<void> {
    return parking.swap(this.deps, session, heldId);
  }

  /** call:recording (relay.ts). */
  recording(session: DeviceSession, callId: string, on: boolean): Promise<void> {
    return relay.recording(this.deps, session, callId, on);
  }

  /** call:note (relay.ts). */
  noteChat(session: DeviceSession, callId: string): Promise<void> {
    return relay.noteChat(this.deps, session, callId);
  }

  /** A device's connection went away (resume.ts). */
  disconnected(session: DeviceSession): Promise<void> {
    return resuming.disconnected(this.deps, session);
  }

  /** call:resume, after the device's connection came back; `fresh`: without its peer connections (resume.ts, restore.ts). */
  resume(session: DeviceSession, callId: string, fresh = false): Promise<CallResumeReply> {
    return resuming.resume(this.deps, session, callId, this.recovery.lostAt, fresh);
  }

  /** After a restart, or after Redis lost its data: closes calls left open (restart.ts). */
  recoverAfterRestart(startedAt: number, sharedStateLost = false): Promise<void> {
    return this.recovery.recoverAfterRestart(startedAt, sharedStateLost);
  }

  /** Redis lost its data: this node's devices hear that their ringing calls are gone (restart.ts). */
  endLostRinging(at: number): Promise<void> {
    return this.recovery.endLostRinging(at);
  }

  /** Shutdown: ends ringing calls and invitations, every one or those of `devices` (restart.ts). */
  endRinging(reason: EndReason, devices?: ReadonlySet<string>): Promise<void> {
    return restart.endRinging(this.deps, reason, devices);
  }

  /** The one teardown of a call (teardown.ts). */
  end(callId: string, reason: EndReason, except?: string, onlyIf?: (call: Call) => boolean, seen?: Call): Promise<void> {
    return teardown.end(this.deps, callId, reason, except, onlyIf, seen);
  }

  dispose(): void {
    this.recovery.dispose();
    this.deps.timers.dispose();
  }

  /**
   * A deadline came due, on whichever node: it applies only if the call is
   * still as it was when it was set (answered or resumed elsewhere: not).
   */
  private async due(timer: CallTimer): Promise<void> {
    switch (timer.kind) {
      case 'ring':
        return teardown.end(this.deps, timer.callId, 'no-answer', undefined, (c) => c.state === 'ringing');
      case 'invite':
        return teardown.endInvitation(this.deps, timer.callId, timer.username, 'no-answer');
      case 'away': {
        const call = await this.deps.stores.calls.get(timer.callId);
        if (!call?.away.includes(timer.device)) return;
        // Its connection to the server did not come back in time: that is all the server saw (its media may still flow).
        // Refused (the call ended or the device left meanwhile): nothing is left to do.
        return teardown.leave(this.deps, call, timer.device, 'failed', true, 'signaling-lost').catch((err: unknown) => {
          if (!(err instanceof RequestError)) throw err;
        });
      }
    }
  }
}
