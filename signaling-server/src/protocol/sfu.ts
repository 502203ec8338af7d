/**
 * The SFU extension of the protocol (PROTOCOL.md, "Meetings on the SFU"):
 * a participant of an answered call publishes its media to the server's
 * selective forwarding unit and receives everyone else's on one more peer
 * connection, all negotiated through these `sfu:*` messages. Which SFU, its
 * API, rooms and secrets stay on the server. Imported by index.ts (client
 * schemas, types) and server-messages.ts (what clients check).
 */
import { z } from 'zod/mini';
import { callIdSchema, iceCandidateSchema, usernameSchema } from './primitives.js';

/**
 * Larger than a call:signal description: one subscription carries an audio
 * and a video section per publisher. Under the 64 KB message limit.
 */
export const MAX_SFU_SDP = 60_000;

/** The two peer connections of a participant on the SFU: what it sends, and everything it receives. */
export const SFU_CONNECTIONS = ['publish', 'subscribe'] as const;
export type SfuConnection = (typeof SFU_CONNECTIONS)[number];

const sdp = z.string().check(z.minLength(1), z.maxLength(MAX_SFU_SDP));
export const sfuOfferSchema = z.strictObject({ type: z.literal('offer'), sdp });
export const sfuAnswerSchema = z.strictObject({ type: z.literal('answer'), sdp });
export type SfuDescription<T extends 'offer' | 'answer'> = { type: T; sdp: string };

/**
 * What a device wants of one publisher's video, from the size of its tile on
 * screen: nothing (`off`: the tile is off screen or the window hidden; the
 * audio goes on), or one of the simulcast layers a publisher sends (a quarter,
 * half or full resolution).
 */
export const SFU_VIDEO_LAYERS = ['off', 'low', 'medium', 'high'] as const;
export type SfuVideoLayer = (typeof SFU_VIDEO_LAYERS)[number];

/** An m-line's mid, as browsers make them (short tokens). */
const midSchema = z.string().check(z.minLength(1), z.maxLength(32), z.regex(/^[\w.-]+$/));

/** Where a video stream comes from: a camera, or a shared screen. */
export const SFU_VIDEO_SOURCES = ['camera', 'screen'] as const;
export type SfuVideoSource = (typeof SFU_VIDEO_SOURCES)[number];

export const sfuClientSchemas = {
  /**
   * Publishes (first time) or renegotiates this device's media: an offer of
   * its `publish` connection; `screenMid`, the mid of its m-line that carries
   * a shared screen, if it has one (any other video is its camera).
   */
  'sfu:publish': z.strictObject({ callId: callIdSchema, description: sfuOfferSchema, screenMid: z.optional(midSchema) }),
  /** The answer of the `subscribe` connection to the latest `sfu:offer`. */
  'sfu:answer': z.strictObject({ callId: callIdSchema, description: sfuAnswerSchema }),
  /** A local candidate of one of the two connections; `null`: no more. */
  'sfu:candidate': z.strictObject({ callId: callIdSchema, connection: z.enum(SFU_CONNECTIONS), candidate: iceCandidateSchema }),
  /**
   * The video this device wants of each publisher: their camera's layer, and
   * whether their shared screen (unsaid: yes). The whole view: anyone not
   * listed gets `high` and their screen.
   */
  'sfu:view': z.strictObject({
    callId: callIdSchema,
    // At most 64 publishers (a room's limit on the SFU).
    feeds: z.array(z.strictObject({ username: usernameSchema, video: z.enum(SFU_VIDEO_LAYERS), screen: z.optional(z.boolean()) })).check(z.maxLength(64)),
  }),
  /** Stops publishing and receiving (the call itself goes on). */
  'sfu:leave': z.strictObject({ callId: callIdSchema }),
} as const;

/** One received track of the `subscribe` connection: whose it is, and (video) whether it is their camera or their screen. */
export interface SfuStream {
  mid: string;
  username: string;
  kind: 'audio' | 'video';
  source?: SfuVideoSource;
}

export interface SfuReplies {
  'sfu:publish': { description: SfuDescription<'answer'> };
  'sfu:answer': object;
  'sfu:candidate': object;
  'sfu:view': object;
  'sfu:leave': object;
}

/** How a call's media goes: a connection per pair of people, or through the SFU. */
export const MEDIA_MODES = ['mesh', 'sfu'] as const;
export type MediaMode = (typeof MEDIA_MODES)[number];

export interface SfuServerToClientEvents {
  /** The call's media goes through the SFU (it reached PARLEY_SFU_FROM people): publish with `sfu:publish`, then close the mesh. */
  'room:mode': (p: { callId: string; mode: MediaMode }) => void;
  /** A new description of the `subscribe` connection (someone started or stopped publishing): answer with `sfu:answer`. */
  'sfu:offer': (p: { callId: string; description: SfuDescription<'offer'>; streams: SfuStream[] }) => void;
  /** The SFU dropped this device (it went away or restarted): publish again to come back. */
  'sfu:closed': (p: { callId: string }) => void;
  /** Someone else on the SFU started (`true`) or stopped (`false`) talking, as the SFU measures it: transitions only. */
  'sfu:talking': (p: { callId: string; username: string; talking: boolean }) => void;
}

// What clients check (tolerant of added keys, as server-messages.ts explains).
const streamSchema = z.object({
  mid: z.string().check(z.minLength(1), z.maxLength(64)),
  username: usernameSchema,
  kind: z.enum(['audio', 'video']),
  source: z.optional(z.enum(SFU_VIDEO_SOURCES)),
});
export const sfuServerSchemas = {
  'room:mode': z.object({ callId: callIdSchema, mode: z.enum(MEDIA_MODES) }),
  'sfu:offer': z.object({
    callId: callIdSchema,
    description: z.object(sfuOfferSchema.shape),
    // Three tracks per publisher (a microphone, a camera, a screen), at most 64 publishers.
    streams: z.array(streamSchema).check(z.maxLength(192)),
  }),
  'sfu:closed': z.object({ callId: callIdSchema }),
  'sfu:talking': z.object({ callId: callIdSchema, username: usernameSchema, talking: z.boolean() }),
} as const;

export const sfuReplyFields = {
  'sfu:publish': { description: z.object(sfuAnswerSchema.shape) },
  'sfu:answer': {},
  'sfu:candidate': {},
  'sfu:view': {},
  'sfu:leave': {},
} as const;
