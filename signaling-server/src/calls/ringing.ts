/**
 * Ringing people: a call placed to every device of the callee (call:invite),
 * and someone added to an answered call (Add person). Both are refused alike
 * when nobody can be rung (offline, dnd, busy, …).
 */
import { randomUUID } from 'node:crypto';
import type { HistoryRepository } from '../history/history-repository.js';
import type { EndReason, Media, UserRef } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import { deviceRoom } from '../realtime/types.js';
import type { User } from '../accounts/users.js';
import type { Call, DeviceSession, Holding, Invitation, Participant } from '../stores/types.js';
import type { AfterReply, CallServiceDeps } from './call-deps.js';
import { participating } from './call-checks.js';
import { connectsEarly } from './early-path.js';
import * as membership from './membership.js';
import { emitTo, participantRefs } from './notify.js';

/**
 * What placing a call reads first, all at once: the caller's call budget
 * (the one write: an attempt counts), the caller's and the callee's calls,
 * the callee's account and devices. It needs only who calls whom, so the
 * dispatcher starts it beside its check of the caller's session (dispatch.ts:
 * one store round trip less before the ring with shared stores).
 */
export interface InviteReads {
  limited: Error | null;
  current: Call | undefined;
  callee: User | undefined;
  devices: DeviceSession[];
  calleeCall: Call | undefined;
}

export async function inviteReads(deps: CallServiceDeps, caller: string, to: string): Promise<InviteReads> {
  const { stores, users } = deps;
  const [limited, current, callee, devices, calleeCall] = await Promise.all([
    deps.limits.call(caller, to).then(
      () => null,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    ),
    stores.calls.byUser(caller),
    users.find(to),
    stores.sessions.byUser(to),
    stores.calls.byUser(to),
  ]);
  return { limited, current, callee, devices, calleeCall };
}

/** A call placed: its id, and whether it connects while it rings (early-path.ts). */
export interface Invited {
  callId: string;
  early: boolean;
}

