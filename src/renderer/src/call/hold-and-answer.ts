/**
 * Hold and answer, the controller's side: the call of two going on is put on
 * hold in the registry (its connection up, its senders inactive as for any
 * hold) while a waiting call is answered with `call:accept { hold }`; when
 * the answered call is over, the held one is the active call again, still on
 * hold (PROTOCOL.md, call:accept). Swap (`call:swap`) trades the two places,
 * as a phone's "Switch" does. Server events for the held call reach it by its
 * id (call-events.ts).
 */
import type { EndReason } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import type { Notices } from '../lib/notices.svelte.js';
import type { Call, KnownCall } from './call.svelte.js';
import type { CallHold } from './call-hold.svelte.js';
import type { CallRegistry } from './call-registry.svelte.js';
import type { LivePhase } from './call-state.js';

/** What of the controller (controller.svelte.ts) hold and answer works with. */
export interface AsideHost {
  readonly registry: CallRegistry;
  readonly aside: KnownCall | null;
  readonly hold: CallHold;
  readonly connection: { stop(): void };
  live(): LivePhase | null;
  /** A new call, idle, to be the active one while the one going on is held. */
  newCall(): Call;
}

/**
 * Holds the call of two going on, for `next` (the waiting call, or a new
 * one for a consult) to be the active call and answered with
 * `answer(video, held)` (or placed): the held call's id, or null when it
 * cannot be held. The server tells the other side it is on hold.
 */
export function setAside(calls: AsideHost, next: Call = calls.newCall()): string | null {
  if (!calls.live() || !calls.hold.possible || calls.aside) return null;
  return holdActive(calls, next);
}

/** The active call goes on hold with its media, and `next` is active: over here, not ended, so no teardown and no ended view. */
function holdActive(calls: AsideHost, next: Call): string | null {
  const held = calls.registry.active;
  const theirs = calls.hold.theirs;
  if (!calls.registry.hold(next)) return null;
  held.heldAside(theirs);
  calls.connection.stop();
  calls.hold.reset();
  return held.callId;
}

/** The call on hold ended (its other side hung up, or it failed): its media stops. */
export function endAside(calls: AsideHost, notices: Notices, callId: string, reason: EndReason): void {
  const held = calls.registry.drop(callId);
  if (!held) return;
  held.line.teardown();
  const name = held.peer.displayName;
  notices.announce(reason === 'hangup' ? `${name} hung up the call you held` : `The call you held with ${name} ended`);
}

/**
 * The call answered meanwhile is over (its line torn down): the held one is
 * the call again, still on hold (the Hold button takes it off). `swapped`:
 * taken back by a swap, which the server made off hold.
 */
export function takeBack(calls: AsideHost, notices: Notices, held: KnownCall, swapped = false): void {
  if (calls.registry.active !== held && !calls.registry.resume(held.callId)) return;
  // Held while it was reconnecting: the hold does not wait for that to finish.
  if (held.phase.kind === 'reconnecting') held.apply({ type: 'connected', at: Date.now() });
  const mine = !held.answerRefused && !swapped;
  const theirs = held.theirs;
  held.takenBack();
  calls.hold.restore(mine, theirs);
  if (mine) notices.announce(`On hold with ${held.peer.displayName}. Press Hold again to talk.`);
}

/**
 * Switches to the call on hold: it is the call again, off hold, and the one
 * going on waits on hold in its place. Nothing changes here until the server
 * has swapped them; a refusal (a call ended meanwhile) is said.
 */
export async function swap(calls: AsideHost, link: Pick<SignalingLink, 'request'>, notices: Notices): Promise<void> {
  const back = calls.aside;
  const live = calls.live();
  if (!back || !live || !calls.hold.possible) return;
  const res = await link.request('call:swap', { callId: back.callId });
  if (calls.aside !== back || calls.live()?.callId !== live.callId) return;
  if (!res.ok) {
    notices.show(res.message, 'call');
    return;
  }
  holdActive(calls, back);
  takeBack(calls, notices, back, true);
  notices.announce(`Talking with ${back.peer.displayName}. ${live.peer.displayName} is on hold.`);
}
