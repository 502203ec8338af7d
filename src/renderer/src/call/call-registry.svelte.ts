/**
 * The calls this side is in, keyed by call id: the active one (on screen,
 * with the microphone and the controls), those on hold meanwhile (hold and
 * answer, a consult: hold-and-answer.ts), and one ringing while the active
 * one is answered (call waiting, call-waiting.svelte.ts). Server events find
 * their call with `get`; a call's own state stays in its Call object.
 */
import { SvelteMap } from 'svelte/reactivity';
import { isKnown, type Call, type KnownCall } from './call.svelte.js';

export class CallRegistry {
  #current = $state.raw<Call | null>(null);
  readonly #onHold = new SvelteMap<string, KnownCall>();
  #ringing = $state.raw<KnownCall | null>(null);

  constructor(first: Call) {
    this.#current = first;
  }

  /** The call on screen: ringing, going on, just ended, or idle (the next one's). */
  get active(): Call {
    if (!this.#current) throw new Error('the registry is made with a call');
    return this.#current;
  }

  /** Calls on hold while another is active, oldest first. */
  get held(): KnownCall[] {
    return [...this.#onHold.values()];
  }

  /** A call ringing while the active one is answered (call waiting); null when none. */
  get waiting(): KnownCall | null {
    return this.#ringing;
  }

  /** The call going on, on hold or waiting that `callId` names; an ended or idle one is no longer anyone's. */
  get(callId: string): Call | undefined {
    const active = this.active;
    if (active.busy && active.callId === callId) return active;
    return this.#onHold.get(callId) ?? (this.#ringing?.callId === callId ? this.#ringing : undefined);
  }

  /** `call` rings while the active call goes on (call waiting). */
  wait(call: KnownCall): void {
    this.#ringing = call;
  }

  /** The waiting call is no longer waiting: declined, gone, or about to be the active call. */
  takeWaiting(): KnownCall | null {
    const call = this.#ringing;
    this.#ringing = null;
    return call;
  }

  /** `call` (the waiting one, taken) is the active call, in place of one that is over. */
  ring(call: KnownCall): void {
    this.#current = call;
  }

  /** The active call goes on hold, and `next` (a new call, or one on hold) is the active one. False without an id to keep it by. */
  hold(next: Call): boolean {
    const held = this.active;
    if (!isKnown(held)) return false;
    if (next.callId !== null) this.#onHold.delete(next.callId);
    if (this.#ringing === next) this.#ringing = null;
    this.#onHold.set(held.callId, held);
    this.#current = next;
    return true;
  }

  /** The call on hold `callId` is the active one again, in place of the active one (which is over). */
  resume(callId: string): KnownCall | undefined {
    const call = this.drop(callId);
    if (call) this.#current = call;
    return call;
  }

  /** The call on hold `callId` is over: it leaves the registry. */
  drop(callId: string): KnownCall | undefined {
    const call = this.#onHold.get(callId);
    this.#onHold.delete(callId);
    return call;
  }
}
