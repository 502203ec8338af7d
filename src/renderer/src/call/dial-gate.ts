/**
 * Every click on Call is answered (issue 35): dial() asks here first whether
 * the call can be placed. In another call, the click is told so in words.
 * Not connected yet (the app starting, or reconnecting), the call is on
 * screen at once ("Waiting for the server…") and dial() waits here until the
 * server takes the session, then places it; after QUEUE_LIMIT_MS it is given
 * up, in words on its card. A second click on the person already being
 * called is answered by the call on screen.
 */
import type { CallDeps } from './call-deps.js';
import type { CallPhase } from './call-state.js';

/** How long a call waits for the connection: any longer, and it would ring someone long after the click. */
export const QUEUE_LIMIT_MS = 10_000;

/**
 * Why a Call button cannot place a call now, or null when it can. The button
 * says so (aria-disabled, greyed, this text for assistive technology) but
 * still takes the click, which admit() answers: a disabled button would
 * swallow it unseen.
 */
export function dialBlocked(online: boolean, busy: boolean): string | null {
  if (!online) return 'Parley is not connected to the server yet: a call waits for it.';
  return busy ? 'You are in a call.' : null;
}

/** What the ended card says of a call that waited for the server in vain. */
export const unreachedText = (name: string): string => `Parley could not reach the server, so ${name} was not called. Try again once it is connected.`;

/** What the gate needs of the call controller (which makes it). */
export interface DialHost {
  readonly busy: boolean;
  readonly phase: CallPhase;
}

export class DialGate {
  /** The calls waiting for the server, each resolved when it takes the session. */
  readonly #waiting = new Set<() => void>();

  readonly #host: DialHost;
  readonly #deps: Pick<CallDeps, 'link' | 'notices' | 'lookup'>;

  constructor(
    host: DialHost,
    deps: Pick<CallDeps, 'link' | 'notices' | 'lookup'>,
  ) {
    this.#host = host;
    this.#deps = deps;
    // After the session's own handlers (ICE servers, notices resolved): the call goes out on a ready session.
    deps.link.on('session:ready', () => queueMicrotask(() => [...this.#waiting].forEach((ready) => ready())));
  }

  /** Whether dial() may go on; if not (in a call), the click has been answered here. */
  admit(username: string): boolean {
    const host = this.#host;
    const deps = this.#deps;
    if (!host.busy) return true;
    if (host.phase.kind !== 'idle' && host.phase.peer.username !== username) {
      deps.notices.show(`You are already in a call. Hang up first to call ${deps.lookup(username).displayName}.`, 'call');
    }
    return false;
  }

  /**
   * Resolves true at once when connected, else when the server takes the
   * session; false after QUEUE_LIMIT_MS, or when `signal` aborts (the next
   * setup). A call cancelled meanwhile finds its phase ended when this resolves.
   */
  reached(signal: AbortSignal): Promise<boolean> {
    if (this.#deps.link.connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.#waiting.delete(ready);
        signal.removeEventListener('abort', aborted);
        resolve(ok);
      };
      const ready = () => done(true);
      const aborted = () => done(false);
      const timer = setTimeout(aborted, QUEUE_LIMIT_MS);
      this.#waiting.add(ready);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }
}
