/**
 * Connecting while it rings: a call placed with call:invite that rings on
 * one device only lets the caller's device and that device exchange
 * call:signal before the answer, so the path is up when the callee answers
 * and the answer only starts the media (PROTOCOL.md, "Connecting while it
 * rings"). A call ringing on several devices has no early path: the caller
 * has one connection to offer, and the device that will answer is not known.
 * Nor has a waiting call (its callee talks in another call, whose
 * microphone and network it should not share before choosing).
 */
import type { Call } from '../stores/types.js';

/** Whether the call, as just made or read, connects while it rings. */
export function connectsEarly(call: Pick<Call, 'state' | 'ringing' | 'room' | 'invitations' | 'waiting'>): boolean {
  return call.state === 'ringing' && call.ringing.length === 1 && call.room === null && call.invitations.length === 0 && call.waiting !== true;
}

/** The device on the other end of the early path from `device`, if the call has one and `device` is on it. */
export function earlyPeer(call: Call, device: string): string | undefined {
  if (!connectsEarly(call)) return undefined;
  const callee = call.ringing[0];
  if (device === call.callerDevice) return callee;
  return device === callee ? call.callerDevice : undefined;
}
