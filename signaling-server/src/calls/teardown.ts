/**
 * How calls and their parts end: the one teardown of a whole call, a
 * participant leaving a group call, an invitation ending unanswered, and the
 * end of a call only its history row still knows.
 */
import { isStoreUnavailable } from '../db/store-errors.js';
import type { CallMoved, EndReason, FailureCause } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import { callDevices, callMembers, type Call, type CallChange } from '../stores/types.js';
import type { CallServiceDeps } from './call-deps.js';
import * as membership from './membership.js';
import { emitTo, refresh } from './notify.js';
import { returnHeld } from './parking.js';

/**
 * The one teardown: idempotent, since racing ends (hang-up on both sides,
 * timeout during accept) resolve to whoever removes the call first.
 * `seen`: the call as this request read it (see CallStore.update).
 */
export async function end(
  deps: CallServiceDeps,
  callId: string,
  reason: EndReason,
  except?: string,
  onlyIf?: (call: Call) => boolean,
  seen?: Call,
  /** With `failed`: what made it fail. */
  cause?: FailureCause,
  /** Devices told more than the reason: moved into another call (merge.ts). */
  moved?: ReadonlyMap<string, CallMoved>,
): Promise<void> {
  const call = await deps.stores.calls.end(callId, onlyIf, seen);
  if (!call) return;
  const { timers } = deps;
  // Each deadline of an ended call would do nothing: the news need not wait for them, only for the history row.
  await Promise.all([
    timers.clear({ kind: 'ring', callId }),
    ...call.away.map((device) => timers.clear({ kind: 'away', callId, device })),
    ...call.invitations.map((i) => timers.clear({ kind: 'invite', callId, username: i.username })),
    keepHistory(deps, callId, () =>
      call.room === null ? deps.history.ended(callId, reason, Date.now(), cause) : deps.history.roomClosed(callId, reason, Date.now(), cause),
    ).then(() => {
      deps.metrics.callOutcomes.inc({ reason });
      // Someone still ringing into a call that ended was never in it: for them it was cancelled.
      const ringingInvitees = new Set(call.invitations.flatMap((i) => i.devices));
      for (const d of new Set(callDevices(call))) {
        if (d === except) continue;
        if (ringingInvitees.has(d) && reason === 'hangup') emitTo(deps, d, 'call:ended', { callId, reason: 'cancelled' });
        else emitTo(deps, d, 'call:ended', { callId, reason, ...(reason === 'failed' && cause && { cause }), ...(moved?.has(d) && { moved: moved.get(d) }) });
      }
    }),
  ]);
  // A consult that rang and ended gives its caller's held call back too.
  await returnHeld(deps, call, call.state === 'active' ? call.participants.map((p) => p.username) : [call.caller]);
  if (call.state === 'active') await refresh(deps, callMembers(call));
  if (call.room !== null) void deps.listing.announce(call.room);
  deps.log.info({ callId, reason, cause }, 'call ended');
}

/**
 * A history write of a call that is already decided (answered, ended):
 * while the database is unreachable the call goes on without it, since
 * media is peer to peer and both sides must still hear the answer or the
 * end. The row stays open, and the next start records it as failed.
 */
export async function keepHistory(deps: CallServiceDeps, callId: string, write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!isStoreUnavailable(err)) throw err;
    deps.log.warn({ callId, err: (err as Error).message }, 'call history not recorded: the database is unreachable');
  }
}

/**
 * A participant's device leaves (hang-up, or it did not come back in time).
 * The others are told and keep their own connections; when this was the
 * last pair of a placed call, or the last one in a room, the call ends.
 * `whileAway`: only if the device is still away when the store decides
 * (it may have resumed on any node since its grace period ran out).
 */
export async function leave(
  deps: CallServiceDeps,
  call: Call,
  device: string,
  reason: 'hangup' | 'failed',
  whileAway = false,
  cause?: FailureCause,
): Promise<void> {
  const away = (c: Call) => !whileAway || c.away.includes(device);
  const leaves = membership.leave(device);
  const change: CallChange<'not_in_call' | 'last' | 'back'> = (c) => (away(c) ? leaves(c) : { refused: 'back' });
  const res = await deps.stores.calls.update(call.id, change, call);
  if (!res.ok) {
    if (res.refused === 'back') return;
    if (res.refused === 'last') return end(deps, call.id, reason, device, away, call, cause);
    if (res.refused === 'not_found') throw new RequestError('not_found', 'No such call');
    throw new RequestError('not_in_call', 'You are not in this call');
  }
  const gone = call.participants.find((p) => p.device === device);
  await deps.timers.clear({ kind: 'away', callId: call.id, device });
  if (!gone) return;
  await Promise.all([deps.history.left(call.id, gone.username, Date.now()), returnHeld(deps, res.call, [gone.username])]);
  const left = { callId: call.id, username: gone.username, reason, ...(reason === 'failed' && cause && { cause }) };
  for (const p of res.call.participants) emitTo(deps, p.device, 'room:left', left);
  await refresh(deps, [gone.username]);
  if (call.room !== null) void deps.listing.announce(call.room);
  deps.log.info({ callId: call.id, username: gone.username, reason, participants: res.call.participants.length }, 'left a group call');
}

/** An invitation into an answered call ends unanswered; `except` is the device whose request ended it. */
export async function endInvitation(deps: CallServiceDeps, callId: string, username: string, reason: EndReason, except?: string): Promise<void> {
  const before = await deps.stores.calls.get(callId);
  const invitation = before?.invitations.find((i) => i.username === username);
  const res = await deps.stores.calls.update(callId, membership.dropInvitation(username), before);
  if (!res.ok || !invitation || !before) return;
  await deps.timers.clear({ kind: 'invite', callId, username });
  for (const d of invitation.devices) if (d !== except) emitTo(deps, d, 'call:ended', { callId, reason });
  await invitationGone(deps, before, res.call, username, reason);
}

/**
 * `username`'s invitation ended unanswered (`before`: the call as it was):
 * the participants hear it. When it was a transfer, the call is back with
 * its transferor, or ends if that is what they asked for on failure.
 */
export async function invitationGone(deps: CallServiceDeps, before: Call, after: Call, username: string, reason: EndReason): Promise<void> {
  const transfer = before.transfer?.to === username ? before.transfer : undefined;
  const left = { callId: after.id, username, reason, ...(transfer && { transfer: true as const }) };
  for (const p of after.participants) emitTo(deps, p.device, 'room:left', left);
  deps.log.info({ callId: after.id, invited: username, reason, transfer: transfer !== undefined }, 'invitation ended');
  if (transfer?.onFailure === 'end') await end(deps, after.id, 'hangup', undefined, (c) => c.transfer === undefined, after);
}

/** The end of a call the stores lost (restart): its history row is closed and `tell` hears it. */
export async function recordLost(deps: CallServiceDeps, callId: string, reason: EndReason, tell: string[]): Promise<void> {
  await deps.history.ended(callId, reason, Date.now());
  deps.metrics.callOutcomes.inc({ reason });
  for (const d of tell) emitTo(deps, d, 'call:ended', { callId, reason });
  deps.log.info({ callId, reason }, 'call ended');
}
