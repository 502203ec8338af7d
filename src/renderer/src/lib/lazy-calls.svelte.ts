/**
 * The seam between the shell and the call code, which is not in the first
 * paint's file: until it has loaded this is an idle call (no phase, not
 * busy), and the server's call events are kept (HeldLink) and handed over in
 * order once the controller listens. A dial meanwhile is answered at once:
 * it is `dialing`, which the shell shows as the call on its way
 * (DialingStage.svelte), and placed when the code is there; a room joined
 * meanwhile waits for it.
 */
import type { SessionReady } from 'parley-server/protocol';
import type { CallParts, CallPartsHost } from '../call/call-parts.svelte.js';
import type { CallPhase } from '../call/call-state.js';
import type { Dialer, RoomJoiner, TitledCall } from '../call/call-views.js';
import { HeldLink } from '../connection/held-link.js';
import type { SignalingLink } from '../connection/link.js';
import type { ServerEvent } from '../connection/signaling.js';
import { logger } from './log.js';

const log = logger('lazy-calls');

/** The server events the call code listens to: kept while it loads. */
export const CALL_EVENTS: readonly ServerEvent[] = [
  'call:incoming',
  'call:ringing',
  'call:accepted',
  'call:ended',
  'call:signal',
  'call:muted',
  'call:held',
  'call:recording',
  'call:peer-connection',
  'room:joined',
  'room:left',
  'room:ringing',
  'room:mode',
  'sfu:offer',
  'sfu:closed',
  'sfu:talking',
];

const IDLE: CallPhase = { kind: 'idle' };

/** A call asked for before the call code came: shown at once, placed once the code is there. */
export interface Dialing {
  readonly username: string;
  readonly video: boolean;
}

/** What the shell reads of the calls, loaded or not. */
export interface ShellCalls extends Dialer, RoomJoiner, TitledCall {
  readonly phase: CallPhase;
  /** A call waiting for the call code (the phase is idle until it comes). */
  readonly dialing: Dialing | null;
  /** Gives up the call waiting for the code: it is never placed. */
  cancelDialing(): void;
  readonly talking: boolean;
  readonly outgoing: boolean;
  readonly room: string | null;
}

export type LoadCallParts = () => Promise<{ makeCallParts: (host: CallPartsHost) => CallParts }>;

export class LazyCalls implements ShellCalls {
  /** The call machinery, once loaded. */
  parts = $state.raw<CallParts | null>(null);
  dialing = $state.raw<Dialing | null>(null);
  /** The last load failed (a page that outlived an update of the server): the shell says so; the next caller tries again. */
  loadFailed = $state(false);
  #loading: Promise<CallParts> | null = null;
  #disposed = false;
  readonly #link: HeldLink;

  readonly #host: (link: SignalingLink) => CallPartsHost;
  readonly #code: LoadCallParts;

  constructor(
    link: SignalingLink,
    host: (link: SignalingLink) => CallPartsHost,
    code: LoadCallParts = () => import('../call/call-parts.svelte.js'),
  ) {
    this.#host = host;
    this.#code = code;
    // A call that rings before the code came asks for it at once.
    this.#link = new HeldLink(link, CALL_EVENTS, () => void this.load().catch(() => undefined));
  }

  get phase(): CallPhase { return this.parts?.calls.phase ?? IDLE; } // prettier-ignore
  get busy(): boolean { return this.parts?.calls.busy ?? this.dialing !== null; } // prettier-ignore
  get talking(): boolean { return this.parts?.calls.talking ?? false; } // prettier-ignore
  get outgoing(): boolean { return this.parts?.calls.outgoing ?? this.dialing !== null; } // prettier-ignore
  get room(): string | null { return this.parts?.calls.room ?? null; } // prettier-ignore
  get title(): string { return this.parts?.calls.title ?? ''; } // prettier-ignore
  /** The call whose transfer panel is open (the desktop's Transfer shortcut opens it): the shell shows that call. */
  get transferChoosingFor(): string | null { return this.parts?.calls.transfer.choosingFor ?? null; } // prettier-ignore

  /** The call code, loaded and made once; a failed load is tried again by the next caller. */
  load(): Promise<CallParts> {
    this.#loading ??= this.#code().then(
      ({ makeCallParts }) => {
        this.loadFailed = false;
        if (this.parts) return this.parts;
        const parts = makeCallParts(this.#host(this.#link));
        this.parts = parts;
        // The controller listens now: what the server said meanwhile, in order.
        this.#link.release();
        if (this.#disposed) parts.dispose();
        return parts;
      },
      (err: unknown) => {
        this.#loading = null;
        this.loadFailed = true;
        log.warn('the call code could not be loaded', err);
        throw err;
      },
    );
    return this.#loading;
  }

  async dial(username: string, video = false): Promise<void> {
    if (this.parts) return this.parts.calls.dial(username, video);
    // The first call asked for stands, as a call on screen does; another click while the code comes changes nothing.
    if (this.dialing) return;
    const mine: Dialing = { username, video };
    this.dialing = mine;
    try {
      const { calls } = await this.load();
      if (this.dialing !== mine) return; // cancelled meanwhile
      // dial() puts the call on screen before its first await: the stage takes over from the shell's card at once.
      const placing = calls.dial(username, video);
      this.dialing = null;
      await placing;
    } finally {
      if (this.dialing === mine) this.dialing = null;
    }
  }

  cancelDialing(): void {
    this.dialing = null;
  }

  async joinRoom(input: string, code?: string): Promise<boolean> {
    const { groups } = await this.load();
    return groups.joinRoom(input, code);
  }

  /** The server took the session: the calls hear of it now, or when they are made. */
  sessionReady(ready: SessionReady): void {
    this.parts?.resume.sessionReady(ready);
  }

  dispose(): void {
    this.#disposed = true;
    this.parts?.dispose();
    this.#link.dispose();
  }
}
