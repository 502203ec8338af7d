/**
 * Blind transfer (call:transfer with `to`): in an answered call of two, the
 * transferor rings a third person into the call as a transfer. The call
 * stays the one call it was, with its state in the call record (so on every
 * node, and through a node change): `Call.transfer` says who is rung in for
 * whom. When they answer, they come in and the transferor leaves in one
 * change of the call (membership.transferAnswered); when they do not, the
 * invitation ends as any does (teardown.invitationGone) and the call is back
 * with its transferor, or ends, as the transfer asked.
 *
 * The transferee needs nothing new of their client: they hear room:ringing,
 * room:joined and room:left, as in any group call. The target must have a
 * client that says it takes part in transfers (handshake `transfer`): only
 * such devices ring. Attended transfer (with `consult`) is a merge in which
 * the transferor leaves: merge.ts.
 */
import type { ClientPayload, UserRef } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import type { Call, CallChange, DeviceSession, Participant } from '../stores/types.js';
import type { AfterReply, CallServiceDeps } from './call-deps.js';
import { participant } from './call-checks.js';
import * as membership from './membership.js';
import { emitTo, participantRefs, refresh } from './notify.js';
import { holdable, returnHeld } from './parking.js';
import { inviteRefusal, reachable, ringInvited, type InviteRefused } from './ringing.js';
import { joined } from './rooms.js';

/** call:transfer with `to` (with `consult` it is merge.ts's). */
export async function transfer(deps: CallServiceDeps, session: DeviceSession, payload: ClientPayload<'call:transfer'> & { to: string }): Promise<void> {
  const { callId, to } = payload;
  // Whose call it is first: a refusal must never tell someone outside the call anything about it.
  const call = await participant(deps, session, callId);
  if (to === session.username) throw new RequestError('self_call', 'You cannot transfer a call to yourself');
  if (call.participants.some((p) => p.username === to)) throw new RequestError('already_in_call', `${to} is in this call already`);
  if (call.transfer) throw new RequestError('transfer_pending', 'This call is being transferred already');
  if (!holdable(call) || (call.parked ?? []).length > 0) throw new RequestError('bad_request', 'Only a call between two people, not held for another, can be transferred');
  await deps.limits.call(session.username, to);
  const { callee, ringable } = await reachable(deps, to);
  const capable = ringable.filter((d) => d.transfer === true).map((d) => d.device);
  if (capable.length === 0) throw new RequestError('transfer_unsupported', `${callee.displayName}'s app cannot take a transferred call`);
  const invitation = { username: to, devices: capable, by: session.username, at: Date.now() };
  const onFailure = payload.onFailure ?? 'return';
  const start: CallChange<InviteRefused> = (c) => {
    if (c.transfer) return { refused: 'transferring' };
    const invited = membership.invite(invitation, session.device, deps.callLimit)(c);
    return 'refused' in invited ? invited : { ...invited, transfer: { by: session.username, byDevice: session.device, to, onFailure } };
  };
  const res = await deps.stores.calls.update(callId, start, call);
  if (!res.ok) throw inviteRefusal(deps, res.refused, callee, call);
  const transferee = otherThan(res.call, session.device);
  const [from] = await participantRefs(deps, [transferee]);
  const by = { username: session.username, displayName: session.displayName };
  await ringInvited(deps, res.call, invitation, callee, { from: from ?? by, transferredBy: by, with: [transferee] });
  deps.log.info({ callId, by: session.username, to, onFailure }, 'call transfer ringing');
}

/**
 * The target of a blind transfer answered on `session`'s device: they take
 * the transferor's place. False when the call has no transfer to them (an
 * Add person is answered as usual).
 */
export async function answerTransfer(deps: CallServiceDeps, session: DeviceSession, call: Call, afterReply: AfterReply): Promise<UserRef[] | false> {
  const transfer = call.transfer;
  if (transfer?.to !== session.username) return false;
  const now = Date.now();
  const me: Participant = { username: session.username, device: session.device, joinedAt: now };
  const res = await deps.stores.calls.update(call.id, membership.transferAnswered(me), call);
  if (!res.ok) throw new RequestError('not_found', 'The call is no longer ringing');
  // Answered: the transfer's try at the unanswered-calls limits is given back, as an answered call's is.
  void deps.limits.answered(transfer.by, session.username);
  await deps.timers.clear({ kind: 'invite', callId: call.id, username: session.username });
  const ringing = call.invitations.find((i) => i.username === session.username)?.devices ?? [];
  for (const d of ringing) if (d !== session.device) emitTo(deps, d, 'call:ended', { callId: call.id, reason: 'answered-elsewhere' });
  const transferee = otherThan(res.call, session.device);
  await transferorLeft(deps, res.call, transfer.by, transfer.byDevice, { by: transfer.by, from: transferee.username, to: session.username });
  await joined(deps, res.call, session, now, afterReply);
  return participantRefs(deps, res.call.participants.filter((p) => p.device !== session.device));
}

/**
 * The transferor is out of the call they transferred (`call`, as it is
 * now): history says who went where, their device hears its part is over,
 * the others that they left.
 */
export async function transferorLeft(deps: CallServiceDeps, call: Call, by: string, byDevice: string, record: { by: string; from: string; to: string }): Promise<void> {
  await deps.timers.clear({ kind: 'away', callId: call.id, device: byDevice });
  // A call they held aside to answer this one is theirs again (parking.ts).
  await Promise.all([deps.history.left(call.id, by, Date.now()), deps.history.transferred(call.id, record), returnHeld(deps, call, [by])]);
  emitTo(deps, byDevice, 'call:ended', { callId: call.id, reason: 'hangup', transferred: true });
  const left = { callId: call.id, username: by, reason: 'hangup' as const, transfer: true as const };
  for (const p of call.participants) emitTo(deps, p.device, 'room:left', left);
  await refresh(deps, [by]);
  deps.log.info({ callId: call.id, ...record }, 'call transferred');
}

/** The one participant of a call of two who is not on `device`. */
function otherThan(call: Call, device: string): Participant {
  const other = call.participants.find((p) => p.device !== device);
  if (!other) throw new RequestError('not_found', 'The call ended meanwhile');
  return other;
}
