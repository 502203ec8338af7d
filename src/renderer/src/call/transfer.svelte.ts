/**
 * Transfer and merge, the app's side (PROTOCOL.md, "Transfer and merge"):
 * - blind: the call of two going on is put through to a colleague, who is
 *   rung with "Bob, transferred by Alice"; this side leaves once they
 *   answer, and has the call back (or it ends: the "transferUnanswered"
 *   setting) when they do not;
 * - consult: the call is held and a colleague called (`call:invite { hold }`),
 *   then Transfer puts the held call's other side through to them, Merge
 *   makes one call of the three, and Back to… ends the consult and resumes;
 * - the other sides: the one transferred is told who puts them through to
 *   whom, and whoever moves into another call (call:ended `moved`) is
 *   connected to its people there, with no ended view between.
 */
import type { CallMoved, EndReason, UserRef } from 'parley-server/protocol';
import type { CallDeps } from './call-deps.js';
import type { CallHold } from './call-hold.svelte.js';
import { CONNECT_LIMIT_MS } from './call-limits.js';
import type { CallRegistry } from './call-registry.svelte.js';
import type { LivePhase } from './call-state.js';
import type { Call, KnownCall } from './call.svelte.js';
import { endReasonText } from './end-reasons.js';

/** What of the call controller (controller.svelte.ts) transfers work with. */
export interface TransferHost {
  readonly registry: CallRegistry;
  readonly active: Call;
  readonly aside: KnownCall | null;
  readonly hold: CallHold;
  readonly connection: { watch(limitMs: number): void };
  live(): LivePhase | null;
  setAside(): string | null;
  dial(username: string, video: boolean, hold?: string): Promise<void>;
  hangupOrEnd(): Promise<void>;
  end(reason: EndReason, local: boolean, message?: string | null, shown?: 'notice' | 'card'): void;
  /** The active call went into `held` (a merge): it is the call again, off hold, with no ended view between. */
  resumeMerged(held: KnownCall): void;
}

/** A blind transfer this side started, while it rings. */
export interface TransferRinging {
  callId: string;
  /** Whom the call goes to, and whom it is with now. */
  to: UserRef;
  from: UserRef;
  onFailure: 'return' | 'end';
}

/** This side's call being transferred by its other side: by whom, to whom (null once they left, before the next one is in). */
export interface BeingTransferred {
  callId: string;
  by: UserRef;
  to: UserRef | null;
}

export class CallTransfer {
  /** This side's blind transfer, ringing its target. */
  ringing = $state<TransferRinging | null>(null);
  /** The other side is transferring this side's call. */
  beingTransferred = $state<BeingTransferred | null>(null);
  /** The call whose transfer panel (whom to put it through to) is open; the desktop's shortcut opens it too. */
  choosingFor = $state<string | null>(null);

  readonly #host: TransferHost;
  readonly #deps: Pick<CallDeps, 'link' | 'notices' | 'settings' | 'lookup' | 'me' | 'ended'>;

  constructor(
    host: TransferHost,
    deps: Pick<CallDeps, 'link' | 'notices' | 'settings' | 'lookup' | 'me' | 'ended'>,
  ) {
    this.#host = host;
    this.#deps = deps;
  }

  /** A transfer or a consult can start: an answered, connected call of two, no other call held, none ringing. */
  get possible(): boolean {
    return this.#host.hold.possible && this.#host.aside === null && this.ringing === null && this.beingTransferred === null;
  }

  /** Transfer (attended) and Merge apply: a call held aside, and the call going on is answered, connected and of two. */
  get consulting(): boolean {
    return this.#host.aside !== null && this.#host.hold.possible;
  }

  /** Opens (or closes) the transfer panel of the call going on. */
  choose(open = true): void {
    const live = this.#host.live();
    this.choosingFor = open && live && this.possible ? live.callId : null;
  }

