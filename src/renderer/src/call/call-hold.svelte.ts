/**
 * Hold, for an answered call of two: either side may hold it, and while
 * either does, neither sends media (Mesh.setOnHold: the senders go inactive,
 * the connection stays up). The other side hears of it through call:hold /
 * call:held; the server keeps no hold state, so a device that comes back to
 * the server says it again (resend). The call's timer goes on: hold is part
 * of the call.
 */
import type { SignalingLink } from '../connection/link.js';
import type { Notices } from '../lib/notices.svelte.js';
import type { LivePhase } from './call-state.js';

export interface HoldDeps {
  link: Pick<SignalingLink, 'request'>;
  notices: Pick<Notices, 'announce' | 'show'>;
  /** The call answered and going on, if it is. */
  live(): LivePhase | null;
  /** More than two people, or a named room: no hold. */
  group(): boolean;
  setOnHold(onHold: boolean): void;
}

export class CallHold {
  /** This side put the call on hold. */
  mine = $state(false);
  /** The other side put it on hold. */
  theirs = $state(false);

  readonly #deps: HoldDeps;

  constructor(deps: HoldDeps) {
    this.#deps = deps;
  }

  get onHold(): boolean {
    return this.mine || this.theirs;
  }

  /** Whether this side can hold (or take off hold) the call now: answered, connected once, and a call of two. */
  get possible(): boolean {
    const live = this.#deps.live();
    return live !== null && live.kind !== 'connecting' && !this.#deps.group();
  }

  /** Holds the call, or takes it off hold. */
  async toggle(): Promise<void> {
    const live = this.#deps.live();
    if (!live || !this.possible) return;
    const held = !this.mine;
    this.mine = held;
    this.#apply();
    const peer = live.peer.displayName;
    this.#deps.notices.announce(held ? `${peer} is on hold` : this.theirs ? `${peer} still has the call on hold` : `Call with ${peer} resumed`);
    const res = await this.#deps.link.request('call:hold', { callId: live.callId, held });
    if (res.ok || this.#deps.live()?.callId !== live.callId || this.mine !== held) return;
    // Refused (the call grew to more than two meanwhile): back as it was.
    this.mine = !held;
    this.#apply();
    this.#deps.notices.show(res.message, 'call');
  }

  /** The other side held the call (or took it off hold). */
  peer(held: boolean): void {
    const live = this.#deps.live();
    if (!live || held === this.theirs) return;
    this.theirs = held;
    this.#apply();
    const peer = live.peer.displayName;
    this.#deps.notices.announce(held ? `${peer} put the call on hold` : this.mine ? `${peer} took the call off hold; you still hold it` : `${peer} resumed the call`);
  }

  /** Either side reached the server again: the other may have missed a change (repeating it is harmless). */
  resend(callId: string): void {
    if (this.possible) void this.#deps.link.request('call:hold', { callId, held: this.mine });
  }

  /** A held call is the call again (hold and answer, hold-and-answer.ts), held as it was. */
  restore(mine: boolean, theirs: boolean): void {
    this.mine = mine;
    this.theirs = theirs;
    this.#apply();
  }

  /** The call is over. */
  reset(): void {
    this.mine = false;
    this.theirs = false;
  }

  #apply(): void {
    this.#deps.setOnHold(this.onHold);
  }
}
