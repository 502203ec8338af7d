/**
 * Answered calls the stores lost (a restart, or Redis losing its data),
 * 1:1 and group calls alike, rebuilt from what their participants claim
 * and from history: the call's row says it was answered and not ended, and
 * its members (call_participants, or for a 1:1 call the row's two users)
 * say who was still in it. A single claim never makes a call: it waits for
 * another participant's, and the two restore it. Everyone else who was in
 * it stands in the restored call under a stand-in device, away, until their
 * own claim puts their device in, or the grace period runs out and they
 * leave as `failed`, like any device that lost its connection. A room that
 * only one person is left in needs only their claim.
 */
import type { CallMember, StoredCall } from '../history/history-repository.js';
import type { CallResumeReply } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import type { Call, CreateResult, DeviceSession, ResumeClaim } from '../stores/types.js';
import type { CallServiceDeps } from './call-deps.js';
import { reclaim, unclaimedDevice } from './membership.js';
import { emitTo, newcomerOf, refresh, tellOthers, tellSfuBack } from './notify.js';
import { holdable } from './parking.js';
import { recordLost } from './teardown.js';

/** A lost call as history has it. `since`: when the stores lost it (who left after that, the devices may not have heard). */
interface Lost {
  row: StoredCall;
  members: CallMember[];
  since: number;
}

/**
 * A claim on a call the stores do not have: restores it, or waits for
 * another participant's claim. A `fresh` device (a reloaded window) has no
 * peer connections to vouch for: it is answered `waiting` without a claim,
 * and hangs up (it can come back fresh into the call once others restored it).
 */
export async function resumeLost(deps: CallServiceDeps, session: DeviceSession, callId: string, since: number, fresh = false): Promise<CallResumeReply> {
  const lost = await readLost(deps, callId, session.username, since);
  if (lost.row.endedAt !== null) return { state: 'ended', reason: lost.row.outcome ?? 'failed', ...(lost.row.cause && { cause: lost.row.cause }) };
  const present = lost.members.filter((m) => m.leftAt === null);
  const index = present.findIndex((m) => m.username === session.username);
  // Left while the stores had lost the call (a hang-up, or a device that did not come back in time).
  if (index < 0) return { state: 'ended', reason: 'failed' };
  const polite = index > 0;
  if (fresh) return { state: 'waiting', polite };
  const mine: ResumeClaim = { callId, username: session.username, device: session.device };
  let other = present.length === 1 ? null : await deps.stores.calls.claim(mine);
  // The claim of someone who has left since (a hang-up) counts for nothing: this one waits in its place.
  while (other && !present.some((m) => m.username === other?.username)) other = await deps.stores.calls.claim(mine);
  if (other === undefined) return waitForOthers(deps, mine, polite, lost);
  const claims = other ? [other, mine] : [mine];
  const res = await restore(deps, lost, claims);
  if (res === 'restored') return { state: 'active', polite };
  if (res === 'exists') {
    // Two other claims restored it meanwhile: these two go in as well.
    if (other) await rejoin(deps, other, lost);
    return (await rejoin(deps, mine, lost)) ? { state: 'active', polite } : { state: 'ended', reason: 'failed' };
  }
  // Someone in it started another call meanwhile: this one cannot come back.
  await recordLost(deps, callId, 'failed', other ? [other.device] : []);
  return { state: 'ended', reason: 'failed' };
}

/**
 * A claim on a restored call this user stands in (not back yet): the device
 * takes their place; a `fresh` one as a newcomer (see resume.ts). Undefined
 * when the call awaits no one of this user.
 */
export async function reclaimed(deps: CallServiceDeps, call: Call, session: DeviceSession, since: number, fresh = false): Promise<CallResumeReply | undefined> {
  const index = call.participants.findIndex((p) => p.device === unclaimedDevice(session.username));
  if (index < 0) return undefined;
  const lost = await readLost(deps, call.id, session.username, since);
  const back = await rejoin(deps, { callId: call.id, username: session.username, device: session.device }, lost, fresh);
  if (!back) return undefined;
  return fresh ? { state: 'active', polite: true, participants: await newcomerOf(deps, back, session.device) } : { state: 'active', polite: index > 0 };
}

/**
 * A group call's participant hung up while the stores had lost the call:
 * they leave it, and it goes on (true) while enough are left in it to
 * claim it (two, or one in a named room). A room's last one, waiting
 * already, has it back at once.
 */
export async function leaveLost(deps: CallServiceDeps, row: StoredCall, members: CallMember[], username: string, since: number): Promise<boolean> {
  if (!row.group || row.answeredAt === null) return false;
  const at = Date.now();
  await deps.history.left(row.callId, username, at);
  const after = members.map((m) => (m.username === username ? { ...m, leftAt: at } : m));
  const rest = after.filter((m) => m.leftAt === null);
  if (rest.length >= 2) return true;
  if (row.room === null || rest.length === 0) return false;
  const waiting = await deps.stores.calls.dropClaim(row.callId);
  if (waiting && waiting.username === rest[0]?.username) await restore(deps, { row, members: after, since }, [waiting]);
  return true;
}

