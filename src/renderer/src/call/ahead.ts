/**
 * How a call's peer session is made while it rings (CallSession's `ahead`):
 * `early`, connected while it rings so that the answer only starts the
 * media, where the server offers it (the call rings on one device: PROTOCOL.md,
 * "Connecting while it rings") and, on the callee's side, where its user
 * allows it (Settings: "Connect before I answer", since the caller's app
 * learns this device's network addresses); `held` otherwise.
 */
import type { CallDeps } from './call-deps.js';
import type { CallIce } from './call-ice.js';
import type { Ahead } from './call-session.js';

export type { Ahead };

/** The caller's: as the invite's ack says. */
export function callerAhead(early: boolean | undefined): Ahead {
  return early === true ? 'early' : 'held';
}

/**
 * The callee's. Connecting early needs the call's own ICE servers (TURN
 * credentials) before the answer, which would otherwise bring them: asked
 * for here, and given to the call's `ice` while the call still rings (`current`).
 */
export async function calleeAhead(deps: Pick<CallDeps, 'settings' | 'link'>, ice: CallIce, callId: string, early: boolean, current: () => boolean): Promise<Ahead> {
  if (!early || !deps.settings().connectWhileRinging) return 'held';
  const res = await deps.link.request('call:ice', { callId });
  if (!res.ok || !current()) return 'held';
  ice.granted(callId, res);
  return 'early';
}
