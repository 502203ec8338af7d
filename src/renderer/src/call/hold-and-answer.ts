/**
 * Hold and answer, the controller's side: the call of two going on is held
 * and set aside with its line (held-call.svelte.ts) while a waiting call is
 * answered with `call:accept { hold }`; when the answered call is over, the
 * held one is the call again, still on hold (PROTOCOL.md, call:accept).
 * Swap (`call:swap`) trades the two places, as a phone's "Switch" does.
 */
import type { EndReason } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import type { Notices } from '../lib/notices.svelte.js';
import type { Call } from './call.svelte.js';
import type { CallHold } from './call-hold.svelte.js';
import type { CallLine } from './call-line.svelte.js';
import type { CallEvent, LivePhase } from './call-state.js';
import { HeldCall } from './held-call.svelte.js';

/** What of the controller (controller.svelte.ts) hold and answer works with. */
export interface AsideHost {
  aside: HeldCall | null;
  readonly active: Call;
  readonly line: CallLine;
  readonly hold: CallHold;
  readonly connection: { stop(): void };
  live(): LivePhase | null;
  apply(event: CallEvent): boolean;
  /** The call's media go through `line` from now on (a held call taken back), or a new line. */
  useLine(line?: CallLine): void;
}

/** The call held aside, when `callId` is it: its events go to it, not to the call going on. */
export function asideCall(calls: Pick<AsideHost, 'aside'>, callId: string): HeldCall | null {
  return calls.aside?.callId === callId ? calls.aside : null;
}

/**
 * Holds the call of two going on and sets it aside with its media, for a
 * waiting call to be answered with `answer(video, held)`: its id, or null
 * when it cannot be held. The server tells the other side it is on hold.
 */
export function setAside(calls: AsideHost): string | null {
  const live = calls.live();
  if (!live || !calls.hold.possible || calls.aside) return null;
  const line = calls.line;
  line.mesh.setOnHold(true);
  const held = new HeldCall(live, line, calls.active.flags, calls.hold.theirs);
  line.rebind(held.hooks());
  calls.aside = held;
  calls.useLine();
  // Over here, not ended: no teardown, no ended view; the next call starts from idle.
  calls.connection.stop();
  calls.apply({ type: 'end', reason: 'hangup', local: true, at: Date.now() });
  calls.apply({ type: 'reset' });
  calls.active.setMuted(false);
  calls.hold.reset();
  return held.callId;
}

/** The call set aside ended (its other side hung up, or it failed): its media stops. */
export function endAside(calls: AsideHost, notices: Notices, callId: string, reason: EndReason): void {
  const held = calls.aside;
  if (held?.callId !== callId) return;
  calls.aside = null;
  held.close();
  notices.announce(reason === 'hangup' ? `${held.peer.displayName} hung up the call you held` : `The call you held with ${held.peer.displayName} ended`);
}

/**
 * The call answered meanwhile is over (its line torn down): the held one is
 * the call again, still on hold (the Hold button takes it off). `swapped`:
 * taken back by a swap, which the server made off hold.
 */
export function takeBack(calls: AsideHost, notices: Notices, held: HeldCall, swapped = false): void {
  calls.aside = null;
  calls.useLine(held.line);
  calls.apply({ type: 'rejoin', callId: held.callId, peer: held.peer, answeredAt: held.answeredAt });
  calls.apply({ type: 'connected', at: Date.now() });
  calls.active.restored(held.state);
  calls.hold.restore(!held.answerRefused && !swapped, held.theirs);
  if (!held.answerRefused && !swapped) notices.announce(`On hold with ${held.peer.displayName}. Press Hold again to talk.`);
}

/**
 * Switches to the call held aside: it is the call again, off hold, and the
 * one going on waits aside on hold in its place. Nothing changes here until
 * the server has swapped them; a refusal (a call ended meanwhile) is said.
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
  calls.aside = null;
  setAside(calls);
  const nowAside = calls.aside;
  takeBack(calls, notices, back, true);
  calls.aside = nowAside;
  notices.announce(`Talking with ${back.peer.displayName}. ${live.peer.displayName} is on hold.`);
}
