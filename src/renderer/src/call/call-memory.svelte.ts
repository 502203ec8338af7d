/**
 * What this window had in the call going on, kept in sessionStorage (which a
 * reload keeps and another tab does not share), so that the window, reloaded
 * or restarted after a renderer crash, rejoins the call (rejoin.ts) as the
 * person left it: the call itself, mute, camera, a screen share and the chat.
 * Written whenever one of them changes, put back on the rejoin, removed when
 * the call ends; what is read back is checked, and anything else is
 * forgotten.
 *
 * What cannot come back by itself is said: a screen share needs a click (the
 * stage offers to share again), a camera that does not open again is
 * reported, and a file under way shows that the reload cut it off.
 */
import type { UserRef } from 'parley-server/protocol';
import { z } from 'zod/mini';
import type { SignalingLink } from '../connection/link.js';
import { logger } from '../lib/log.js';
import type { Notices } from '../lib/notices.svelte.js';
import { keepChat, keptChatSchema, restoredEntries, type KeptChat } from './chat/kept-chat.js';
import type { CallController } from './controller.svelte.js';
import { CAMERA_PROBLEM } from './media/call-media.svelte.js';

const log = logger('call-memory');

/** What the person had on in the call. */
export interface CallHad {
  muted: boolean;
  camera: boolean;
  /** Sharing their screen (or told that the share stopped at an earlier reload). */
  screen: boolean;
  /** The call was placed or answered as a video call. */
  video: boolean;
}

export interface RememberedCall {
  callId: string;
  /** The call's peer as the phase names it (the room, for a named room). */
  peer: UserRef;
  room: string | null;
  outgoing: boolean;
  answeredAt: number;
  had: CallHad;
  /** The call's chat as it was shown; null when there was none to keep. */
  chat: KeptChat | null;
}

/** A window that kept nothing but the call (an older Parley) comes back with nothing on. */
const NOTHING: CallHad = { muted: false, camera: false, screen: false, video: false };

export const CAMERA_NOT_BACK = 'Parley could not turn your camera back on after the reload: check the permission and the device in Settings, then turn it on again.';

const KEY = 'parley.call.v1';
const CHAT_KEY = 'parley.call-chat.v1';

const callSchema = z.object({
  callId: z.string(),
  peer: z.object({ username: z.string(), displayName: z.string() }),
  room: z.nullable(z.string()),
  outgoing: z.boolean(),
  answeredAt: z.number(),
  had: z.optional(z.object({ muted: z.boolean(), camera: z.boolean(), screen: z.boolean(), video: z.boolean() })),
});
const chatSchema = z.object({ callId: z.string(), chat: keptChatSchema });

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage;
  } catch {
    return undefined; // storage disabled
  }
}

function read<T>(key: string, schema: z.ZodMiniType<T>): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(storage()?.getItem(key) ?? 'null'));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** False when the storage is full: the call goes on, only a reload would lose it. */
function write(key: string, value: unknown): boolean {
  try {
    storage()?.setItem(key, JSON.stringify(value));
    return true;
  } catch (err) {
    log.warn(`cannot keep ${key} for a reload`, err);
    return false;
  }
}

/** The call kept before this window (re)loaded, if it is a sound one. */
export function rememberedCall(): RememberedCall | null {
  const call = read(KEY, callSchema);
  if (!call) return null;
  const kept = read(CHAT_KEY, chatSchema);
  const { callId, peer, room, outgoing, answeredAt } = call;
  return { callId, peer, room, outgoing, answeredAt, had: call.had ?? NOTHING, chat: kept?.callId === callId ? kept.chat : null };
}

export function forgetCall(): void {
  storage()?.removeItem(KEY);
  storage()?.removeItem(CHAT_KEY);
}

/** Keeps what this window has in the call going on in sessionStorage from now on, on each change; returns the stop. */
export function rememberCalls(calls: CallController): () => void {
  return $effect.root(() => {
    $effect(() => keepCall(calls));
    $effect(() => keepCallChat(calls));
  });
}

/** Writes the call going on and what the person has on in it; forgets it once it ended. */
export function keepCall(calls: CallController): void {
  if (calls.phase.kind === 'ended') forgetCall();
  const live = calls.live();
  if (!live) return;
  const { media, screenShare } = calls;
  const had: CallHad = {
    muted: calls.muted,
    camera: media.cameraOn || media.opening,
    screen: screenShare.sharing || screenShare.stoppedByReload,
    video: calls.videoCall,
  };
  const answeredAt = live.kind === 'connecting' ? live.since : live.answeredAt;
  write(KEY, { callId: live.callId, peer: live.peer, room: calls.room, outgoing: calls.outgoing, answeredAt, had });
}

/** Writes the chat of the call going on (apart: it can be long, and it changes on its own). */
export function keepCallChat(calls: CallController): void {
  const live = calls.live();
  // A chat too long to keep gives its room up: the call's small record (with mute) must always fit.
  if (live && !write(CHAT_KEY, { callId: live.callId, chat: keepChat(calls.chat) })) storage()?.removeItem(CHAT_KEY);
}

/**
 * Puts back what this window had in `call` before it reloaded. Called by
 * rejoin.ts once the call is back and before its peer sessions are made, so
 * they start muted: a person who had muted is not heard, even for a moment,
 * and the others are told (again) whether this side is muted. Returns what
 * the rejoin announces.
 */
export function restoreCall(calls: CallController, call: RememberedCall, link: SignalingLink, notices: Notices): string {
  const { had, chat } = call;
  if (had.muted && !calls.muted) calls.toggleMute();
  else void link.request('call:mute', { callId: call.callId, muted: calls.muted });
  if (chat) calls.chat.restore(restoredEntries(chat), chat.unread, chat.open);
  // getDisplayMedia needs a click: the stage says the share stopped and offers it again.
  if (had.screen) calls.screenShare.stoppedOnReload();
  if (had.camera) void reopenCamera(calls, notices, call.callId);
  const share = had.screen ? ' Your screen share stopped when Parley reloaded: share it again from the call.' : '';
  return `Back in the call${had.muted ? ', still muted' : ''}. Reconnecting the audio…${share}`;
}

async function reopenCamera(calls: CallController, notices: Notices, callId: string): Promise<void> {
  await calls.media.setCamera(true);
  // The camera's own failure notice, said of the reload: the person had it on and now it is off.
  if (calls.isLive(callId) && !calls.media.cameraOn && notices.notice === CAMERA_PROBLEM) notices.show(CAMERA_NOT_BACK, 'call');
}
