/**
 * Call waiting: a second call that comes while this side is in an answered
 * one. The server rings it (PROTOCOL.md, call:invite) and leaves the choice
 * here: it beeps softly and shows a card over the call; Decline, End and
 * answer (this call is hung up, then the new one answered), or, in a call
 * of two, Hold and answer (hold-and-answer.ts). With "Busy when
 * in a call" set it is declined as busy at once, and the caller hears busy.
 * When the call going on ends meanwhile, the waiting call rings as any call.
 * The waiting call is a Call of the registry from the start (its waiting
 * slot), found by its id, and the same Call is the active one once answered.
 */
import type { UserRef } from 'parley-server/protocol';
import type { CallDeps } from './call-deps.js';
import type { CallRegistry } from './call-registry.svelte.js';
import type { LivePhase } from './call-state.js';
import type { Call, KnownCall } from './call.svelte.js';

/** What call waiting needs of the call controller (which makes it). */
export interface WaitingHost {
  readonly title: string;
  readonly registry: CallRegistry;
  live(): LivePhase | null;
  end(reason: 'hangup', local: true): void;
  dismissEnded(): void;
  /** A new call, idle, with its own line: the waiting call is one. */
  newCall(): Call;
  /** The active call (just made the waiting one) rings here as any call. */
  ring(): void;
  answer(video: boolean, hold?: string): Promise<void>;
  /** Holds the call of two going on, with `next` the active call; the held call's id, or null when it cannot be held. */
  setAside(next: Call): string | null;
}

/** A call ringing, as it arrived: who calls, into what. */
export interface WaitingCall {
  callId: string;
  from: UserRef;
  polite: boolean;
  video: boolean;
  participants: UserRef[];
  room: string | null;
  /** A blind transfer: who put the caller through. */
  transferredBy: UserRef | null;
}

export class CallWaiting {
  readonly #calls: WaitingHost;
  readonly #deps: Pick<CallDeps, 'link' | 'notices' | 'tones' | 'settings' | 'ringing'>;

  constructor(
    calls: WaitingHost,
    deps: Pick<CallDeps, 'link' | 'notices' | 'tones' | 'settings' | 'ringing'>,
  ) {
    this.#calls = calls;
    this.#deps = deps;
  }

  /** The call waiting to be answered or declined (a Call in the registry, ringing); null when none. */
  get call(): KnownCall | null {
    return this.#calls.registry.waiting;
  }

  /** call:incoming for a call other than the one going on. Whether it waits is for the caller to check (`calls.talking`). */
  incoming(offer: WaitingCall): void {
    const { link, notices, settings, tones } = this.#deps;
    // One waiting call at a time; and with "Busy when in a call", none.
    if (settings().busyInCall || this.call !== null) {
      void link.request('call:decline', { callId: offer.callId, busy: true });
      return;
    }
    const call = this.#calls.newCall();
    if (!call.apply({ type: 'incoming', callId: offer.callId, peer: offer.from, at: Date.now() })) return;
    const others = offer.participants.filter((p) => p.username !== offer.from.username);
    call.offered(offer.video, offer.room, others, offer.transferredBy, offer.polite);
    this.#calls.registry.wait(call as KnownCall);
    tones.play('waiting');
    const through = offer.transferredBy ? `, transferred by ${offer.transferredBy.displayName}` : '';
    notices.announce(`${offer.from.displayName} is ${offer.video ? 'video ' : ''}calling you${through}. You are in a call with ${this.#calls.title}.`);
    this.#deps.ringing(offer.from, others);
  }

  decline(): void {
    const call = this.#take();
    if (call) void this.#deps.link.request('call:decline', { callId: call.callId });
  }

  /** Hangs up the call going on, then answers the waiting one (the server takes the answer only once the first is left). */
  async endAndAnswer(): Promise<void> {
    const call = this.#take();
    if (!call) return;
    const live = this.#calls.live();
    if (live) {
      const left = this.#deps.link.request('call:hangup', { callId: live.callId });
      this.#calls.end('hangup', true);
      await left;
    }
    this.#ring(call);
    await this.#calls.answer(call.videoCall);
  }

  /**
   * Holds the call going on (a call of two) and answers the waiting one; the
   * held call comes back, still on hold, when the answered one is over.
   */
  async holdAndAnswer(): Promise<void> {
    const call = this.call;
    if (!call) return;
    // A stale command (the desktop's) can ask when the call cannot be held: the card stays.
    const held = this.#calls.setAside(call);
    if (held === null) return;
    this.#deps.tones.stop();
    this.#calls.ring();
    await this.#calls.answer(call.videoCall, held);
  }

  /** The server ended a call: if it was the waiting one, it is gone. */
  endedByServer(callId: string): void {
    if (this.call?.callId === callId) this.#take();
  }

  /** The call going on is over (either side ended it): the waiting one rings as any call now, unless a held call is back. */
  callEnded(): void {
    if (this.#calls.live()) return;
    const call = this.#take();
    if (call) this.#ring(call);
  }

  /** The waiting call is the one on screen now, ringing as any call. */
  #ring(call: KnownCall): void {
    this.#calls.dismissEnded();
    this.#calls.registry.ring(call);
    this.#calls.ring();
  }

  #take(): KnownCall | null {
    const call = this.#calls.registry.takeWaiting();
    if (call) this.#deps.tones.stop();
    return call;
  }
}