  /** Blind transfer of the call going on to `to`; refusals are said, and the call stays as it was. */
  async blind(to: string): Promise<void> {
    const live = this.#host.live();
    if (!live || !this.possible) return;
    this.choosingFor = null;
    const target = this.#deps.lookup(to);
    const onFailure = this.#deps.settings().transferUnanswered;
    const ringing: TransferRinging = { callId: live.callId, to: target, from: live.peer, onFailure };
    this.ringing = ringing;
    const res = await this.#deps.link.request('call:transfer', { callId: live.callId, to, onFailure });
    if (this.ringing !== ringing) return; // answered, or over, meanwhile
    if (!res.ok) {
      this.ringing = null;
      this.#deps.notices.show(`${live.peer.displayName} was not transferred: ${res.message}`, 'call');
      return;
    }
    this.#deps.notices.announce(`Ringing ${target.displayName} for ${live.peer.displayName}. You leave the call when ${target.displayName} answers.`);
  }

  /** Takes back a blind transfer still ringing: the call stays this side's. */
  async takeBack(): Promise<void> {
    const ringing = this.ringing;
    if (!ringing) return;
    const res = await this.#deps.link.request('call:cancel', { callId: ringing.callId, to: ringing.to.username });
    if (!res.ok && this.ringing === ringing) this.#deps.notices.show(res.message, 'call');
  }

