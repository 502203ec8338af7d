/**
 * Schemas of what the server sends: the payload of every server → client
 * event (`serverSchemas`) and the acknowledgement of every client request
 * (`replySchemas`). The app checks each message with them before using it, so
 * a malformed message is logged and dropped instead of reaching the UI.
 * Documented in ../../PROTOCOL.md ("Clients validate what they receive").
 *
 * Strict or tolerant? The server refuses unknown keys in what it receives
 * (strict objects in index.ts): it is the one authority and an unknown key
 * there is a client bug. Here it is the other way round: a team updates its
 * one self-hosted server when it likes, and the installed apps later, so an
 * older app must keep working when a newer server adds a field to a message.
 * So these objects accept unknown keys and drop them (zod's default "strip"):
 * the handler gets exactly the declared fields, never unchecked data. Values
 * are checked as strictly as the server's own: types, closed sets (status,
 * end reason, error code), string lengths. A new value in a closed set is a
 * protocol change (PROTOCOL_VERSION 2), not something an old app can guess
 * the meaning of.
 */
import { z } from 'zod/mini';
import { END_REASONS, ERROR_CODES, FAILURE_CAUSES } from './codes.js';
import {
  callIdSchema as callId,
  directoryEntrySchema as directoryEntry,
  displayNameSchema as displayName,
  iceCandidateSchema,
  mediaSchema,
  roomNameSchema as roomName,
  sessionDescriptionSchema,
  STATUSES,
  usernameSchema as username,
} from './primitives.js';
import { roomReplyFields, roomServerSchemas } from './rooms.js';
import { sfuReplyFields, sfuServerSchemas } from './sfu.js';
import { testCallReplyFields, testCallServerSchemas } from './test-call.js';
import { voicemailServerSchemas } from './voicemail.js';

// ------------------------------------- primitives (primitives.ts, codes.ts)

const status = z.enum(STATUSES);
const endReason = z.enum(END_REASONS);
// A cause a newer server adds is dropped, never the message: the call still ends, with the generic words.
const cause = z.optional(z.catch(z.optional(z.enum(FAILURE_CAUSES)), undefined));
const errorCode = z.enum(ERROR_CODES);
// The same fields as what clients send, tolerant of added keys like the rest.
const media = z.object(mediaSchema.shape);
const description = z.object(sessionDescriptionSchema.shape);
const candidate = z.nullable(z.object(iceCandidateSchema.def.innerType.shape));

const timestamp = z.int().check(z.nonnegative());
const userRef = z.object({ username, displayName });
/** Everyone else in a group call: at most the largest mesh limit a server allows. */
const participants = z.array(userRef).check(z.maxLength(64));

/** An RTCIceServer as the server hands it out (STUN URLs, TURN REST credentials). */
const iceServer = z.object({
  urls: z.union([
    z.string().check(z.minLength(1), z.maxLength(2048)),
    z.array(z.string().check(z.minLength(1), z.maxLength(2048))).check(z.minLength(1), z.maxLength(64)),
  ]),
  username: z.optional(z.string().check(z.maxLength(1024))),
  credential: z.optional(z.string().check(z.maxLength(1024))),
});

const iceServers = z.array(iceServer).check(z.maxLength(64));
/** An IceGrant, as `call:ice` answers it. */
const iceGrant = { iceServers, iceExpiresAt: z.optional(z.int().check(z.positive())) };
/** The same fields in the acks that start or resume a call, where older servers leave them out. */
const iceFields = { ...iceGrant, iceServers: z.optional(iceServers) };

const presenceChange = z.object({ username, displayName, status });
const presenceEntry = z.object({ username, status });

const historyEntry = z.object({
  seq: z.int().check(z.positive()),
  callId,
  direction: z.enum(['outgoing', 'incoming']),
  peer: userRef,
  media,
  startedAt: timestamp,
  answeredAt: z.nullable(timestamp),
  endedAt: z.nullable(timestamp),
  outcome: z.nullable(endReason),
  cause,
  missed: z.boolean(),
  chat: z.optional(z.boolean()),
  attempts: z.optional(z.int().check(z.minimum(2))),
  room: z.optional(roomName),
  participants: z.optional(participants),
  transfer: z.optional(z.object({ by: userRef, from: userRef, to: userRef })),
});

// ------------------------------------------------------ server → client events

