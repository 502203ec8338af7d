/**
 * What goes between participants of an answered call: session descriptions
 * and candidates one pair at a time, stamped with the sender by the server
 * (and, while a call rings on one device, between it and the caller: early-path.ts),
 * mute changes and who records the call; plus the note that chat happened (never the chat).
 */
import type { ClientPayload } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import type { Call, DeviceSession } from '../stores/types.js';
import type { CallServiceDeps } from './call-deps.js';
import { participant } from './call-checks.js';
import { earlyPeer } from './early-path.js';
import * as membership from './membership.js';
import { emitTo, tellOthers } from './notify.js';
import * as parking from './parking.js';

/** `read`, for each relay here: the call, already being read beside the dispatcher's session check (else read now). */
export async function signal(deps: CallServiceDeps, session: DeviceSession, payload: ClientPayload<'call:signal'>, read?: Promise<Call | undefined>): Promise<void> {
  const { callId, description, candidate, to } = payload;
  const peer = await peerOf(deps, session, callId, to, read);
  // A peer that is away misses this: its session layer starts over when it is back.
  emitTo(deps, peer, 'call:signal', {
    callId,
    from: session.username,
    ...(description !== undefined && { description }),
    ...(candidate !== undefined && { candidate }),
  });
  deps.metrics.relayed.inc({ event: 'call:signal' });
}

/** Tells every other participant. */
export async function mute(deps: CallServiceDeps, session: DeviceSession, callId: string, muted: boolean, read?: Promise<Call | undefined>): Promise<void> {
  const call = await participant(deps, session, callId, read);
  tellOthers(deps, call, session.device, 'call:muted', { callId, username: session.username, muted });
  deps.metrics.relayed.inc({ event: 'call:mute' });
}

/**
 * Hold: only in a call of two placed with call:invite (a group call or a
 * named room has no "other side" to hold). Relayed like mute; the server
 * keeps no hold state (a device that resumes the call says it again), but
 * for a call held aside for another one (parking.ts): it is taken off hold
 * only once its holder is in no other call.
 */
export async function hold(deps: CallServiceDeps, session: DeviceSession, callId: string, held: boolean, read?: Promise<Call | undefined>): Promise<void> {
  let call = await participant(deps, session, callId, read);
  if (!parking.holdable(call)) throw new RequestError('bad_request', 'Only a call between two people can be put on hold');
  if (!held && call.parked?.includes(session.username)) {
    const res = await deps.stores.calls.update(callId, parking.unpark(session.username), call);
    if (!res.ok && res.refused === 'busy') throw new RequestError('in_call', 'You are in another call: it must end before this one comes off hold');
    if (res.ok) call = res.call;
  }
  tellOthers(deps, call, session.device, 'call:held', { callId, username: session.username, held });
  deps.metrics.relayed.inc({ event: 'call:hold' });
}

/**
 * This device started or stopped recording: the call keeps who records (so
 * a device coming in later is told), and every other participant hears it.
 */
export async function recording(deps: CallServiceDeps, session: DeviceSession, callId: string, on: boolean): Promise<void> {
  const seen = await participant(deps, session, callId);
  const res = await deps.stores.calls.update(callId, membership.record(session.device, on), seen);
  if (!res.ok) throw new RequestError(res.refused === 'not_found' ? 'not_found' : 'not_in_call', 'The call is not connected on this device');
  tellOthers(deps, res.call, session.device, 'call:recording', { callId, username: session.username, on });
  deps.metrics.relayed.inc({ event: 'call:recording' });
  deps.log.info({ callId, username: session.username, on }, 'recording');
}

/** Chat happened in an answered call: its history row says so (the server never sees the chat itself). */
export async function noteChat(deps: CallServiceDeps, session: DeviceSession, callId: string): Promise<void> {
  await participant(deps, session, callId);
  await deps.history.noteChat(callId);
}

/**
 * The device of participant `to`, or of the one other participant when `to`
 * is left out; while a call rings, the other end of its early path (early-path.ts).
 */
async function peerOf(deps: CallServiceDeps, session: DeviceSession, callId: string, to: string | undefined, read?: Promise<Call | undefined>): Promise<string> {
  const found = await (read ?? deps.stores.calls.get(callId));
  const early = found?.state === 'ringing' && to === undefined ? earlyPeer(found, session.device) : undefined;
  if (early !== undefined) return early;
  const call = await participant(deps, session, callId, Promise.resolve(found));
  const others = call.participants.filter((p) => p.device !== session.device);
  if (to === undefined) {
    if (others.length === 1 && others[0]) return others[0].device;
    throw new RequestError('bad_request', 'call:signal: to: name the participant in a call of more than two');
  }
  const peer = others.find((p) => p.username === to);
  if (!peer) throw new RequestError('not_in_call', `${to} is not in this call`);
  return peer.device;
}