/** The call's row and members, if this user was ever in it; answered calls only. */
async function readLost(deps: CallServiceDeps, callId: string, username: string, since: number): Promise<Lost> {
  const row = await deps.history.find(callId);
  const members = row && row.answeredAt !== null ? await deps.history.members(row) : [];
  if (!row || !members.some((m) => m.username === username)) throw new RequestError('not_found', 'No such call');
  return { row, members, since };
}

/**
 * This claim waits, unless two others restored the call meanwhile: then
 * whoever takes this claim back puts its device in (here, or the request
 * that restored the call).
 */
async function waitForOthers(deps: CallServiceDeps, mine: ResumeClaim, polite: boolean, lost: Lost): Promise<CallResumeReply> {
  const { callId, username } = mine;
  if (!(await deps.stores.calls.get(callId))) {
    deps.log.info({ callId, username }, 'call claimed after a restart: waiting for another participant');
    return { state: 'waiting', polite };
  }
  const taken = await deps.stores.calls.dropClaim(callId);
  if (taken && !(await rejoin(deps, taken, lost)) && taken.device === mine.device) return { state: 'ended', reason: 'failed' };
  return { state: 'active', polite };
}

/** Puts the call back from these claims; the members not among them stand in it, away. */
async function restore(deps: CallServiceDeps, lost: Lost, claims: ResumeClaim[]): Promise<'restored' | 'exists' | 'conflict'> {
  const { row } = lost;
  const devices = new Map(claims.map((c) => [c.username, c.device]));
  const participants = lost.members
    .filter((m) => m.leftAt === null)
    .map((m) => ({ username: m.username, device: devices.get(m.username) ?? unclaimedDevice(m.username), joinedAt: m.joinedAt }));
  const away = participants.filter((p) => !devices.has(p.username)).map((p) => p.device);
  const call: Call = {
    id: row.callId,
    caller: row.caller,
    callerDevice: devices.get(row.caller) ?? participants[0]?.device ?? '',
    callee: row.callee,
    calleeDevice: devices.get(row.callee) ?? null,
    ringing: [],
    media: row.media,
    state: 'active',
    startedAt: row.startedAt,
    answeredAt: row.answeredAt,
    away,
    room: row.room ?? null,
    code: row.roomCode ?? null,
    participants,
    invitations: [],
    ...(row.sfu && { sfu: true }),
  };
  const res = await restoreHolding(deps, call);
  if (!res.ok) return res.conflict === 'exists' ? 'exists' : 'conflict';
  await Promise.all(away.map((device) => deps.timers.set({ kind: 'away', callId: call.id, device }, deps.graceMs)));
  // Before the answer: a device must not send to someone still awaited (it would be lost).
  for (const c of claims) tellStanding(deps, call, c.device, lost);
  await refresh(deps, participants.map((p) => p.username));
  if (call.room !== null) void deps.listing.announce(call.room);
  deps.log.info({ callId: call.id, participants: participants.length, awaited: away.length }, 'call restored from its claims after a restart');
  // A third claim that came while this one restored the call waits for no one now.
  const late = await deps.stores.calls.dropClaim(call.id);
  if (late) await rejoin(deps, late, lost);
  return 'restored';
}

/**
 * A call of two whose member is in another call already was held aside for
 * it (hold and answer, parking.ts: the only way to be in two calls): it is
 * restored held aside for them, and they take it off hold once free.
 */
async function restoreHolding(deps: CallServiceDeps, call: Call): Promise<CreateResult> {
  const res = await deps.stores.calls.restore(call);
  if (res.ok || res.conflict === 'exists' || res.conflict === 'room' || !holdable(call)) return res;
  const inOthers = await Promise.all(call.participants.map((p) => deps.stores.calls.byUser(p.username)));
  const parked = call.participants.filter((_, i) => inOthers[i] !== undefined).map((p) => p.username);
  return parked.length > 0 ? deps.stores.calls.restore({ ...call, parked }) : res;
}

/**
 * A claim puts its device in the restored call in place of its user's
 * stand-in: the call as it is now, or undefined if it awaits no one of that
 * user. A `fresh` device's peers make new connections to it.
 */
async function rejoin(deps: CallServiceDeps, claim: ResumeClaim, lost: Lost, fresh = false): Promise<Call | undefined> {
  const { callId, username, device } = claim;
  const res = await deps.stores.calls.update(callId, reclaim(username, device));
  if (!res.ok) return undefined;
  await deps.timers.clear({ kind: 'away', callId, device: unclaimedDevice(username) });
  tellOthers(deps, res.call, device, 'call:peer-connection', { callId, connected: true, username, ...(fresh && { fresh }) });
  tellStanding(deps, res.call, device, lost);
  deps.log.info({ callId, username, fresh }, 'back in a call restored after a restart');
  return res.call;
}

/**
 * Tells a device back in a restored call who is back too (connected) and
 * who is still awaited, and who left it while the stores had lost it.
 */
function tellStanding(deps: CallServiceDeps, call: Call, device: string, lost: Lost): void {
  tellSfuBack(deps, call, device);
  for (const p of call.participants) {
    if (p.device !== device) emitTo(deps, device, 'call:peer-connection', { callId: call.id, connected: !call.away.includes(p.device), username: p.username });
  }
  for (const m of lost.members) {
    if (m.leftAt !== null && m.leftAt >= lost.since) emitTo(deps, device, 'room:left', { callId: call.id, username: m.username, reason: 'hangup' });
  }
}