/** Rings the callee's devices. `afterReply` runs once the caller has the call id; `early`: its reads, started by the dispatcher (else made here); `holding`: the caller's call held aside for it. */
export async function invite(
  deps: CallServiceDeps,
  from: DeviceSession,
  to: string,
  media: Media,
  afterReply: AfterReply,
  early?: Promise<InviteReads>,
  holding?: Holding,
): Promise<Invited> {
  const { stores, history } = deps;
  if (to === from.username) throw new RequestError('self_call', 'You cannot call yourself');
  const { limited, current, callee, devices, calleeCall } = await (early ?? inviteReads(deps, from.username, to));
  const record = { callId: randomUUID(), caller: from.username, callee: to, media, startedAt: Date.now() };
  if (limited !== null) {
    // The caller's history says the call was not placed (repeats merge into one row: HistoryRepository.refused).
    if (limited instanceof RequestError && limited.code === 'rate_limited' && callee && !callee.disabled) await history.refused(record, 'limited');
    throw limited;
  }
  if (current) throw new RequestError('in_call', 'You are already in a call');
  if (!callee || callee.disabled) throw new RequestError('not_found', `There is no user "${to}"`);

  const ringable = ringableDevices(devices);
  const refusal: [EndReason, string] | undefined =
    devices.length === 0
      ? ['offline', `${callee.displayName} is offline`]
      : ringable.length === 0
        ? ['dnd', `${callee.displayName} does not want to be disturbed`]
        : undefined;
  if (refusal) return refuse(deps, record, ...refusal);

  const ring = { kind: 'ring' as const, callId: record.callId };
  // The deadline is set beside the call, not after it (one round trip less before the ring): a deadline
  // without its call (refused below, or never made) finds nothing to end when it comes due.
  const call: Call = {
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
    // In an answered call, the callee's devices ring softly (call waiting): they choose, not the server.
    ...(calleeCall?.state === 'active' && { waiting: true }),
    // Consult: placed holding the caller's call, which is theirs again once this one is over (parking.ts).
    ...(holding && { holding: [holding] }),
  };
  const connects = connectsEarly(call);
  const incoming = { callId: record.callId, from: { username: from.username, displayName: from.displayName }, media, polite: true, ...(connects && { early: true as const }) };
  // With several nodes the creation itself publishes call:incoming, and only if it makes the call: the ring reaches
  // the callee's node without waiting for the creation's answer to come back here, and never rings a refused call.
  const encode = deps.encodeBroadcast;
  const publish = encode && ringable.map((d) => encode(deviceRoom(d), 'call:incoming', incoming));
  // The deadline and the history row are written beside the call: the ring waits for neither, the caller's answer
  // for the slowest of the three. What was written for a call that was not made is undone.
  const creating = stores.calls.create(call, publish);
  const written = Promise.allSettled([deps.timers.set(ring, deps.ringTimeoutMs), history.started(record)]);
  const [made] = await Promise.allSettled([creating]);
  const created = made.status === 'fulfilled' ? made.value : undefined;
  if (created?.ok) for (const d of ringable) (publish ? deps.io.local : deps.io).to(deviceRoom(d)).emit('call:incoming', incoming);
  const [deadline, row] = await written;
  const dropDeadline = () => void deps.timers.clear(ring).catch(() => undefined);
  const dropRow = () => (row.status === 'fulfilled' ? history.discard(record.callId) : Promise.resolve());
  if (!created?.ok) {
    // A creation whose answer was lost may have made the call: its deadline stays, to end it if so.
    if (made.status === 'rejected') {
      await dropRow();
      throw made.reason;
    }
    dropDeadline();
    await dropRow();
    if (created?.conflict === 'caller') throw new RequestError('in_call', 'You are already in a call');
    return refuse(deps, record, 'busy', `${callee.displayName} is busy`);
  }
  // No deadline, no call: it would ring on with nothing to end it, the caller "in a call" for good.
  if (deadline.status === 'rejected') {
    await dropRow();
    return abandon(deps, call, deadline.reason);
  }
  // No history row, no call: the caller hears why (unavailable) and is not left "in a call".
  if (row.status === 'rejected') {
    dropDeadline();
    return abandon(deps, call, row.reason);
  }
  afterReply(() => emitTo(deps, from.device, 'call:ringing', { callId: record.callId }));
  deps.log.info({ callId: record.callId, caller: from.username, callee: to, devices: ringable.length }, 'call ringing');
  return { callId: record.callId, early: connects };
}

/**
 * Add person: rings `to` into an answered call this device is in. Refused
 * like an invite (offline, dnd, busy, …), and `room_full` at the mesh limit.
 */
export async function add(deps: CallServiceDeps, session: DeviceSession, callId: string, to: string): Promise<void> {
  const { stores, callLimit } = deps;
  const call = await participating(deps, session, callId);
  if (to === session.username) throw new RequestError('self_call', 'You are in this call already');
  await deps.limits.call(session.username, to);
  const { callee, ringable } = await reachable(deps, to);
  const invitation = { username: to, devices: ringable.map((d) => d.device), by: session.username, at: Date.now() };
  const res = await stores.calls.update(callId, membership.invite(invitation, session.device, callLimit), call);
  if (!res.ok) throw inviteRefusal(deps, res.refused, callee, call);
  const from = { username: session.username, displayName: session.displayName };
  await ringInvited(deps, res.call, invitation, callee, { from });
  deps.log.info({ callId, by: session.username, invited: to, devices: ringable.length }, 'person added to a call');
}

/** Who can be rung into a call: an enabled account with a device not on DND (each device once); refused not_found, offline or dnd. */
export async function reachable(deps: CallServiceDeps, to: string): Promise<{ callee: User; ringable: DeviceSession[] }> {
  const callee = await deps.users.find(to);
  if (!callee || callee.disabled) throw new RequestError('not_found', `There is no user "${to}"`);
  const devices = await deps.stores.sessions.byUser(to);
  const ringable = ringableSessions(devices);
  if (devices.length === 0) throw new RequestError('offline', `${callee.displayName} is offline`);
  if (ringable.length === 0) throw new RequestError('dnd', `${callee.displayName} does not want to be disturbed`);
  return { callee, ringable };
}

