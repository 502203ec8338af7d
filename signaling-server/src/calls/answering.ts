/**
 * A rung device's answer and every hang-up: one answer wins and the other
 * devices stop ringing; decline, cancel and hang-up end the call, or only
 * this device's part in a group call. The endings themselves are in
 * teardown.ts.
 */
import type { FailureCause, UserRef } from '../protocol/index.js';
import { QUICK_CANCEL_MS } from '../realtime/account-limits.js';
import { RequestError } from '../realtime/request-error.js';
import { callMembers, type Call, type DeviceSession, type Holding, type Participant } from '../stores/types.js';
import type { AfterReply, CallServiceDeps } from './call-deps.js';
import { involved, participant, participating, ringingOn } from './call-checks.js';
import * as membership from './membership.js';
import * as parking from './parking.js';
import { emitTo, participantRefs, refresh } from './notify.js';
import { leaveLost } from './restore.js';
import { joined } from './rooms.js';
import { end, endInvitation, keepHistory, leave, recordLost } from './teardown.js';
import { answerTransfer } from './transfer.js';

/**
 * Answers a call ringing on this device; for a group call, says who is in it
 * already. `hold`: the answered call of two this device is in, held (and
 * parked, parking.ts) while this one goes on. `read`: the call, already being
 * read beside the dispatcher's session check (else read now).
 */
export async function accept(
  deps: CallServiceDeps,
  session: DeviceSession,
  callId: string,
  afterReply: AfterReply,
  hold?: string,
  read?: Promise<Call | undefined>,
): Promise<UserRef[] | undefined> {
  const existing = await (read ?? deps.stores.calls.get(callId));
  if (existing?.state === 'active') {
    // An Add person never rings someone in a call: only a call placed with call:invite waits.
    if (hold !== undefined) throw new RequestError('bad_request', 'hold: only a waiting call can be answered holding another');
    return acceptInvitation(deps, session, existing, afterReply);
  }
  const call = ringingOn(session, existing);
  if (hold === undefined) return answer(deps, session, call);
  if (hold === callId) throw new RequestError('bad_request', 'hold: a call cannot be held to answer itself');
  const held = await parking.parkFor(deps, session, hold);
  try {
    return await answer(deps, session, call, held);
  } catch (err) {
    // Not answered (it stopped ringing meanwhile): the held call is as it was, this user's and not on hold.
    await parking.giveBack(deps, session, held);
    throw err;
  }
}

/** `call`: ringing on this device, as just read. `held`: the call its user holds meanwhile. */
async function answer(deps: CallServiceDeps, session: DeviceSession, call: Call, held?: Holding): Promise<undefined> {
  const callId = call.id;
  const at = Date.now();
  const accepted = await deps.stores.calls.accept(callId, session.device, at, call, held);
  if (!accepted) throw new RequestError('not_found', 'The call is no longer ringing');
  void deps.limits.answered(call.caller, call.callee);
  await Promise.all([
    deps.timers.clear({ kind: 'ring', callId }),
    // The history row, then the news (a device that hears it may read its history at once),
    // without waiting for the deadline: once answered, it would do nothing anyway.
    keepHistory(deps, callId, () => deps.history.answered(callId, accepted.answeredAt ?? Date.now())).then(() => {
      emitTo(deps, call.callerDevice, 'call:accepted', { callId, polite: false });
      for (const other of call.ringing) {
        if (other !== session.device) emitTo(deps, other, 'call:ended', { callId, reason: 'answered-elsewhere' });
      }
    }),
  ]);
  // Both now show busy to their watchers, after the acknowledgement: the answering side's media waits on it, the watchers do not.
  // The call as answered: while it waited, its callee was not yet counted in it (they were in another call).
  void refresh(deps, callMembers(accepted)).catch((err: unknown) => deps.log.warn({ err, callId }, 'presence after an answer failed'));
  deps.log.info({ callId, ...(held && { holding: held.callId }) }, 'call answered');
  return undefined;
}

