/**
 * Every click on Call is answered (issue 35): dial() asks here first whether
 * the call can be placed now. In another call, the click is told so in words.
 * Not connected yet (the app starting, or reconnecting), the call waits and is
 * placed as soon as the server takes the session, or is given up, in words,
 * after QUEUE_LIMIT_MS. A second click on the person already being called is
 * answered by the call on screen.
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

/** What the gate needs of the call controller (which makes it). */
export interface DialHost {
  readonly busy: boolean;
  readonly phase: CallPhase;
  dial(username: string, video: boolean): Promise<void>;
}

interface Queued {
  username: string;
  video: boolean;
  /** Who clicked: a sign-out (or someone else signing in) meanwhile drops the call. */
  me: string | null;
  timer: ReturnType<typeof setTimeout>;
}

export class DialGate {
  private queued: Queued | null = null;

  constructor(
    private readonly host: DialHost,
    private readonly deps: Pick<CallDeps, 'link' | 'notices' | 'lookup' | 'me'>,
  ) {
    // After the session's own handlers (ICE servers, notices resolved): the call goes out on a ready session.
    deps.link.on('session:ready', () => queueMicrotask(() => this.ready()));
  }

  /** Whether dial() may go on now; if not, the click has been answered here. */
  admit(username: string, video: boolean): boolean {
    const { host, deps } = this;
    if (host.busy) {
      if (host.phase.kind !== 'idle' && host.phase.peer.username !== username) {
        deps.notices.show(`You are already in a call. Hang up first to call ${this.name(username)}.`, 'call');
      }
      return false;
    }
    if (deps.link.connected) {
      this.drop();
      return true;
    }
    this.queue(username, video);
    return false;
  }

  private queue(username: string, video: boolean): void {
    this.drop();
    const name = this.name(username);
    const me = this.deps.me()?.username ?? null;
    const timer = setTimeout(() => {
      if (this.queued?.timer !== timer) return;
      this.queued = null;
      // Said only to whoever clicked (cause 'connection': it goes once the connection is back).
      if ((this.deps.me()?.username ?? null) === me) this.deps.notices.show(`Parley could not reach the server, so ${name} was not called. Try again once it is connected.`, 'connection');
    }, QUEUE_LIMIT_MS);
    this.queued = { username, video, me, timer };
    this.deps.notices.show(`Parley is not connected to the server yet. It calls ${name} as soon as it is.`, 'connection');
  }

  private ready(): void {
    const queued = this.queued;
    if (!queued) return;
    this.drop();
    if ((this.deps.me()?.username ?? null) !== queued.me) return;
    void this.host.dial(queued.username, queued.video);
  }

  private drop(): void {
    clearTimeout(this.queued?.timer);
    this.queued = null;
  }

  private name(username: string): string {
    return this.deps.lookup(username).displayName;
  }
}
