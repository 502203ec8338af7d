/**
 * The calls, from dial or ring to their end. Each is a Call (call.svelte.ts: its phase, people, flags and
 * line) in a registry keyed by id, which knows the active one and one on hold meanwhile
 * (call-registry.svelte.ts). This drives the active call: placing, answering, ending, its media and hold.
 * Server events reach a call through call-events.ts by its id; all it needs from outside comes through CallDeps.
 */
import type { EndReason, FailureCause, UserRef } from 'parley-server/protocol';
import { logger } from '../lib/log.js';
import type { CallDeps } from './call-deps.js';
import { CallLine } from './call-line.svelte.js';
import { CallRegistry } from './call-registry.svelte.js';
import { endAside, setAside, swap, takeBack } from './hold-and-answer.js';
import type { CallEvent, CallPhase, LivePhase } from './call-state.js';
import { Call, isKnown, type KnownCall } from './call.svelte.js';
import { endReasonText, inviteRefusal } from './end-reasons.js';
import { failureText } from './failure.js';
import { CONNECT_LIMIT_MS, ENDED_VIEW_MS, MICROPHONE_PROBLEM } from './call-limits.js';
import { ConnectionWatch } from './connection-watch.js';
import { DialGate, unreachedText } from './dial-gate.js';
import { Hangups } from './hangups.js';
import { CallHold } from './call-hold.svelte.js';
import { CallWaiting } from './call-waiting.svelte.js';
import { CallTransfer } from './transfer.svelte.js';
import { calleeAhead, callerAhead, type Ahead } from './ahead.js';

const log = logger('call');

export class CallController {
  /** The calls here by id: the active one, and one on hold meanwhile (hold and answer, hold-and-answer.ts). */
  readonly registry: CallRegistry;
  readonly hangups: Hangups;
  /** Hold, in an answered call of two; a second call while in one (call-hold, call-waiting). */
  readonly hold: CallHold;
  readonly waiting: CallWaiting;
  /** Blind and attended transfer, consult and merge (transfer.svelte.ts). */
  readonly transfer: CallTransfer;
  /** Connected, interrupted, or failed for good: what the peer sessions say of the media. */
  readonly connection: ConnectionWatch;
  #timers: Partial<Record<'ended', ReturnType<typeof setTimeout>>> = {};
  /** The setup in flight (dial, ring, room join, rejoin): the next one aborts it, and its awaits give up. */
  #setup = new AbortController();
  #answering = false;
  readonly #gate: DialGate;
  readonly #deps: CallDeps;

  constructor(deps: CallDeps) {
    this.#deps = deps;
    this.registry = new CallRegistry(this.newCall());
    this.hangups = new Hangups(deps.link);
    this.connection = new ConnectionWatch(this, this.hangups, deps.notices);
    const { link, notices } = deps;
    this.hold = new CallHold({ link, notices, live: () => this.live(), group: () => this.group, setOnHold: (on) => this.mesh.setOnHold(on) });
    this.waiting = new CallWaiting(this, deps);
    this.transfer = new CallTransfer(this, deps);
    this.#gate = new DialGate(this, deps);
  }

  /** The call on screen: its phase, people, flags and line (call.svelte.ts). */
  get active(): Call { return this.registry.active; } // prettier-ignore
  /** The call on hold while another is answered (hold and answer), if there is one. */
  get aside(): KnownCall | null { return this.registry.held[0] ?? null; } // prettier-ignore
  /** The call going on (or on hold) that a server event names. */
  get(callId: string): Call | undefined { return this.registry.get(callId); } // prettier-ignore
  get phase(): CallPhase { return this.active.phase; } // prettier-ignore
  get outgoing(): boolean { return this.active.outgoing; } // prettier-ignore
  get muted(): boolean { return this.active.muted; } // prettier-ignore
  get videoCall(): boolean { return this.active.videoCall; } // prettier-ignore
  get room(): string | null { return this.active.room; } // prettier-ignore
  get invitedWith(): UserRef[] { return this.active.invitedWith; } // prettier-ignore
  get transferredBy(): UserRef | null { return this.active.transferredBy; } // prettier-ignore
  get line(): CallLine { return this.active.line; } // prettier-ignore
  get mesh() { return this.line.mesh; } // prettier-ignore
  get media() { return this.line.media; } // prettier-ignore
  get chat() { return this.line.chat; } // prettier-ignore
  get screenShare() { return this.line.screenShare; } // prettier-ignore
  get inputLevel(): number { return this.line.inputLevel; } // prettier-ignore
  get inputSpeaking(): boolean { return this.line.inputSpeaking; } // prettier-ignore
  get group(): boolean { return this.active.group; } // prettier-ignore
  get busy(): boolean { return this.active.busy; } // prettier-ignore
  get talking(): boolean { return this.active.talking; } // prettier-ignore
  get title(): string { return this.active.title; } // prettier-ignore

