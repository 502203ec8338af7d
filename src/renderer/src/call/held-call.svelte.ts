/**
 * Hold and answer: the call of two this side holds while it answers a
 * waiting call (PROTOCOL.md, call:accept `hold`). The held call keeps its
 * line (its peer connection up, its senders inactive as for any hold) and
 * what the controller knew of it; the controller takes it back, still on
 * hold, once the answered call is over. Server events for its call id come
 * here meanwhile (call-events.ts).
 */
import type { UserRef } from 'parley-server/protocol';
import type { CallFlags } from './call.svelte.js';
import type { CallLine, LineHooks } from './call-line.svelte.js';
import type { LivePhase } from './call-state.js';
import type { Signal } from './call-session.js';

export class HeldCall {
  /** The other side holds it too (call:held while it is aside). */
  theirs = $state(false);
  /** The answer it was held for was refused: it comes back off hold, as the server made it for its other side. */
  answerRefused = false;
  readonly callId: string;
  readonly peer: UserRef;
  readonly polite: boolean;
  readonly answeredAt: number;

  constructor(
    phase: LivePhase,
    readonly line: CallLine,
    /** What the call had, to be as it was when it comes back. */
    readonly state: CallFlags,
    theirs: boolean,
  ) {
    this.callId = phase.callId;
    this.peer = phase.peer;
    this.polite = phase.polite;
    this.answeredAt = phase.kind === 'connecting' ? phase.since : phase.answeredAt;
    this.theirs = theirs;
  }

  /** What the line asks of its call while it is aside: this call's id, and nothing to report (its media is held). */
  hooks(): LineHooks {
    return {
      callId: () => this.callId,
      muted: () => this.state.muted,
      group: () => false,
      title: () => this.peer.displayName,
      // A held call is silent by design: its media timeout waits until it is back (ConnectionWatch).
      mediaState: () => undefined,
    };
  }

  signal(from: string, signal: Signal): void {
    this.line.mesh.signal(from, signal);
  }

  /** Its other side muted or unmuted. */
  mutedBy(username: string, muted: boolean): void {
    this.line.mesh.setMutedBy(username, muted);
  }

  /** Its other side put it on hold too, or took it off. */
  heldBy(held: boolean): void {
    this.theirs = held;
  }

  /** Its other side lost the server, or came back (with `fresh`, without its peer connection). */
  peerConnection(connected: boolean, fresh: boolean): void {
    const who = this.peer.username;
    if (connected && fresh) this.line.mesh.renew(who);
    this.line.mesh.setAway(who, !connected);
  }

  /** It ended while aside: its media stops. */
  close(): void {
    this.line.teardown();
  }
}