/** What a store refuses an invitation for (membership.invite, and the store's own). */
export type InviteRefused = 'room_full' | 'already_in' | 'held' | 'transferring' | 'not_in_call' | 'not_found' | 'busy';

/** Why ringing `callee` into `call` was refused, as its requester hears it. */
export function inviteRefusal(deps: CallServiceDeps, refused: InviteRefused, callee: User, call: Call): RequestError {
  switch (refused) {
    case 'room_full':
      return new RequestError('room_full', `This call already has ${deps.callLimit} people, the most one call can hold`);
    case 'already_in':
      return new RequestError('busy', `${callee.displayName} is already in this call`);
    case 'busy':
      return new RequestError('busy', `${callee.displayName} is busy`);
    case 'held':
      return new RequestError('bad_request', 'Nobody can be added while the call is held for another call');
    case 'transferring':
      return new RequestError('transfer_pending', 'This call is being transferred: wait until it is answered or not');
    case 'not_found':
      return new RequestError('not_found', 'No such call');
    case 'not_in_call':
      return new RequestError('not_in_call', call.state === 'active' ? 'You are not in this call' : 'Add people once the call is answered');
  }
}

/**
 * `invitation` rings: its deadline is set, its devices get call:incoming
 * (`extra`: who it is from, and who transfers), the participants room:ringing.
 */
export async function ringInvited(
  deps: CallServiceDeps,
  call: Call,
  invitation: Invitation,
  callee: User,
  extra: { from: UserRef; transferredBy?: UserRef; with?: Participant[] },
): Promise<void> {
  const callId = call.id;
  await deps.timers.set({ kind: 'invite', callId, username: invitation.username }, deps.ringTimeoutMs);
  const incoming = {
    callId,
    from: extra.from,
    media: call.media,
    polite: true,
    participants: await participantRefs(deps, extra.with ?? call.participants),
    ...(call.room !== null && { room: call.room }),
    ...(extra.transferredBy && { transferredBy: extra.transferredBy }),
  };
  for (const d of invitation.devices) emitTo(deps, d, 'call:incoming', incoming);
  const user = { username: invitation.username, displayName: callee.displayName };
  const ringing = { callId, user, by: invitation.by, ...(extra.transferredBy && { transfer: true as const }) };
  for (const p of call.participants) emitTo(deps, p.device, 'room:ringing', ringing);
}

/** The devices to ring: each of the user's that is not on do-not-disturb, once. */
function ringableDevices(devices: DeviceSession[]): string[] {
  return ringableSessions(devices).map((d) => d.device);
}

function ringableSessions(devices: DeviceSession[]): DeviceSession[] {
  // One entry per device: a device reconnecting may briefly have two connections.
  return [...new Map(devices.filter((d) => d.status !== 'dnd').map((d) => [d.device, d])).values()];
}

/** Ends a call made and rung but not kept (a store failed on the way): its devices stop ringing, and the failure is rethrown. */
async function abandon(deps: CallServiceDeps, call: Call, err: unknown): Promise<never> {
  if (await deps.stores.calls.end(call.id)) for (const d of call.ringing) emitTo(deps, d, 'call:ended', { callId: call.id, reason: 'failed' });
  throw err;
}

async function refuse(deps: CallServiceDeps, record: Parameters<HistoryRepository['refused']>[0], reason: EndReason, message: string): Promise<never> {
  await deps.history.refused(record, reason);
  deps.metrics.callOutcomes.inc({ reason });
  throw new RequestError(reason === 'dnd' ? 'dnd' : reason === 'busy' ? 'busy' : 'offline', message);
}
