/**
 * When to restart ICE so a call's media path comes back after a network
 * change. Pure policy, no WebRTC: the CallSession feeds it connection states
 * and whether signaling works, and it says when to restart.
 *
 * - Only the impolite side restarts, so the two never restart over each other.
 * - `disconnected` may heal by itself (a few lost packets): wait a moment.
 *   `failed` will not: restart at once.
 * - A restart whose offer cannot reach the peer (signaling down) waits for
 *   signaling to come back; one that did not bring the path back is retried.
 * - Signaling coming back (this side's or the peer's connection) restarts at
 *   once, even when the path still looks up: the connection may have dropped
 *   because the network changed, and ICE notices a dead path only seconds
 *   later (about 6 s in Chromium). A restart on a working path is harmless:
 *   media stays on the old pair until a new one is chosen.
 * - One restart at a time: a second reason within RETRY_RESTART_MS of a
 *   restart (both sides reconnecting) waits for that restart's outcome.
 */
export const RESTART_AFTER_DISCONNECTED_MS = 1500;
export const RETRY_RESTART_MS = 4000;

export type PathState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export interface MediaRecoveryDeps {
  impolite: boolean;
  canSignal: () => boolean;
  restart: () => void;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export class MediaRecovery {
  #state: PathState = 'new';
  /** A restart is owed but signaling was down. */
  #owed = false;
  /** A restart was made and its retry timer has not fired yet. */
  #inFlight = false;
  #timer: unknown = null;
  readonly #setTimer: (fn: () => void, ms: number) => unknown;
  readonly #clearTimer: (handle: unknown) => void;

  readonly #deps: MediaRecoveryDeps;

  constructor(deps: MediaRecoveryDeps) {
    this.#deps = deps;
    this.#setTimer = deps.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.#clearTimer = deps.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  }

  /** The peer connection's `connectionState` changed. */
  onPathState(state: PathState): void {
    this.#state = state;
    if (!this.#deps.impolite) return;
    if (state === 'connected' || state === 'closed') {
      this.#cancel();
      this.#owed = false;
      this.#inFlight = false;
    } else if (state === 'failed') {
      this.#restartNow();
    } else if (state === 'disconnected' && this.#timer === null) {
      this.#schedule(RESTART_AFTER_DISCONNECTED_MS);
    }
  }

  /** This side's, or the peer's, connection to the server is back. */
  onSignalingRestored(): void {
    if (!this.#deps.impolite || this.#state === 'closed' || this.#state === 'new') return;
    if (this.#inFlight && !this.#owed) return;
    this.#restartNow();
  }

  dispose(): void {
    this.#cancel();
    this.#state = 'closed';
  }

  #restartNow(): void {
    this.#cancel();
    if (!this.#deps.canSignal()) {
      this.#owed = true;
      return;
    }
    this.#owed = false;
    this.#inFlight = true;
    this.#deps.restart();
    this.#schedule(RETRY_RESTART_MS);
  }

  #schedule(ms: number): void {
    this.#cancel();
    this.#timer = this.#setTimer(() => {
      this.#timer = null;
      this.#inFlight = false;
      if (this.#state !== 'connected' && this.#state !== 'closed') this.#restartNow();
    }, ms);
  }

  #cancel(): void {
    if (this.#timer !== null) this.#clearTimer(this.#timer);
    this.#timer = null;
  }
}