export const serverSchemas = {
  'session:ready': z.object({
    protocol: z.int().check(z.positive()),
    user: userRef,
    sessionId: z.string().check(z.minLength(1), z.maxLength(128)),
    status,
    iceServers,
    missedCalls: z.int().check(z.nonnegative()),
    // The user's own entry, then one for each user the handshake's `watch`
    // named; older servers sent every user online, so there is no upper bound.
    presence: z.array(presenceEntry),
    testCall: z.optional(z.boolean()),
  }),
  'session:revoked': z.object({ reason: z.enum(['disabled', 'removed', 'password-changed', 'signed-out']) }),
  'session:token': z.object({
    token: z.string().check(z.minLength(1), z.maxLength(4096)),
    expiresAt: z.int().check(z.positive()),
  }),
  'server:closing': z.object({ reason: z.literal('shutdown') }),
  'session:replaced': z.object({}),
  'presence:changed': presenceChange,
  // As many as the device watches (its listing has no upper bound), each user once.
  'presence:changes': z.object({ changes: z.array(presenceChange) }),
  'directory:updated': z.object({ user: directoryEntry }),
  'directory:removed': z.object({ username }),
  'call:incoming': z.object({
    callId,
    from: userRef,
    media,
    polite: z.boolean(),
    participants: z.optional(participants),
    room: z.optional(roomName),
    early: z.optional(z.literal(true)),
    transferredBy: z.optional(userRef),
  }),
  'call:ringing': z.object({ callId }),
  'call:accepted': z.object({ callId, polite: z.boolean() }),
  'call:ended': z.object({
    callId,
    reason: endReason,
    cause,
    transferred: z.optional(z.literal(true)),
    moved: z.optional(z.object({ callId, participants })),
  }),
  'call:signal': z
    .object({ callId, from: username, description: z.optional(description), candidate: z.optional(candidate) })
    .check(
      z.refine((m) => m.description !== undefined || m.candidate !== undefined, {
        message: 'call:signal needs a description or a candidate',
      }),
    ),
  'call:muted': z.object({ callId, username, muted: z.boolean() }),
  'call:held': z.object({ callId, username, held: z.boolean() }),
  'call:recording': z.object({ callId, username, on: z.boolean() }),
  'call:peer-connection': z.object({ callId, connected: z.boolean(), username: z.optional(username), fresh: z.optional(z.boolean()) }),
  'room:joined': z.object({ callId, user: userRef, polite: z.boolean() }),
  'room:left': z.object({ callId, username, reason: endReason, cause, transfer: z.optional(z.literal(true)) }),
  'room:ringing': z.object({ callId, user: userRef, by: username, transfer: z.optional(z.literal(true)) }),
  ...roomServerSchemas,
  ...sfuServerSchemas,
  ...testCallServerSchemas,
  ...voicemailServerSchemas,
} as const;

export type ServerEvent = keyof typeof serverSchemas;
export type ServerPayload<E extends ServerEvent> = z.infer<(typeof serverSchemas)[E]>;

// ------------------------------------------------------------ acknowledgements

const ackError = z.object({
  ok: z.literal(false),
  code: errorCode,
  message: z.string().check(z.maxLength(2000)),
  retryAfterMs: z.optional(z.number().check(z.nonnegative())),
});

const success = <S extends z.core.$ZodShape>(fields: S) => z.object({ ok: z.literal(true), ...fields });
/** `{ ok: true, ...fields }` or an error, for a request whose success carries `fields`. */
const ack = <S extends z.core.$ZodShape>(fields: S) => z.discriminatedUnion('ok', [success(fields), ackError]);
const polite = z.boolean();
/** Who records the call as this device comes in (a call holds at most a few dozen people). */
const recording = z.optional(z.array(username).check(z.maxLength(64)));
const ownership = z.optional(z.object({ owner: userRef, canChangeCode: z.boolean(), hasCode: z.boolean() }));

export const replySchemas = {
  'presence:set': ack({ status }),
  // At most the largest `limit` a request may ask for.
  'directory:list': ack({ users: z.array(directoryEntry).check(z.maxLength(500)) }),
  // One entry per distinct username asked for: at most WATCH_LIMIT.
  'presence:watch': ack({ presence: z.array(presenceEntry).check(z.maxLength(500)) }),
  'call:invite': ack({ callId, early: z.optional(z.literal(true)), ...iceFields }),
  'call:accept': ack({ callId, polite, participants: z.optional(participants), ownership, recording, ...iceFields }),
  'call:decline': ack({}),
  'call:cancel': ack({}),
  'call:hangup': ack({}),
  'call:resume': z.discriminatedUnion('ok', [
    z.discriminatedUnion('state', [
      success({ state: z.literal('active'), polite, participants: z.optional(participants), recording, ...iceFields }),
      success({ state: z.literal('waiting'), polite, recording, ...iceFields }),
      success({ state: z.literal('ended'), reason: endReason, cause }),
    ]),
    ackError,
  ]),
  'call:ice': ack(iceGrant),
  'call:add': ack({}),
  'room:join': ack({ callId, room: roomName, participants, ownership, recording, ...iceFields }),
  'room:code': ack({}),
  'room:list': ack(roomReplyFields['room:list']),
  'call:signal': ack({}),
  'call:mute': ack({}),
  'call:hold': ack({}),
  'call:swap': ack({}),
  'call:transfer': ack({}),
  'call:merge': ack({}),
  'call:recording': ack({}),
  'call:note': ack({}),
  'history:list': ack({ calls: z.array(historyEntry).check(z.maxLength(100)) }),
  'history:seen': ack({}),
  'sfu:publish': ack(sfuReplyFields['sfu:publish']),
  'sfu:answer': ack(sfuReplyFields['sfu:answer']),
  'sfu:candidate': ack(sfuReplyFields['sfu:candidate']),
  'sfu:view': ack(sfuReplyFields['sfu:view']),
  'sfu:leave': ack(sfuReplyFields['sfu:leave']),
  'network:ice': ack(iceGrant),
  'testcall:start': ack({ ...testCallReplyFields['testcall:start'], ...iceGrant }),
  'testcall:signal': ack(testCallReplyFields['testcall:signal']),
  'testcall:stop': ack(testCallReplyFields['testcall:stop']),
} as const;
