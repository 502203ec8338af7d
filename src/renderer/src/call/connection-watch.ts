/**
 * Whether the current call's media is up, as its peer sessions report it:
 * the call turns connected when a path comes up (in a group, when the first
 * one does; a call of two follows its one path through interrupted and back),
 * and a path that does not come up (again) in time ends the call as failed,
 * with the cause that was seen (failure.ts).
 */
import type { EndReason } from 'parley-server/protocol';
import type { CallDeps } from './call-deps.js';
import { RECONNECT_LIMIT_MS } from './call-limits.js';
import type { MediaState } from './call-session.js';
import { answered, type CallEvent, type CallPhase } from './call-state.js';
import { failureSeen, failureText } from './failure.js';
import type { Hangups } from './hangups.js';
import type { Mesh } from './mesh.svelte.js';

/** What the watch needs of the call controller (which makes it). */
export interface WatchedCall {
  readonly phase: CallPhase;
  readonly group: boolean;
  readonly title: string;
  readonly mesh: Mesh;
  apply(event: CallEvent): boolean;
  isCurrent(callId: string): boolean;
  end(reason: EndReason, local: boolean, message: string | null): void;
}

export class ConnectionWatch {
  #timer: ReturnType<typeof setTimeout> | undefined;

  readonly #call: WatchedCall;
  readonly #hangups: Hangups;
  readonly #notices: CallDeps['notices'];

  constructor(
    call: WatchedCall,
    hangups: Hangups,
    notices: CallDeps['notices'],
  ) {
    this.#call = call;
    this.#hangups = hangups;
    this.#notices = notices;
  }

  /** A peer session's path changed. */
  mediaState(username: string, state: MediaState): void {
    const call = this.#call;
    call.mesh.setState(username, state);
    if (call.group) {
      // One person's path is theirs, not the call's: the call is up once one path is.
      if (state === 'connected' && call.phase.kind === 'connecting') {
        this.stop();
        if (call.apply({ type: 'connected', at: Date.now() })) this.#notices.announce('In the call');
      }
      return;
    }
    if (state === 'connected') {
      this.stop();
      if (call.apply({ type: 'connected', at: Date.now() })) this.#notices.announce(`In call with ${call.title}`);
    } else if (state === 'interrupted') {
      if (call.apply({ type: 'interrupted' })) this.watch(RECONNECT_LIMIT_MS);
    } else { // failed, or silent: up while no audio arrives (media-timeout.ts)
      this.#giveUp();
    }
  }

  /** Ends the call as failed unless its media comes up (again) within `limitMs`. */
  watch(limitMs: number): void {
    this.stop();
    this.#timer = setTimeout(() => this.#giveUp(), limitMs);
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #giveUp(): void {
    const phase = this.#call.phase;
    if (!answered(phase)) return;
    void failureSeen(this.#call.mesh, phase.kind !== 'connecting').then((cause) => {
      if (!this.#call.isCurrent(phase.callId)) return;
      void this.#hangups.send(phase.callId, cause);
      this.#call.end('failed', false, failureText(cause, this.#call.title));
    });
  }
}
