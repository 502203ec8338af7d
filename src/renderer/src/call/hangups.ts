/**
 * Ending calls at the server: at once when connected, else as soon as the
 * connection is back (a ringing call declined offline is still declined).
 * Also remembers calls this side gave up while their answer was in flight.
 */
import type { ClientPayload, FailureCause } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';

export class Hangups {
  readonly #pending = new Map<string, ClientPayload<'call:hangup'>>();
  readonly #abandoned = new Set<string>();

  readonly #link: SignalingLink;

  constructor(link: SignalingLink) {
    this.#link = link;
  }

  /**
   * `failed`: this side gave up on the media path, having seen what a cause
   * says. Resolves once the server has answered (at once when it waits for
   * the connection).
   */
  async send(callId: string, failed: FailureCause | boolean = false): Promise<void> {
    const payload: ClientPayload<'call:hangup'> =
      failed === false ? { callId } : { callId, reason: 'failed', ...(typeof failed === 'string' && { cause: failed }) };
    if (!this.#link.connected) {
      this.#pending.set(callId, payload);
      return;
    }
    const res = await this.#link.request('call:hangup', payload);
    if (!res.ok && res.code === 'unavailable') this.#pending.set(callId, payload);
  }

  /**
   * Ends a call this side has left. call:hangup, not call:cancel: the callee
   * may be answering at this very moment, and the server treats a hang-up on a
   * ringing call as a cancel.
   */
  abandon(callId: string): Promise<void> {
    this.#abandoned.add(callId);
    return this.send(callId);
  }

  wasAbandoned(callId: string): boolean {
    return this.#abandoned.has(callId);
  }

  /** The connection is back: send what waited. */
  flush(): void {
    for (const [callId, payload] of [...this.#pending]) {
      this.#pending.delete(callId);
      void this.send(payload.callId, payload.cause ?? payload.reason === 'failed');
    }
  }
}
