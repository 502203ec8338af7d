/**
 * DesktopState snapshots for the scenario tests: what the renderer would
 * publish signed in, ringing, in a call.
 */
import { SIGNED_OUT } from '../../src/shared/desktop-state.js';
import type { DesktopState, DesktopTransfer } from '../../src/shared/desktop-state.js';

export const ada = { username: 'ada', displayName: 'Ada Lovelace' };
export const bob = { username: 'bob', displayName: 'Bob' };
export const cyd = { username: 'cyd', displayName: 'Cyd Charisse' };

export const signedIn: DesktopState = {
  ...SIGNED_OUT,
  connection: 'online',
  me: ada,
  status: 'available',
  chosenStatus: 'available',
  contacts: [
    { ...bob, status: 'available', favorite: true },
    { ...cyd, status: 'away', favorite: false },
  ],
  recent: [
    { callId: 'r1', peer: bob, direction: 'incoming', missed: true },
    { callId: 'r2', peer: cyd, direction: 'outgoing', missed: false },
  ],
};

export function ringing(callId = 'c1', peer = bob, base: DesktopState = signedIn): DesktopState {
  return { ...base, call: { kind: 'ringing-in', callId, peer } };
}

export function inCall(muted = false, callId = 'c1', peer = bob, base: DesktopState = signedIn): DesktopState {
  return { ...base, status: 'busy', call: { kind: 'in-call', callId, peer, muted, answeredAt: 1_700_000_000_000 } };
}

export function calling(peer = bob, base: DesktopState = signedIn): DesktopState {
  return { ...base, call: { kind: 'ringing-out', peer } };
}

/** In a call of two that can be held: `mine`, this side holds it; `theirs`, the other side does. */
export function inCallHold(mine: boolean, theirs = false, callId = 'c1'): DesktopState {
  const state = inCall(false, callId);
  if (state.call.kind !== 'in-call') throw new Error('not in a call');
  return { ...state, call: { ...state.call, hold: { mine, theirs } } };
}

/** In a call with bob while `peer` calls (call waiting). */
export function inCallWaiting(peer = cyd, callId = 'c2'): DesktopState {
  const state = inCallHold(false);
  if (state.call.kind !== 'in-call') throw new Error('not in a call');
  return { ...state, call: { ...state.call, waiting: { callId, peer } } };
}

/** In a call with push-to-talk on (`key`, a KeyboardEvent.code), the key held or not. */
export function inCallPushToTalk(talking: boolean, key = 'F8', muted = false, callId = 'c1'): DesktopState {
  const state = inCall(muted, callId);
  if (state.call.kind !== 'in-call') throw new Error('not in a call');
  return { ...state, call: { ...state.call, pushToTalk: { key, talking } } };
}

/** In a call of two with bob where transfer is `transfer` (a consult holds cyd's call `c0` aside). */
export function inCallTransfer(transfer: DesktopTransfer, callId = 'c1', base: DesktopState = signedIn): DesktopState {
  const state = inCall(false, callId, bob, base);
  if (state.call.kind !== 'in-call') throw new Error('not in a call');
  const aside = transfer.kind === 'consulting' ? { aside: { callId: 'c0', peer: cyd } } : {};
  return { ...state, call: { ...state.call, hold: { mine: false, theirs: false }, ...aside, transfer } };
}
