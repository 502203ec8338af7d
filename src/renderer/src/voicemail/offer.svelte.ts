/**
 * When to offer "Leave a message": a call this side placed to one person
 * ended without an answer (no answer, declined, the callee offline or on do
 * not disturb). The offer stays until it is taken, dismissed, or another
 * call begins. Reads the call controller's state; changes nothing of it.
 */
import type { EndReason, UserRef } from 'parley-server/protocol';
import { USERNAME_PATTERN } from 'parley-server/protocol/primitives';
import type { CallPhase } from '../call/call-state.js';

/** The end reasons after which the caller may leave a message. */
export const OFFERED_AFTER: readonly EndReason[] = ['no-answer', 'declined', 'offline', 'dnd'];

/** Whom a message could be left for after this phase, or null. Pure. */
export function offerFor(phase: CallPhase, outgoing: boolean): UserRef | null {
  if (phase.kind !== 'ended' || !outgoing || !OFFERED_AFTER.includes(phase.reason)) return null;
  // A named room stands as a peer in the phase: only a person has a voicemail.
  return USERNAME_PATTERN.test(phase.peer.username) ? phase.peer : null;
}

export interface OfferSource {
  readonly phase: CallPhase;
  readonly outgoing: boolean;
}

export class VoicemailOffer {
  /** Whom the person may leave a message for now. */
  peer = $state.raw<UserRef | null>(null);
  /** The recorder is open for `peer`. */
  open = $state(false);
  #stop: (() => void) | null = null;

  /** Follows the calls until dispose(). */
  watch(calls: OfferSource): void {
    this.#stop = $effect.root(() => {
      $effect(() => {
        const phase = calls.phase;
        const peer = offerFor(phase, calls.outgoing);
        if (peer) this.peer = peer;
        // A new call (placed or ringing) takes the offer's place; the ended card going away does not.
        else if (phase.kind !== 'ended' && phase.kind !== 'idle' && !this.open) this.peer = null;
      });
    });
  }

  take(): void {
    if (this.peer) this.open = true;
  }

  dismiss(): void {
    this.open = false;
    this.peer = null;
  }

  dispose(): void {
    this.#stop?.();
    this.#stop = null;
  }
}
