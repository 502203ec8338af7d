/**
 * The calls this side is in, keyed by call id: the active one (on screen,
 * with the microphone and the controls) and those on hold meanwhile (hold and
 * answer, hold-and-answer.ts). Server events find their call with `get`;
 * a call's own state stays in its Call object.
 */
import { SvelteMap } from 'svelte/reactivity';
import { isKnown, type Call, type KnownCall } from './call.svelte.js';

export class CallRegistry {
  private current = $state.raw<Call | null>(null);
  private readonly onHold = new SvelteMap<string, KnownCall>();

  constructor(first: Call) {
    this.current = first;
  }

  /** The call on screen: ringing, going on, just ended, or idle (the next one's). */
  get active(): Call {
    if (!this.current) throw new Error('the registry is made with a call');
    return this.current;
  }

  /** Calls on hold while another is active, oldest first. */
  get held(): KnownCall[] {
    return [...this.onHold.values()];
  }

  /** The call going on (or on hold) that `callId` names; an ended or idle one is no longer anyone's. */
  get(callId: string): Call | undefined {
    const active = this.active;
    return active.busy && active.callId === callId ? active : this.onHold.get(callId);
  }

  /** The active call goes on hold, and `next` (a new call, or one on hold) is the active one. False without an id to keep it by. */
  hold(next: Call): boolean {
    const held = this.active;
    if (!isKnown(held)) return false;
    if (next.callId !== null) this.onHold.delete(next.callId);
    this.onHold.set(held.callId, held);
    this.current = next;
    return true;
  }

  /** The call on hold `callId` is the active one again, in place of the active one (which is over). */
  resume(callId: string): KnownCall | undefined {
    const call = this.drop(callId);
    if (call) this.current = call;
    return call;
  }

  /** The call on hold `callId` is over: it leaves the registry. */
  drop(callId: string): KnownCall | undefined {
    const call = this.onHold.get(callId);
    this.onHold.delete(callId);
    return call;
  }
}