  // ------------------------------------------------------------ placing and answering

  /** Calls a contact (a video call with the camera on); `hold`: the call set aside for it (a consult, transfer.svelte.ts). */
  async dial(username: string, video = false, hold?: string): Promise<void> {
    if (!this.#gate.admit(username)) return; // in a call: the gate answered the click
    const peer = this.#deps.lookup(username);
    clearTimeout(this.#timers.ended);
    if (!this.apply({ type: 'dial', peer, at: Date.now() })) return;
    const signal = this.beginSetup();
    this.active.placed(video);
    this.#deps.notices.announce(`Calling ${peer.displayName}`);
    // Every await may outlive this attempt (cancel, sign-out, an incoming call taking over).
    const current = () => !signal.aborted && this.phase.kind === 'outgoing';
    // A microphone this app may not use fails the call before it rings anyone. Not connected yet (starting,
    // reconnecting), the call is on screen already and goes out once the server has the session (dial-gate.ts).
    const unplaced = this.#deps.platform.microphoneDenied() ? MICROPHONE_PROBLEM : this.#deps.link.connected || (await this.#gate.reached(signal)) ? null : unreachedText(peer.displayName);
    if (!current()) return;
    if (unplaced !== null) {
      this.#giveBack(hold);
      return this.end('failed', true, unplaced);
    }
    const res = await this.#deps.link.request('call:invite', { to: username, media: { audio: true, video }, ...(hold !== undefined && { hold }) });
    if (!current()) {
      // Given up while the invite was on its way: end it at the callee too.
      if (res.ok) void this.hangups.abandon(res.callId);
      return;
    }
    if (!res.ok) {
      const { reason, words } = inviteRefusal(res, peer);
      // A consult refused: the call held for it is back at once, off hold (the server took it off), and says why.
      if (this.#giveBack(hold)) this.end(reason, false, words ?? endReasonText({ reason, local: false, peer }, true));
      else this.end(reason, false, words, 'card');
      return;
    }
    this.apply({ type: 'invited', callId: res.callId });
    this.line.ice.granted(res.callId, res);
    // The microphone (and camera) open a moment after the server rang the callee (afterRinging, browser-platform.ts).
    await new Promise<void>((resolve) => this.#deps.platform.afterRinging(resolve));
    if (!current() && (signal.aborted || this.phase.kind !== 'connecting')) return; // answered meanwhile: goes on
    const microphone = this.line.openMicrophone(signal, () => !signal.aborted && this.busy);
    if (video) void this.media.setCamera(true);
    const stream = await microphone;
    const now = this.phase;
    if (signal.aborted || (now.kind !== 'outgoing' && now.kind !== 'connecting')) return;
    if (!stream) {
      void this.hangups.abandon(res.callId);
      this.end('failed', true, MICROPHONE_PROBLEM);
      return;
    }
    // Still ringing: make the offer now, sent early or when the call is answered (ahead.ts). Answered already: start.
    if (now.kind === 'outgoing') this.#prepareMedia(false, callerAhead(res.early));
    else this.#startMedia(now.polite);
  }

  /** Answers the ringing call; with `video`, the camera turns on too. `hold`: the call set aside meanwhile (setAside). */
  async answer(video = false, hold?: string): Promise<void> {
    if (this.phase.kind !== 'incoming' || this.#answering) return;
    this.#answering = true;
    if (video) void this.media.setCamera(true);
    try {
      const { callId } = this.phase;
      const signal = this.#setup.signal;
      const current = () => !signal.aborted && this.phase.kind === 'incoming' && this.phase.callId === callId;
      this.#deps.tones.stop();
      // Usually open already: it opened when the call began to ring.
      const stream = await this.line.openMicrophone(signal, () => !signal.aborted && this.busy);
      if (!current()) return;
      if (!stream) {
        this.#deps.notices.show(MICROPHONE_PROBLEM, 'device');
        this.decline();
        return;
      }
      // The server first (release() may hold this thread on WebRTC's); connected while it rang, this side's media starts now.
      const accepting = this.#deps.link.request('call:accept', { callId, ...(hold !== undefined && { hold }) });
      if (this.line.early) this.mesh.release();
      const res = await accepting;
      if (!current()) {
        if (res.ok) void this.hangups.abandon(callId);
        return;
      }
      if (!res.ok) {
        this.#giveBack(hold); // a call held for this answer comes back as it was: the server took it off hold for its other side
        this.end('answered-elsewhere', false, res.message);
        return;
      }
      // Added to a call going on: the answer says who is in it now (and, in a room, who owns it).
      if (res.participants) this.active.answeredWith(res.participants);
      this.line.recording.told(res.recording ?? []);
      if (this.room !== null) this.#deps.enteredRoom(callId, this.room, res.ownership);
      this.line.ice.granted(callId, res);
      if (this.apply({ type: 'answer', at: Date.now() })) this.#startMedia(res.polite);
    } finally {
      this.#answering = false;
    }
  }

  /** The call held for this one (a consult that never rang, an answer refused) comes back off hold, as the server has it. True when there was one. */
  #giveBack(hold: string | undefined): boolean {
    if (hold === undefined || this.aside?.callId !== hold) return false;
    this.aside.refuseAnswer();
    return true;
  }

  decline(): void {
    if (this.phase.kind !== 'incoming') return;
    // Offline, the hang-up sent on reconnect declines a call still ringing.
    if (this.#deps.link.connected) void this.#deps.link.request('call:decline', { callId: this.phase.callId });
    else void this.hangups.send(this.phase.callId);
    this.end('declined', true);
  }

  /** Resolves once the server has it (a consult's end gives its held call back: transfer.svelte.ts). */
  async cancel(): Promise<void> {
    if (this.phase.kind !== 'outgoing') return;
    // Without a call id yet, dial() hangs the call up when the invite's answer comes.
    const sent = this.phase.callId ? this.hangups.abandon(this.phase.callId) : undefined;
    this.end('cancelled', true);
    await sent;
  }

  async hangup(): Promise<void> {
    const live = this.live();
    if (!live) return;
    const sent = this.hangups.send(live.callId);
    this.end('hangup', true);
    await sent;
  }

  /** Whatever ends the current call from this side: cancel, decline or hang up. */
  async hangupOrEnd(): Promise<void> {
    if (this.phase.kind === 'outgoing') await this.cancel();
    else if (this.phase.kind === 'incoming') this.decline();
    else await this.hangup();
  }

  toggleMute(): void {
    const live = this.live();
    if (!live) return;
    this.active.setMuted(!this.muted);
    this.line.setMuted(this.muted);
    void this.#deps.link.request('call:mute', { callId: live.callId, muted: this.muted });
    this.#deps.notices.announce(this.muted ? 'Microphone muted' : 'Microphone on');
  }

  dismissEnded(): void {
    clearTimeout(this.#timers.ended);
    if (this.phase.kind !== 'ended') return;
    this.#deps.notices.withdraw(this.endedText()); // the card's words ("Bob hung up") leave the live region with it
    this.apply({ type: 'reset' });
  }

  /** Words for the current ended call. */
  endedText(): string { return this.active.endedText(); } // prettier-ignore

  // ------------------------------------------------------------ what the server says

  /** `participants`: who is in the call already, when `from` adds this user to one going on; `transferredBy`: who put `from` through. */
  incoming(callId: string, from: UserRef, polite: boolean, video: boolean, participants: UserRef[], room: string | null, early = false, transferredBy: UserRef | null = null): void {
    clearTimeout(this.#timers.ended);
    // Two people calling each other at once: the call that reached this side wins
    // over a dial the server has not taken yet (it would be refused as busy).
    if (this.phase.kind === 'outgoing' && this.phase.callId === null) this.end('cancelled', true);
    if (!this.apply({ type: 'incoming', callId, peer: from, at: Date.now() })) return;
    this.active.offered(video, room, participants.filter((p) => p.username !== from.username), transferredBy, polite);
    this.ring(early);
  }

  /** The active call, just offered (or a waiting call now on screen), rings: words, ringtone, notification, media made ahead. */
  ring(early = false): void {
    const call = this.active;
    if (call.phase.kind !== 'incoming' || !isKnown(call)) return;
    const { callId, peer: from, polite, transferredBy } = call;
    clearTimeout(this.#timers.ended);
    this.#deps.notices.resolved('call'); // the last call's words do not carry into this one
    const signal = this.beginSetup();
    const others = this.invitedWith.length > 0 ? ` into a call with ${this.invitedWith.map((p) => p.displayName).join(' and ')}` : '';
    const through = transferredBy ? `, transferred by ${transferredBy.displayName}` : '';
    this.#deps.notices.announce(`${from.displayName} is ${call.videoCall ? 'video ' : ''}calling you${others}${through}. Press Enter to answer, Escape to decline.`);
    this.#deps.platform.afterPaint(() => {
      if (signal.aborted || this.phase.kind !== 'incoming') return;
      this.#deps.ringing(from, this.invitedWith); // a notification, for a tab in the background: after the card, not before
      this.#deps.tones.play('ringtone');
      // Ready to answer at once: the microphone opens and the connection is made while it rings (ahead.ts).
      const ahead = calleeAhead(this.#deps, this.line.ice, callId, early, () => !signal.aborted && this.phase.kind === 'incoming');
      const microphone = this.line.openMicrophone(signal, () => !signal.aborted && this.busy);
      void Promise.all([microphone, ahead]).then(([stream, how]) => stream && this.#prepareMedia(polite, how));
    });
  }

  ringing(callId: string): void {
    if (!this.apply({ type: 'ringing', callId })) return;
    this.#deps.platform.afterPaint(() => {
      if (this.phase.kind === 'outgoing' && this.phase.callId === callId) this.#deps.tones.play('ringback');
    });
  }

  accepted(callId: string, polite: boolean): void {
    if (this.apply({ type: 'accepted', callId, polite, at: Date.now() })) this.#startMedia(polite);
    // Answered just as this side gave up on it: end it for the callee too.
    else if (this.hangups.wasAbandoned(callId)) void this.#deps.link.request('call:hangup', { callId });
  }

  endedByServer(callId: string, reason: EndReason, cause?: FailureCause): void {
    if (this.get(callId) === this.active) this.end(reason, false, failureText(cause, this.title));
  }

  /** Whether `callId` is the active call, ringing or answered, not over. */
  isCurrent(callId: string): boolean {
    return this.get(callId) === this.active;
  }

  /** Whether `callId` is the call going on here (answered, not over). */
  isLive(callId: string): boolean {
    return this.live()?.callId === callId;
  }

  // ------------------------------------------------------------ media

  /** A microphone opened before the join (a room's, a rejoin's) for the setup `signal` (see group-calls.ts). */
  useMicrophone(signal: AbortSignal, stream: MediaStream): void { this.line.useMicrophone(signal, stream); } // prettier-ignore

  /** A new setup: whatever an older one still awaits sees its signal aborted and gives up. */
  beginSetup(): AbortSignal {
    this.#setup.abort();
    return (this.#setup = new AbortController()).signal;
  }

  /** Makes the call's peer session while it still rings, held or connecting early until it is answered. */
  #prepareMedia(polite: boolean, ahead: Ahead): void {
    const phase = this.phase;
    if ((phase.kind === 'outgoing' || phase.kind === 'incoming') && phase.callId) this.line.prepare(phase.peer, polite, ahead);
  }

  /** The call is answered: send what was prepared while it rang (or make it now), and watch it connect. */
  #startMedia(polite: boolean): void {
    this.#deps.tones.stop();
    if (this.phase.kind !== 'connecting') return;
    this.connection.watch(CONNECT_LIMIT_MS);
    // The caller's microphone may still be opening: dial() starts the media when it is.
    if (!this.line.hasMicrophone) return;
    const { peer } = this.phase;
    const prepared = this.mesh.session(peer.username);
    if (prepared && prepared.polite !== polite) {
      log.warn('call role changed after the connection was prepared');
      this.mesh.remove(peer.username);
    }
    if (this.mesh.session(peer.username)) this.mesh.release();
    else this.mesh.add(peer, polite);
    // Added to a call going on: this side is the newcomer, polite toward everyone there.
    for (const other of this.invitedWith) this.mesh.add(other, true);
    this.active.connectedToInvited();
    this.line.startMeters();
  }

  /** Their window reloaded: a new connection to them, which this side offers; reconnecting until it is up. */
  renewPeer(username: string): void {
    this.mesh.renew(username);
    this.connection.mediaState(username, 'interrupted');
  }

  // ------------------------------------------------------------ phase

  /** The one teardown of a call, idempotent. `message`: why, in words, as a notice, or (`card`, a refusal) on the ended card instead of its stock words. */
  end(reason: EndReason, local: boolean, message: string | null = null, shown: 'notice' | 'card' = 'notice'): void {
    if (!this.apply({ type: 'end', reason, local, at: Date.now() })) return;
    this.active.closed(shown === 'card' ? message : null);
    this.#deps.tones.stop();
    this.line.teardown();
    this.connection.stop();
    this.hold.reset();
    this.transfer.reset();
    this.#deps.notices.resolved('call'); // what was said about this call goes with it
    if (message && shown === 'notice') this.#deps.notices.show(message, 'call');
    this.#deps.notices.announce(this.endedText());
    this.#timers.ended = setTimeout(() => this.dismissEnded(), ENDED_VIEW_MS);
    this.#deps.ended(!this.outgoing && !local && (reason === 'cancelled' || reason === 'no-answer'));
    if (this.aside) {
      clearTimeout(this.#timers.ended);
      takeBack(this, this.#deps.notices, this.aside);
    }
  }

  // ------------------------------------------------------------ hold and answer (hold-and-answer.ts)

  /** Holds the call of two going on; `next` (a waiting call, or a new one) is the active call. */
  setAside(next?: Call): string | null { return setAside(this, next); } // prettier-ignore
  endAside(callId: string, reason: EndReason): void { endAside(this, this.#deps.notices, callId, reason); } // prettier-ignore
  swap(): Promise<void> { return swap(this, this.#deps.link, this.#deps.notices); } // prettier-ignore

  /** The active call went into `held` (a merge): its line goes with no ended view, and `held` is the call again, off hold. */
  resumeMerged(held: KnownCall): void {
    this.#deps.tones.stop();
    this.line.teardown();
    this.connection.stop();
    this.hold.reset();
    takeBack(this, this.#deps.notices, held, true);
    this.#deps.ended(false);
  }

  /** A new call, idle, with its own line; the connection watch hears its media while it is the active one. */
  newCall(): Call {
    const call: Call = new Call(
      (hooks) => new CallLine(this.#deps, hooks),
      (username, state) => this.active === call && this.connection.mediaState(username, state),
    );
    return call;
  }

  apply(event: CallEvent): boolean { return this.active.apply(event); } // prettier-ignore
  /** The call as answered and going on, if it is. */
  live(): LivePhase | null { return this.active.live(); } // prettier-ignore

  dispose(): void {
    void this.hangupOrEnd();
    clearTimeout(this.#timers.ended);
  }
}
