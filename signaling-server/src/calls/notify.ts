/** How devices and presence hear about calls, whichever node their connection is on. */
import type { ServerToClientEvents, UserRef } from '../protocol/index.js';
import { deviceRoom } from '../realtime/types.js';
import type { Call, Participant } from '../stores/types.js';
import type { CallServiceDeps } from './call-deps.js';

/** Reaches whichever connection the device has now, on any node; nothing if it is away. */
export function emitTo<E extends keyof ServerToClientEvents>(
  deps: CallServiceDeps,
  device: string,
  event: E,
  payload: Parameters<ServerToClientEvents[E]>[0],
): void {
  // Socket.IO's typed emit cannot take a generic event name.
  (deps.io.to(deviceRoom(device)).emit as (e: E, p: typeof payload) => boolean)(event, payload);
}

export function tellOthers<E extends keyof ServerToClientEvents>(
  deps: CallServiceDeps,
  call: Call,
  device: string,
  event: E,
  payload: Parameters<ServerToClientEvents[E]>[0],
): void {
  for (const p of call.participants) if (p.device !== device) emitTo(deps, p.device, event, payload);
}

/**
 * A device back in a call on the SFU (resumed, or the call restored after a
 * restart): its SFU connections ended with its server connection, so it
 * publishes again, and it hears the mode before anyone it could call by mesh.
 */
export function tellSfuBack(deps: CallServiceDeps, call: Call, device: string): void {
  if (call.sfu !== true) return;
  emitTo(deps, device, 'sfu:closed', { callId: call.id });
  emitTo(deps, device, 'room:mode', { callId: call.id, mode: 'sfu' });
}

export async function refresh(deps: CallServiceDeps, usernames: string[]): Promise<void> {
  await Promise.all(usernames.map((u) => deps.presence.refresh(u)));
}

/** The participants as users (username and display name), in their order. */
export async function participantRefs(deps: CallServiceDeps, participants: Participant[]): Promise<UserRef[]> {
  const refs = await deps.users.refs(participants.map((p) => p.username));
  return participants.map((p) => refs.get(p.username) ?? { username: p.username, displayName: p.username });
}

/**
 * Who a device back without its peer connections (a reloaded window) is a
 * newcomer toward: everyone else in the call. Names without the database:
 * usernames.
 */
export async function newcomerOf(deps: CallServiceDeps, call: Call, device: string): Promise<UserRef[]> {
  const others = call.participants.filter((p) => p.device !== device);
  return participantRefs(deps, others).catch(() => others.map((p) => ({ username: p.username, displayName: p.username })));
}
