/**
 * The answered call this window is in, kept in sessionStorage (which a
 * reload keeps and another tab does not share) so that the window, reloaded
 * or restarted after a renderer crash, can rejoin it (rejoin.ts). Written as
 * the call goes on, removed when it ends; what is read back is checked, and
 * anything else is forgotten.
 */
import type { UserRef } from 'parley-server/protocol';
import type { CallController } from './controller.svelte.js';

export interface RememberedCall {
  callId: string;
  /** The call's peer as the phase names it (the room, for a named room). */
  peer: UserRef;
  room: string | null;
  outgoing: boolean;
  answeredAt: number;
}

const KEY = 'parley.call.v1';

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled
  }
}

const isRef = (v: unknown): v is UserRef =>
  typeof v === 'object' && v !== null && typeof (v as UserRef).username === 'string' && typeof (v as UserRef).displayName === 'string';

/** The call kept before this window (re)loaded, if it is a sound one. */
export function rememberedCall(): RememberedCall | null {
  try {
    const v = JSON.parse(storage()?.getItem(KEY) ?? 'null') as Partial<RememberedCall> | null;
    if (v === null || typeof v !== 'object') return null;
    const { callId, peer, room, outgoing, answeredAt } = v;
    if (typeof callId !== 'string' || !isRef(peer) || !(room === null || typeof room === 'string')) return null;
    if (typeof outgoing !== 'boolean' || typeof answeredAt !== 'number' || !Number.isFinite(answeredAt)) return null;
    return { callId, peer, room, outgoing, answeredAt };
  } catch {
    return null;
  }
}

export function forgetCall(): void {
  storage()?.removeItem(KEY);
}

/** Keeps the call going on in sessionStorage from now on; returns the stop. */
export function rememberCalls(calls: CallController): () => void {
  return $effect.root(() => {
    $effect(() => {
      const phase = calls.phase;
      if (phase.kind === 'ended') forgetCall();
      const live = calls.live();
      if (!live) return;
      const answeredAt = live.kind === 'connecting' ? live.since : live.answeredAt;
      const call: RememberedCall = { callId: live.callId, peer: live.peer, room: calls.room, outgoing: calls.outgoing, answeredAt };
      storage()?.setItem(KEY, JSON.stringify(call));
    });
  });
}
