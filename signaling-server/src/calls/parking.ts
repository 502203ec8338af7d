/**
 * Hold and answer: a participant of an answered call of two answers a
 * waiting call and holds the first one meanwhile. The held call stays as it
 * is (its peer connection up, its media held by both clients as for any
 * hold) but is "parked" for that user: it is not their call for the stores'
 * one-call-per-user rule until the call they answered is over for them,
 * when it is theirs again by itself. The answered call remembers which call
 * each of its people holds (`holding`), so nothing is looked up for the
 * calls where nobody did.
 */
import { RequestError } from '../realtime/request-error.js';
import type { Call, CallChange, DeviceSession, Holding } from '../stores/types.js';
import type { CallServiceDeps } from './call-deps.js';
import { participant } from './call-checks.js';
import { tellOthers } from './notify.js';

/** Only a call of two placed with call:invite can be held (a room or a group call has no other side). */
export function holdable(call: Call): boolean {
  return call.room === null && call.participants.length === 2 && call.invitations.length === 0;
}

/** `username` (on `device`) holds this call while in another one. */
export function park(username: string, device: string): CallChange<'not_in_call' | 'not_two'> {
  return (call) => {
    if (call.state !== 'active' || !call.participants.some((p) => p.device === device)) return { refused: 'not_in_call' };
    if (!holdable(call)) return { refused: 'not_two' };
    return { ...call, parked: [...new Set([...(call.parked ?? []), username])] };
  };
}

/** The call is `username`'s call again (refused `busy` by the store while they are in another). */
export function unpark(username: string): CallChange<'not_parked'> {
  return (call) => {
    if (!call.parked?.includes(username)) return { refused: 'not_parked' };
    const next: Call = { ...call, parked: call.parked.filter((u) => u !== username) };
    if (next.parked?.length === 0) delete next.parked;
    return next;
  };
}

/**
 * Parks the answered call of two `callId` for this device's user, before
 * they answer another; the other side hears it is on hold (call:held).
 */
export async function parkFor(deps: CallServiceDeps, session: DeviceSession, callId: string): Promise<Holding> {
  const seen = await participant(deps, session, callId);
  const res = await deps.stores.calls.update(callId, park(session.username, session.device), seen);
  if (!res.ok) {
    if (res.refused === 'not_two') throw new RequestError('bad_request', 'Only a call between two people can be put on hold');
    throw new RequestError(res.refused === 'not_found' ? 'not_found' : 'not_in_call', 'The call to hold is not connected on this device');
  }
  tellOthers(deps, res.call, session.device, 'call:held', { callId, username: session.username, held: true });
  return { username: session.username, callId };
}

/**
 * Makes a parked call its holder's again: the call they answered is over
 * for them. Still on hold: taking it off is theirs to do (call:hold). The
 * call as it is now; undefined if it ended meanwhile (or, against the
 * rule, its holder is in another call still).
 */
export async function unparkFor(deps: CallServiceDeps, held: Holding): Promise<Call | undefined> {
  const res = await deps.stores.calls.update(held.callId, unpark(held.username));
  if (!res.ok && res.refused === 'busy') deps.log.warn({ callId: held.callId, username: held.username }, 'a held call could not be given back: its holder is in another call');
  return res.ok ? res.call : undefined;
}

/** The answer that held the call failed: it is its holder's again, off hold, as before. */
export async function giveBack(deps: CallServiceDeps, session: DeviceSession, held: Holding): Promise<void> {
  const call = await unparkFor(deps, held);
  if (call) tellOthers(deps, call, session.device, 'call:held', { callId: held.callId, username: held.username, held: false });
}

/** `call` is over for these users (ended, or they left it): each has the call they held back, still on hold. */
export async function returnHeld(deps: CallServiceDeps, call: Call, usernames: string[]): Promise<void> {
  const held = (call.holding ?? []).filter((h) => usernames.includes(h.username));
  await Promise.all(held.map((h) => unparkFor(deps, h)));
}

/** The call `username` answered while holding `heldId` no longer remembers it: it is held the other way round now. */
function forget(username: string): CallChange<never> {
  return (call) => {
    const holding = (call.holding ?? []).filter((h) => h.username !== username);
    const next: Call = { ...call, holding };
    if (holding.length === 0) delete next.holding;
    return next;
  };
}

/** Both changes, or the first's refusal. */
function both<R1 extends string, R2 extends string>(first: CallChange<R1>, second: CallChange<R2>): CallChange<R1 | R2> {
  return (call) => {
    const next = first(call);
    return 'refused' in next ? next : second(next);
  };
}

/**
 * The call `heldId` this device's user holds aside, and the call they are in
 * meanwhile (the one that holds it), connected on this device; refused as
 * `what` cannot be done with any other call.
 */
export async function heldAside(deps: CallServiceDeps, session: DeviceSession, heldId: string, what: string): Promise<{ held: Call; current: Call }> {
  const held = await participant(deps, session, heldId);
  const aside = `The call is not held aside: only a call held for another can be ${what}`;
  if (!held.parked?.includes(session.username)) throw new RequestError('bad_request', aside);
  const current = await deps.stores.calls.byUser(session.username);
  const holds = current?.holding?.some((h) => h.username === session.username && h.callId === heldId) === true;
  if (!current || !holds) throw new RequestError('bad_request', aside);
  if (!current.participants.some((p) => p.device === session.device)) throw new RequestError('not_in_call', 'The call going on is not connected on this device');
  return { held, current };
}

/**
 * Swap (call:swap): the user of this device talks again in the call they
 * hold aside (`heldId`) and holds the one they answered meanwhile, which
 * now waits aside in its place. Each other side hears call:held. The answered
 * call is parked first, so the user is never in two calls at once for the
 * one-call rule; if the held call is gone by then, it is put back as it was.
 */
export async function swap(deps: CallServiceDeps, session: DeviceSession, heldId: string): Promise<void> {
  const { held, current } = await heldAside(deps, session, heldId, 'swapped back');
  const parked = await deps.stores.calls.update(current.id, both(park(session.username, session.device), forget(session.username)), current);
  if (!parked.ok) {
    if (parked.refused === 'not_two') throw new RequestError('bad_request', 'Only a call between two people can be held: this one has more');
    throw new RequestError('not_found', 'The call going on ended meanwhile');
  }
  const aside: Holding = { username: session.username, callId: current.id };
  const remember: CallChange<never> = (call) => ({ ...call, holding: [...(call.holding ?? []), aside] });
  const back = await deps.stores.calls.update(heldId, both(unpark(session.username), remember), held);
  if (!back.ok) {
    // The held call ended meanwhile: the answered one is this user's call again, not held, as before.
    const undo: CallChange<'not_parked'> = both(unpark(session.username), (call) => ({ ...call, holding: [...(call.holding ?? []), { username: session.username, callId: heldId }] }));
    await deps.stores.calls.update(current.id, undo);
    throw new RequestError('not_found', 'The held call ended meanwhile');
  }
  tellOthers(deps, parked.call, session.device, 'call:held', { callId: current.id, username: session.username, held: true });
  tellOthers(deps, back.call, session.device, 'call:held', { callId: heldId, username: session.username, held: false });
  deps.log.info({ callId: heldId, holding: current.id }, 'calls swapped');
}