  /** Consult: holds the call going on and calls `to`; Transfer, Merge or Back to… follow once they answer. */
  async consult(to: string, video = false): Promise<void> {
    if (!this.possible || !this.#deps.link.connected) return;
    this.choosingFor = null;
    const held = this.#host.setAside();
    if (held === null) return;
    this.#deps.notices.announce(`${this.#host.aside?.peer.displayName ?? 'The call'} is on hold while you call ${this.#deps.lookup(to).displayName}`);
    await this.#host.dial(to, video, held);
  }

  /** Attended transfer: the held call's other side is put through to the one consulted, and this side leaves both. */
  async complete(): Promise<void> {
    const held = this.#host.aside;
    const live = this.#host.live();
    if (!held || !live || !this.consulting) return;
    const res = await this.#deps.link.request('call:transfer', { callId: held.callId, consult: live.callId });
    if (!res.ok) {
      this.#deps.notices.show(`${held.peer.displayName} was not transferred: ${res.message}`, 'call');
      return;
    }
    this.#dropHeld(held);
    if (this.#host.live()?.callId === live.callId) {
      this.#host.end('hangup', true, `You put ${held.peer.displayName} through to ${live.peer.displayName}`, 'card');
    }
  }

  /** Merge: the one consulted joins the held call, which is this side's again, off hold: one call of three. */
  async merge(): Promise<void> {
    const held = this.#host.aside;
    const live = this.#host.live();
    if (!held || !live || !this.consulting) return;
    const res = await this.#deps.link.request('call:merge', { callId: held.callId, with: live.callId });
    if (!res.ok) {
      this.#deps.notices.show(`The calls were not merged: ${res.message}`, 'call');
      return;
    }
    if (this.#host.aside !== held) return; // the held call ended meanwhile: the server's events said so
    this.#host.resumeMerged(held);
    this.#deps.notices.announce(`${live.peer.displayName} is joining your call with ${held.peer.displayName}`);
  }

  /** Back to the held call: the consult ends (cancelled if it still rings), and the held call is resumed. */
  async backToHeld(): Promise<void> {
    const held = this.#host.aside;
    if (!held) return;
    await this.#host.hangupOrEnd();
    // The server has the held call back once the consult is over; it is on hold until this side takes it off.
    if (this.#host.active === held && this.#host.hold.mine) await this.#host.hold.toggle();
  }

  // ------------------------------------------------------------ what the server says

  /** room:ringing with `transfer`: this side's transfer rings, or the other side is transferring this side. */
  heardRinging(callId: string, user: UserRef, by: string): void {
    if (by === this.#deps.me()?.username) return; // this side's own (blind() knows)
    const call = this.#host.registry.get(callId);
    if (!call || call !== this.#host.active) return;
    const transferor = call.line.mesh.peer(by)?.user ?? this.#deps.lookup(by);
    this.beingTransferred = { callId, by: transferor, to: user };
    this.#deps.notices.announce(`${transferor.displayName} is transferring you to ${user.displayName}`);
  }

  /** room:left with `transfer`: a transfer's target did not answer, or the transferor left once it connected. */
  heardLeft(callId: string, username: string, reason: EndReason): void {
    const ringing = this.ringing;
    if (ringing?.callId === callId && ringing.to.username === username) {
      this.ringing = null;
      const after = ringing.onFailure === 'end' ? 'The call ends.' : `You are back with ${ringing.from.displayName}.`;
      this.#deps.notices.show(`${this.#notTaken(ringing.to, reason)} ${after}`, 'call');
      return;
    }
    const being = this.beingTransferred;
    if (being?.callId === callId && being.to?.username === username) {
      this.beingTransferred = null;
      this.#deps.notices.show(`${this.#notTaken(being.to, reason)} You are back with ${being.by.displayName}.`, 'call');
      return;
    }
    const call = this.#host.registry.get(callId);
    if (call !== this.#host.active || call.peer?.username !== username) return;
    // The one this side talked with put the call through and left: their hold goes with them.
    this.#host.hold.restore(this.#host.hold.mine, false);
    this.beingTransferred = { callId, by: being?.by ?? call.peer, to: null };
  }

  /** room:joined: in a call of two, whoever comes in when the other side left is the one it is with now. */
  heardJoined(callId: string, user: UserRef): void {
    const call = this.#host.active;
    if (this.#host.registry.get(callId) !== call || call.room !== null) return;
    // A call of two that grows is no longer held: hold is for two (a merge brings the third).
    if (call.line.mesh.size > 1 && this.#host.hold.onHold) this.#host.hold.restore(false, false);
    const being = this.beingTransferred;
    if (call.line.mesh.size !== 1 || being?.callId !== callId) return;
    this.beingTransferred = null;
    call.apply({ type: 'peer', peer: user });
    this.#deps.notices.announce(`${being.by.displayName} put you through to ${user.displayName}`);
  }

  /** call:ended `transferred`: this side's transfer connected the others; its part is over. */
  transferred(callId: string): boolean {
    const held = this.#host.aside;
    if (held?.callId === callId) {
      this.#dropHeld(held); // an attended transfer: complete() ends the consult on its answer
      return true;
    }
    const live = this.#host.live();
    if (live?.callId !== callId) return false;
    const to = this.ringing?.callId === callId ? this.ringing.to : null;
    this.ringing = null;
    const words = to ? `You put ${live.peer.displayName} through to ${to.displayName}` : `You transferred ${live.peer.displayName}`;
    this.#host.end('hangup', true, words, 'card');
    return true;
  }

  /** call:ended `moved`: the call going on continues as another (an attended transfer or a merge brought this side there). */
  moved(callId: string, to: CallMoved): boolean {
    const call = this.#host.active;
    const [first] = to.participants;
    if (call.callId !== callId || !this.#host.live() || !first) return false;
    const mesh = call.line.mesh;
    // The connection to the one who moved this side ended with their call: new ones, offered by the people there.
    for (const peer of [...mesh.peers]) mesh.remove(peer.user.username);
    call.apply({ type: 'moved', callId: to.callId, peer: first, at: Date.now() });
    this.#host.hold.restore(false, false);
    for (const user of to.participants) mesh.add(user, true);
    this.#host.connection.watch(CONNECT_LIMIT_MS);
    this.#deps.ended(false);
    this.#deps.notices.announce(`You are now in a call with ${to.participants.map((p) => p.displayName).join(' and ')}`);
    return true;
  }

  /** The call this side is in is over: what was under way for it goes with it. */
  reset(): void {
    this.ringing = null;
    this.beingTransferred = null;
    this.choosingFor = null;
  }

  /** Why a transfer's target did not take the call, in words. */
  #notTaken(who: UserRef, reason: EndReason): string {
    const name = who.displayName;
    switch (reason) {
      case 'cancelled':
        return `The transfer to ${name} was taken back.`;
      case 'declined':
        return `${name} declined the transfer.`;
      case 'no-answer':
        return `${name} did not answer.`;
      default:
        return `${endReasonText({ reason, local: false, peer: who }, true)}.`;
    }
  }

  /** The held call went to someone else: its media stops here, with nothing said of an end. */
  #dropHeld(held: KnownCall): void {
    if (!this.#host.registry.drop(held.callId)) return;
    held.line.teardown();
  }
}
