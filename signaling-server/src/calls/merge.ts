/**
 * Merge (call:merge) and attended transfer (call:transfer with `consult`):
 * a user holds a call aside (`held`, parking.ts) for a call of two they
 * placed or answered meanwhile (`current`, the consult). The other side of
 * `current` comes into `held`, `current` ends, and its user has `held` back,
 * off hold (merge), or leaves it (transfer). The one who moves is a newcomer
 * in `held`: everyone there hears room:joined and offers to them, as to
 * anyone joining a group call, and a call that grows to PARLEY_SFU_FROM
 * moves to the SFU (membership.moveIn). The mover's device hears where its
 * call went (call:ended `moved`) before anyone offers to it.
 *
 * No call is ever left half-moved: `current` is first held aside for both
 * its people (nobody's call for the one-call rule, in one change), then the
 * mover comes into `held` (one change); if that is refused, `current` is
 * put back as it was and nothing else changed. Only then does `current` end.
 */
import { RequestError } from '../realtime/request-error.js';
import type { Call, CallChange, DeviceSession, Participant } from '../stores/types.js';
import type { AfterReply, CallServiceDeps } from './call-deps.js';
import * as membership from './membership.js';
import { participantRefs } from './notify.js';
import { heldAside } from './parking.js';
import { joined } from './rooms.js';
import { end } from './teardown.js';
import { transferorLeft } from './transfer.js';

/** `leaves`: an attended transfer (the user leaves `heldId`); else a merge. */
export async function merge(deps: CallServiceDeps, session: DeviceSession, heldId: string, withId: string, afterReply: AfterReply, leaves: boolean): Promise<void> {
  const what = leaves ? 'transferred to the call that holds it' : 'merged with the call that holds it';
  const { held, current } = await heldAside(deps, session, heldId, what);
  if (current.id !== withId) throw new RequestError('bad_request', `The call ${leaves ? 'consulted' : 'to merge'} is not the one that holds this one aside`);
  if (held.transfer || current.transfer) throw new RequestError('transfer_pending', 'One of these calls is being transferred already');
  const mover = movingFrom(current, session.device);
  // A call they hold aside could never be theirs again once they are in another (parking.ts): they take it back first.
  if (current.holding?.some((h) => h.username === mover.username)) throw new RequestError('bad_request', `${mover.username} holds another call aside: they must end it first`);
  if (held.participants.some((p) => p.username === mover.username)) throw new RequestError('already_in_call', `${mover.username} is in that call already`);
  const moverSession = (await deps.stores.sessions.byUser(mover.username)).find((s) => s.device === mover.device);
  if (moverSession?.transfer !== true) throw new RequestError('transfer_unsupported', `${mover.username}'s app cannot be moved into another call`);

  const released = await deps.stores.calls.update(current.id, releaseAll(session.device), current);
  if (!released.ok) throw new RequestError('not_found', 'The call going on ended meanwhile');
  const now = Date.now();
  const me: Participant = { username: mover.username, device: mover.device, joinedAt: now };
  const res = await deps.stores.calls.update(heldId, membership.moveIn(me, session.username, session.device, leaves, deps.callLimit, deps.sfuFrom), held);
  if (!res.ok) {
    await deps.stores.calls.update(current.id, restoreParked(current));
    throw refusal(deps, res.refused);
  }
  const others = await participantRefs(deps, res.call.participants.filter((p) => p.device !== mover.device));
  await end(deps, current.id, 'hangup', session.device, undefined, released.call, undefined, new Map([[mover.device, { callId: heldId, participants: others }]]));
  if (leaves) {
    const transferee = res.call.participants.find((p) => p.device !== mover.device);
    if (transferee) await transferorLeft(deps, res.call, session.username, session.device, { by: session.username, from: transferee.username, to: mover.username });
  }
  await joined(deps, res.call, moverSession, now, afterReply);
  deps.log.info({ callId: heldId, from: current.id, moved: mover.username, leaves }, leaves ? 'attended transfer' : 'calls merged');
}

/** The one other participant of the call going on, who moves; only a call of two, nobody being rung in, can be merged. */
function movingFrom(current: Call, device: string): Participant {
  const others = current.participants.filter((p) => p.device !== device);
  const [mover] = others;
  if (!mover || others.length !== 1 || current.invitations.length > 0 || current.room !== null) {
    throw new RequestError('bad_request', 'Only a call between two people can be merged into another or transferred');
  }
  return mover;
}

/** The call going on is nobody's (held aside for all its people): they may come into the held call. Refused if it changed. */
function releaseAll(device: string): CallChange<'not_in_call'> {
  return (call) => {
    if (call.state !== 'active' || !call.participants.some((p) => p.device === device) || call.participants.length !== 2) return { refused: 'not_in_call' };
    return { ...call, parked: call.participants.map((p) => p.username) };
  };
}

/** Undoes releaseAll: whoever held it aside before still does. */
function restoreParked(before: Call): CallChange<never> {
  return (call) => {
    const next: Call = { ...call, ...(before.parked && { parked: before.parked }) };
    if (!before.parked) delete next.parked;
    return next;
  };
}

function refusal(deps: CallServiceDeps, refused: 'not_in_call' | 'not_parked' | 'already_in' | 'room_full' | 'transferring' | 'not_found' | 'busy'): RequestError {
  switch (refused) {
    case 'room_full':
      return new RequestError('room_full', `The call would have more than ${deps.callLimit} people, the most one call can hold`);
    case 'already_in':
      return new RequestError('already_in_call', 'They are in that call already');
    case 'transferring':
      return new RequestError('transfer_pending', 'That call is being transferred already');
    case 'busy':
      return new RequestError('busy', 'Someone in these calls is in another call now');
    case 'not_in_call':
    case 'not_parked':
    case 'not_found':
      return new RequestError('not_found', 'The held call ended or changed meanwhile');
  }
}
