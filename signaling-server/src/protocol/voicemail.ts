/**
 * Voicemail (PROTOCOL.md, "Voicemail"): a caller leaves a recorded message
 * for someone who did not pick up; the callee lists, plays, marks and deletes
 * theirs over HTTP with their sign-in token, and hears of a new one with
 * `voicemail:new` on every device. Schemas of what the server answers and
 * sends, so the app checks them like every other message.
 */
import { z } from 'zod/mini';
import { displayNameSchema, usernameSchema, type UserRef } from './primitives.js';

/** The containers accepted (checked by their bytes, never by a name or a declared type), as their MIME types. */
export const VOICEMAIL_MIMES = ['audio/ogg', 'audio/webm'] as const;
export type VoicemailMime = (typeof VOICEMAIL_MIMES)[number];

/** Made by the server: 24 URL-safe characters of 144 random bits. */
export const voicemailIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{24}$/, 'must be a voicemail id'));

/** The longest greeting a user may record, in seconds. */
export const GREETING_MAX_S = 30;

/** Most messages one list answer carries (the per-callee count limit is at most this). */
export const VOICEMAIL_LIST_LIMIT = 500;

export interface VoicemailMessage {
  id: string;
  from: UserRef;
  /** When it was left, ms since the epoch. */
  at: number;
  /** Computed by the server from the audio's packets. */
  durationMs: number;
  size: number;
  mime: VoicemailMime;
  heard: boolean;
}

/** GET /api/voicemail/messages: unheard first, then newest first. */
export interface VoicemailList {
  messages: VoicemailMessage[];
  unheard: number;
}

/** GET /api/voicemail/to/:username: the callee takes a message now, within these limits. */
export interface VoicemailCheck {
  callee: UserRef;
  maxSeconds: number;
  maxBytes: number;
  /** The callee recorded a greeting (GET /api/voicemail/greeting/:username). */
  greeting: boolean;
}

/** POST /api/voicemail/to/:username: what was stored. */
export interface VoicemailSent {
  durationMs: number;
  size: number;
}

const userRef = z.object({ username: usernameSchema, displayName: displayNameSchema });
const count = z.int().check(z.nonnegative());

export const voicemailMessageSchema = z.object({
  id: voicemailIdSchema,
  from: userRef,
  at: count,
  durationMs: count,
  size: count,
  mime: z.enum(VOICEMAIL_MIMES),
  heard: z.boolean(),
});

export const voicemailListSchema = z.object({
  messages: z.array(voicemailMessageSchema).check(z.maxLength(VOICEMAIL_LIST_LIMIT)),
  unheard: count,
});

export const voicemailCheckSchema = z.object({
  callee: userRef,
  maxSeconds: z.int().check(z.positive()),
  maxBytes: z.int().check(z.positive()),
  greeting: z.boolean(),
});

export const voicemailSentSchema = z.object({ durationMs: count, size: count });

export const voicemailServerSchemas = {
  'voicemail:new': z.object({ message: voicemailMessageSchema, unheard: count }),
  'voicemail:unheard': z.object({ unheard: count }),
} as const;

export interface VoicemailServerEvents {
  /** Someone left this user a message; `unheard`: how many they have now. */
  'voicemail:new': (p: { message: VoicemailMessage; unheard: number }) => void;
  /** The user heard or deleted a message on one of their devices: the count every device shows. */
  'voicemail:unheard': (p: { unheard: number }) => void;
}
