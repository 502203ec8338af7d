/**
 * The call ringing on this device, as the popup and the notifications show
 * it: a call ringing in, or a second call waiting while in one (then
 * `during` names the call going on, which answering ends). Pure.
 */
import type { DesktopState, Peer } from './desktop-state.js';

export interface RingingCall {
  callId: string;
  peer: Peer;
  /** A blind transfer: who put the caller through. */
  transferredBy: Peer | null;
  /** The call going on while this one waits: who with, whether this side holds it, and whether it can be held to answer (hold and answer). */
  during: { peer: Peer; held: boolean; holdable: boolean } | null;
}

export function ringingCall(state: Pick<DesktopState, 'call'>): RingingCall | null {
  const { call } = state;
  if (call.kind === 'ringing-in') return { callId: call.callId, peer: call.peer, transferredBy: call.transferredBy ?? null, during: null };
  if (call.kind === 'in-call' && call.waiting) {
    const holdable = call.hold !== undefined && call.aside === undefined;
    const { waiting } = call;
    return { callId: waiting.callId, peer: waiting.peer, transferredBy: waiting.transferredBy ?? null, during: { peer: call.peer, held: call.hold?.mine === true, holdable } };
  }
  return null;
}

/** What answering does, in words for a button or a notification's action. */
export function answerWords(call: RingingCall): string {
  return call.during === null ? 'Answer' : 'End and answer';
}

/** The line under the caller: what answering costs while in a call (`offersHold`: shown beside Hold and answer, when the call can be held). */
export function duringWords(call: RingingCall, offersHold = false): string | null {
  if (call.during === null) return null;
  const { peer, held, holdable } = call.during;
  // Beside Hold and answer and End and answer, the buttons say what answering costs.
  if (offersHold && holdable) return held ? `Your call with ${peer.displayName} is on hold.` : `You are in a call with ${peer.displayName}.`;
  return `Answering ends your ${held ? 'held ' : ''}call with ${peer.displayName}.`;
}

/** "is calling you", and who put a transferred call through. */
export function callingWords(call: RingingCall): string {
  return call.transferredBy ? `is calling you, transferred by ${call.transferredBy.displayName}` : 'is calling you';
}
