/**
 * Call waiting: a second call that comes while this side is in an answered
 * one. The server rings it (PROTOCOL.md, call:invite) and leaves the choice
 * here: it beeps softly and shows a card over the call; Decline, End and
 * answer (this call is hung up, then the new one answered), or, in a call
 * of two, Hold and answer (hold-and-answer.ts). With "Busy when
 * in a call" set it is declined as busy at once, and the caller hears busy.
 * When the call going on ends meanwhile, the waiting call rings as any call.
 */
import type { UserRef } from 'parley-server/protocol';
import type { CallDeps } from './call-deps.js';
import type { LivePhase } from './call-state.js';

/** What call waiting needs of the call controller (which makes it). */
export interface WaitingHost {
  readonly title: string;
  live(): LivePhase | null;
  end(reason: 'hangup', local: true): void;
  dismissEnded(): void;
  incoming(callId: string, from: UserRef, polite: boolean, video: boolean, participants: UserRef[], room: string | null, early?: boolean, transferredBy?: UserRef | null): void;
  answer(video: boolean, hold?: string): Promise<void>;
  /** Holds the call of two going on and sets it aside; its id, or null when it cannot be held. */
  setAside(): string | null;
}

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
  /** The call waiting to be answered or declined; null when none. */
  call = $state<WaitingCall | null>(null);

  constructor(
    private readonly calls: WaitingHost,
    private readonly deps: Pick<CallDeps, 'link' | 'notices' | 'tones' | 'settings' | 'ringing'>,
  ) {}

  /** call:incoming for a call other than the one going on. Whether it waits is for the caller to check (`calls.talking`). */
  incoming(call: WaitingCall): void {
    const { link, notices, settings, tones } = this.deps;
    // One waiting call at a time; and with "Busy when in a call", none.
    if (settings().busyInCall || this.call !== null) {
      void link.request('call:decline', { callId: call.callId, busy: true });
      return;
    }
    this.call = call;
    tones.play('waiting');
    const through = call.transferredBy ? `, transferred by ${call.transferredBy.displayName}` : '';
    notices.announce(`${call.from.displayName} is ${call.video ? 'video ' : ''}calling you${through}. You are in a call with ${this.calls.title}.`);
    this.deps.ringing(call.from, call.participants);
  }

  decline(): void {
    const call = this.take();
    if (call) void this.deps.link.request('call:decline', { callId: call.callId });
  }

  /** Hangs up the call going on, then answers the waiting one (the server takes the answer only once the first is left). */
  async endAndAnswer(): Promise<void> {
    const call = this.take();
    if (!call) return;
    const live = this.calls.live();
    if (live) {
      const left = this.deps.link.request('call:hangup', { callId: live.callId });
      this.calls.end('hangup', true);
      await left;
    }
    this.ring(call);
    await this.calls.answer(call.video);
  }

  /**
   * Holds the call going on (a call of two) and answers the waiting one; the
   * held call comes back, still on hold, when the answered one is over.
   */
  async holdAndAnswer(): Promise<void> {
    const call = this.call;
    if (!call) return;
    // A stale command (the desktop's) can ask when the call cannot be held: the card stays.
    const held = this.calls.setAside();
    if (held === null) return;
    this.take();
    this.ring(call);
    await this.calls.answer(call.video, held);
  }

  /** The server ended a call: if it was the waiting one, it is gone. */
  endedByServer(callId: string): void {
    if (this.call?.callId === callId) this.take();
  }

  /** The call going on is over (either side ended it): the waiting one rings as any call now, unless a held call is back. */
  callEnded(): void {
    if (this.calls.live()) return;
    const call = this.take();
    if (call) this.ring(call);
  }

  private ring(call: WaitingCall): void {
    this.calls.dismissEnded();
    this.calls.incoming(call.callId, call.from, call.polite, call.video, call.participants, call.room, false, call.transferredBy);
  }

  private take(): WaitingCall | null {
    const call = this.call;
    if (call) this.deps.tones.stop();
    this.call = null;
    return call;
  }
}