/** An invited device answered: it joins, and the others offer to it. */
async function acceptInvitation(deps: CallServiceDeps, session: DeviceSession, call: Call, afterReply: AfterReply): Promise<UserRef[]> {
  const transferred = await answerTransfer(deps, session, call, afterReply);
  if (transferred) return transferred;
  const now = Date.now();
  const me: Participant = { username: session.username, device: session.device, joinedAt: now };
  const res = await deps.stores.calls.update(call.id, membership.acceptInvitation(me, deps.sfuFrom), call);
  if (!res.ok) {
    const ringsHere = call.invitations.some((i) => i.username === session.username && i.devices.includes(session.device));
    throw ringsHere
      ? new RequestError('not_found', 'The call is no longer ringing')
      : new RequestError('not_in_call', 'This call is not ringing on this device');
  }
  await deps.timers.clear({ kind: 'invite', callId: call.id, username: session.username });
  const ringing = call.invitations.find((i) => i.username === session.username)?.devices ?? [];
  for (const d of ringing) if (d !== session.device) emitTo(deps, d, 'call:ended', { callId: call.id, reason: 'answered-elsewhere' });
  await joined(deps, res.call, session, now, afterReply);
  return participantRefs(deps, res.call.participants.filter((p) => p.device !== session.device));
}

/** `busy`: the callee is in another call and says so (the caller hears busy, not declined). */
export async function decline(deps: CallServiceDeps, session: DeviceSession, callId: string, busy = false): Promise<void> {
  const existing = await deps.stores.calls.get(callId);
  if (existing?.state === 'active') {
    if (!existing.invitations.some((i) => i.username === session.username && i.devices.includes(session.device))) {
      throw new RequestError('not_in_call', 'This call is not ringing on this device');
    }
    return endInvitation(deps, callId, session.username, 'declined', session.device);
  }
  ringingOn(session, existing);
  await end(deps, callId, busy ? 'busy' : 'declined', session.device, undefined, existing);
}

export async function cancel(deps: CallServiceDeps, session: DeviceSession, callId: string, to?: string): Promise<void> {
  if (to !== undefined) return cancelInvitation(deps, session, callId, to);
  const call = await participating(deps, session, callId);
  if (call.callerDevice !== session.device || call.state !== 'ringing') {
    throw new RequestError('not_in_call', 'Only the caller can cancel a call that is still ringing');
  }
  await callerCancels(deps, call, session);
}

/** The caller takes back its ringing call; one taken back within QUICK_CANCEL_MS costs half a try (account-limits.ts). */
async function callerCancels(deps: CallServiceDeps, call: Call, session: DeviceSession): Promise<void> {
  await end(deps, call.id, 'cancelled', session.device, undefined, call);
  if (Date.now() - call.startedAt < QUICK_CANCEL_MS) await deps.limits.cancelledQuickly(call.caller, call.callee);
}

/** Add person taken back: `to` stops ringing, and everyone in the call hears they will not join. */
async function cancelInvitation(deps: CallServiceDeps, session: DeviceSession, callId: string, to: string): Promise<void> {
  const call = await participant(deps, session, callId);
  if (!call.invitations.some((i) => i.username === to)) throw new RequestError('not_found', `${to} is not being called into this call`);
  await endInvitation(deps, callId, to, 'cancelled');
}

/**
 * Hangs up an answered call; on a ringing call it cancels (caller) or
 * declines (callee). A hang-up of a call the server lost in a restart, sent
 * when the device is back, ends it too.
 */
/** `failed`: this side gave up on the media path, having seen `failed.cause` if it says. `since`: when the stores last lost their calls. */
export async function hangup(
  deps: CallServiceDeps,
  session: DeviceSession,
  callId: string,
  failed: { cause?: FailureCause } | false,
  since: number,
  read?: Promise<Call | undefined>,
): Promise<void> {
  const call = await (read ?? deps.stores.calls.get(callId));
  if (!call) return hangupLost(deps, session, callId, since);
  involved(session, call);
  if (call.state === 'active') {
    if (call.participants.some((p) => p.device === session.device)) return leave(deps, call, session.device, failed ? 'failed' : 'hangup', false, failed ? failed.cause : undefined);
    return endInvitation(deps, callId, session.username, 'declined', session.device);
  }
  if (call.callerDevice === session.device) return callerCancels(deps, call, session);
  await end(deps, callId, 'declined', session.device, undefined, call);
}

/**
 * A hang-up (or a failed restore) of a call only history still knows: it
 * ends, or in a group call that goes on without them, only they leave.
 */
async function hangupLost(deps: CallServiceDeps, session: DeviceSession, callId: string, since: number): Promise<void> {
  const row = await deps.history.find(callId);
  const members = row && row.endedAt === null ? await deps.history.members(row) : [];
  if (!row || !members.some((m) => m.username === session.username && m.leftAt === null)) throw new RequestError('not_found', 'No such call');
  if (await leaveLost(deps, row, members, session.username, since)) return;
  const claim = await deps.stores.calls.dropClaim(callId);
  await recordLost(deps, callId, row.answeredAt === null ? 'failed' : 'hangup', claim && claim.device !== session.device ? [claim.device] : []);
}
