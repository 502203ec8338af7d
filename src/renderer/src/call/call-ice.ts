/**
 * The ICE servers (STUN, TURN) of the call going on. A session's come with
 * `session:ready` and hold no TURN credentials; each call gets its own in the
 * ack that starts or resumes it (call:invite, call:accept, room:join,
 * call:resume), and asks for fresh ones with `call:ice` before they expire.
 * Fresh ones go to every live peer connection of the call: a connection
 * keeps the relay it has, and gathers with them at its next ICE restart (a
 * changed network an hour into a call). So they need not reach it at once:
 * new ones wait out the call's first second, and the same ones are not given
 * again.
 */
import type { Ack, ErrorCode, IceAckFields, IceGrant } from 'parley-server/protocol';
import { logger } from '../lib/log.js';
import { CALL_START_MS, whenIdle } from '../lib/when-idle.js';

const log = logger('call');

/** Renewed once this share of the time the credentials had left has passed. */
export const RENEW_AT = 0.8;
/** Never sooner than this after a grant: a clock far off the server's cannot make it ask in a loop. */
export const MIN_RENEW_MS = 15_000;
/** Asked again after this when the server could not answer (offline, unavailable). */
export const RETRY_MS = 30_000;

/** Refusals that stay true for this call: asking again would not help. */
const FINAL: readonly ErrorCode[] = ['not_found', 'not_in_call', 'account_disabled', 'unauthorized', 'bad_request'];

export interface CallIceDeps {
  /** Asks the server for fresh servers for the call (`call:ice`). */
  renew(callId: string): Promise<Ack<IceGrant>>;
  /** Gives every live peer connection of the call these servers. */
  apply(servers: RTCIceServer[]): void;
}

export class CallIce {
  #session: RTCIceServer[] = [];
  /** The call's newest servers, and those its connections were last given (they lag by the wait below). */
  #call: { id: string; servers: RTCIceServer[]; applied: RTCIceServer[] } | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Cancels servers granted again, waiting to be applied. */
  #applying: (() => void) | undefined;

  readonly #deps: CallIceDeps;

  constructor(deps: CallIceDeps) {
    this.#deps = deps;
  }

  /** What a peer connection made now is given: the call's, or the session's before the call has its own. */
  get servers(): RTCIceServer[] {
    return this.#call?.servers ?? this.#session;
  }

  /** The servers `session:ready` gave. */
  sessionReady(servers: RTCIceServer[]): void {
    this.#session = servers;
  }

  /**
   * An ack gave call `callId` its servers: the call's connections use them,
   * and they are renewed before `iceExpiresAt`. An older server's ack has
   * none, and the session's stay.
   */
  granted(callId: string, grant: IceAckFields): void {
    const servers = grant.iceServers;
    if (!servers) return;
    const applied = this.#call?.id === callId ? this.#call.applied : null;
    const call = { id: callId, servers, applied: applied ?? servers };
    this.#call = call;
    this.#applying?.();
    this.#applying = undefined;
    // Granted again for the same call (the answer's ack after the ring's call:ice, a renewal, a resume): its
    // connections keep their path and use new servers only at their next ICE restart. So the same ones are not
    // applied again, and new ones once the call's first second is over: setConfiguration waits on WebRTC's
    // thread, which is starting the call's first packets then (1 to 14 ms of main thread traced at an answer).
    if (applied === null) this.#deps.apply(servers);
    else if (!sameServers(applied, servers)) {
      this.#applying = whenIdle(
        () => {
          call.applied = servers;
          this.#deps.apply(servers);
        },
        { afterMs: CALL_START_MS },
      );
    }
    clearTimeout(this.#timer);
    this.#timer = undefined;
    // Without TURN nothing expires.
    if (grant.iceExpiresAt !== undefined) this.#wait(Math.max(MIN_RENEW_MS, (grant.iceExpiresAt - Date.now()) * RENEW_AT));
  }

  /** The call is over: no more renewals, and the next call starts from the session's servers. */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#applying?.();
    this.#applying = undefined;
    this.#call = null;
  }

  #wait(ms: number): void {
    this.#timer = setTimeout(() => void this.#renew(), ms);
  }

  async #renew(): Promise<void> {
    const call = this.#call;
    this.#timer = undefined;
    if (!call) return;
    const res = await this.#deps.renew(call.id);
    // Over meanwhile, or granted again (a resume): that grant has its own renewal.
    if (this.#call !== call) return;
    if (res.ok) this.granted(call.id, res);
    else if (FINAL.includes(res.code)) log.warn(`TURN credentials of the call not renewed: ${res.message}`);
    else this.#wait(Math.max(RETRY_MS, res.retryAfterMs ?? 0));
  }
}

/** The same servers, credentials included, in the same order. */
function sameServers(a: RTCIceServer[], b: RTCIceServer[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
