/**
 * The protocol's building blocks: names, ids, statuses, media and the WebRTC
 * descriptions and candidates, as zod schemas. Both what clients send
 * (index.ts) and what the server sends (server-messages.ts) are made of them.
 */
import { z } from 'zod/mini';

export const USERNAME_PATTERN = /^[a-z0-9._-]{2,32}$/;
export const usernameSchema = z
  .string()
  .check(z.regex(USERNAME_PATTERN, 'must be 2-32 characters of a-z, 0-9, ".", "_" or "-"'));
/** Text the database keeps or searches has no control characters (PostgreSQL refuses NUL in text). */
const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;
export const noControlCharacters = () => z.regex(NO_CONTROL_CHARACTERS, 'must not contain control characters');
/**
 * What a display name may not carry besides control characters, because it
 * could not be seen: invisible and zero-width characters (Unicode's
 * Default_Ignorable_Code_Point: zero-width space and joiners, soft hyphen,
 * variation selectors, fillers), direction overrides that reorder what
 * follows (Bidi_Control), and line or paragraph separators.
 */
const INVISIBLE_CHARACTERS = /[\p{Default_Ignorable_Code_Point}\p{Bidi_Control}\p{Zl}\p{Zp}]/u;
export const displayNameSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(64, 'must be at most 64 characters'),
    noControlCharacters(),
    z.refine((s) => !INVISIBLE_CHARACTERS.test(s), 'must not contain invisible, zero-width or text-direction characters'),
  );
export const passwordSchema = z
  .string()
  .check(z.minLength(8, 'must be at least 8 characters'), z.maxLength(256, 'must be at most 256 characters'));
/** Call ids are UUIDs the server makes; anything else that is looked up stays printable ASCII. */
export const callIdSchema = z.string().check(z.regex(/^[!-~]{1,64}$/, 'must be 1-64 printable ASCII characters'));
/** A named room: what `parley://room/<name>` links carry. Lowercase, like usernames. */
export const ROOM_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const roomNameSchema = z
  .string()
  .check(z.regex(ROOM_NAME_PATTERN, 'must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit'));
/** Shortest join code: long enough that the guesses the server allows (see PROTOCOL.md) never find it. */
export const ROOM_CODE_MIN_LENGTH = 8;
export const ROOM_CODE_MAX_LENGTH = 64;
/** A room's join code, set by whoever opens the room, or its owner. */
export const roomCodeSchema = z
  .string()
  .check(
    z.minLength(ROOM_CODE_MIN_LENGTH, `must be at least ${ROOM_CODE_MIN_LENGTH} characters`),
    z.maxLength(ROOM_CODE_MAX_LENGTH, `must be at most ${ROOM_CODE_MAX_LENGTH} characters`),
  );
/** A client's stable id for one app window or browser tab, chosen by the client. */
export const deviceIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8-64 characters of A-Z, a-z, 0-9, "_" or "-"'));

/** Statuses a user may choose; `busy` and `offline` are set by the server. */
export const SETTABLE_STATUSES = ['available', 'away', 'dnd'] as const;
export const STATUSES = ['available', 'away', 'dnd', 'busy', 'offline'] as const;
export type SettableStatus = (typeof SETTABLE_STATUSES)[number];
export type Status = (typeof STATUSES)[number];
/** A listed person: their name and their status over all their devices (directory:list and its updates). */
export const directoryEntrySchema = z.object({ username: usernameSchema, displayName: displayNameSchema, status: z.enum(STATUSES) });

export const mediaSchema = z.strictObject({ audio: z.boolean(), video: z.boolean() });
export type Media = z.infer<typeof mediaSchema>;

export interface UserRef {
  username: string;
  displayName: string;
}

// ------------------------------------------------- WebRTC session layer

const MAX_SDP = 32 * 1024;

export const sessionDescriptionSchema = z.strictObject({
  type: z.enum(['offer', 'answer', 'pranswer', 'rollback']),
  sdp: z.optional(z.string().check(z.maxLength(MAX_SDP))),
});
export type SessionDescription = z.infer<typeof sessionDescriptionSchema>;

/** An RTCIceCandidateInit; `null` signals the end of candidates. */
export const iceCandidateSchema = z.nullable(
  z.strictObject({
    candidate: z.string().check(z.maxLength(2048)),
    sdpMid: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
    sdpMLineIndex: z.optional(z.nullable(z.int().check(z.minimum(0), z.maximum(255)))),
    usernameFragment: z.optional(z.nullable(z.string().check(z.maxLength(256)))),
  }),
);
export type IceCandidate = z.infer<typeof iceCandidateSchema>;
