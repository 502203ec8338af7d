/**
 * The callee's answer, said over the call's own connection (PROTOCOL.md,
 * "Connecting while it rings"). A call connected while it rang waits only for
 * the caller's microphone at the answer; the server's `call:accepted` reaches
 * the caller a relay later than a message on the connection itself does, so the
 * callee's app also says `{ v: 2, type: 'answered' }` on the chat channel when
 * its user answers, and the caller's app starts its microphone on that word.
 *
 * The server stays the judge of the call: the caller's call is answered (its
 * screen, its history) at `call:accepted`, and a microphone started on the word
 * alone stops again if that has not come within WORD_CONFIRM_MS. Only the side
 * that placed the call heeds the word: a callee never starts its microphone on
 * anything but its own user's click.
 */
import { z } from 'zod/mini';
import { parseFrame } from './chat/frame-json.js';

/** How long the caller's microphone runs on the callee's word before the server confirms the answer. */
export const WORD_CONFIRM_MS = 2000;

const answeredWordSchema = z.object({ v: z.int().check(z.gte(2)), type: z.literal('answered') });

/** The word as sent. */
export const ANSWERED_WORD = JSON.stringify({ v: 2, type: 'answered' });

/** Whether a chat-channel frame is the answered word (small and well formed; unknown fields are ignored). */
export function isAnsweredWord(data: unknown): boolean {
  return parseFrame(data, 200, [answeredWordSchema]) !== null;
}
