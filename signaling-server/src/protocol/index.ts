/**
 * The Parley signaling protocol (PROTOCOL_VERSION below): the one contract between the server and every
 * client. Types and zod schemas live together so the server validates what it
 * receives and the app validates what it receives with the same definitions.
 * Imported by the app as `parley-server/protocol`; keep it free of Node APIs.
 * Documented in ../../PROTOCOL.md — change both together.
 */
import { z } from 'zod/mini';
import { FAILURE_CAUSES, type EndReason, type ErrorCode, type FailureCause } from './codes.js';
import {
  callIdSchema,
  deviceIdSchema,
  displayNameSchema,
  iceCandidateSchema,
  mediaSchema,
  noControlCharacters,
  passwordSchema,
  sessionDescriptionSchema,
  SETTABLE_STATUSES,
  usernameSchema,
  type IceCandidate,
  type Media,
  type SessionDescription,
  type Status,
  type UserRef,
} from './primitives.js';
import { roomClientSchemas, type RoomOwnership, type RoomReplies, type RoomServerEvents } from './rooms.js';
import type { replySchemas, ServerEvent, ServerPayload } from './server-messages.js';
import { sfuClientSchemas, type SfuReplies, type SfuServerToClientEvents } from './sfu.js';
import { testCallClientSchemas, type TestCallReplies, type TestCallServerEvents } from './test-call.js';
import type { HistoryEntry } from './history.js';
import { transferClientSchemas, type CallMoved, type TransferReplies } from './transfer.js';
import type { VoicemailServerEvents } from './voicemail.js';
export * from './test-call.js'; // the test call and the network check
export * from './server-messages.js'; // schemas of what the server sends; the app validates with them
export * from './sfu.js';
export * from './rooms.js'; // room:join, room:code and the team's list of rooms
export * from './transfer.js'; // call:transfer and call:merge
export * from './history.js'; // what history:list answers
export * from './voicemail.js'; // messages left for a callee (HTTP) and the events about them

/** 2: group calls (rooms, call:add, room:* events, the room_full and wrong_code errors). */
export const PROTOCOL_VERSION = 2;


// zod/mini is tree-shakable: the app's bundle carries only the schema kinds used
// here. It has no messages of its own; the server installs zod's English ones
// (validation-messages.ts), and describeIssues says enough without them.

// ---------------------------------------------------------------- primitives

export * from './primitives.js';
export * from './codes.js';

export interface DirectoryEntry extends UserRef {
  status: Status;
}

/** One user's aggregate status, as in snapshots and watch answers. */
export interface PresenceEntry {
  username: string;
  status: Status;
}

/** Most users one `presence:watch` may name (a device also watches what it listed, ≤ 500). */
export const WATCH_LIMIT = 500;

// ------------------------------------------------------- acknowledgements

export type AckError = { ok: false; code: ErrorCode; message: string; retryAfterMs?: number };
export type Ack<T extends object = object> = ({ ok: true } & T) | AckError;
export type AckFn<T extends object = object> = (reply: Ack<T>) => void;

// -------------------------------------------------- client → server payloads

export const clientSchemas = {
  'presence:set': z.strictObject({ status: z.enum(SETTABLE_STATUSES) }),
  'directory:list': z.strictObject({
    query: z.optional(z.string().check(z.maxLength(64), noControlCharacters())),
    limit: z.optional(z.int().check(z.minimum(1), z.maximum(500))),
  }),
  /** Replaces the users this device watches besides those it listed; `[]` stops watching them. */
  'presence:watch': z.strictObject({
    usernames: z.array(usernameSchema).check(z.maxLength(WATCH_LIMIT, `must name at most ${WATCH_LIMIT} users`)),
  }),
  /** `hold`: the call of two this device is in, held aside while this one rings and goes on (consult, for a transfer or a merge). */
  'call:invite': z.strictObject({ to: usernameSchema, media: mediaSchema, hold: z.optional(callIdSchema) }),
  'call:accept': z.strictObject({ callId: callIdSchema, hold: z.optional(callIdSchema) }), // hold: held meanwhile (hold and answer)
  /** `busy`: declined because this user is in another call (their "busy when in a call" setting): the caller hears busy. */
  'call:decline': z.strictObject({ callId: callIdSchema, busy: z.optional(z.literal(true)) }),
  /** With `to`: takes back an Add person of `to` into this answered call (any participant may). */
  'call:cancel': z.strictObject({ callId: callIdSchema, to: z.optional(usernameSchema) }),
  /** `failed`: this side gave up because the media path did not come back; `cause`: what it saw. */
  'call:hangup': z.strictObject({ callId: callIdSchema, reason: z.optional(z.literal('failed')), cause: z.optional(z.enum(FAILURE_CAUSES)) }),
  /**
   * `fresh`: this device lost its peer connections (the app reloaded or its
   * renderer crashed) and makes new ones; the others are told to do the same.
   */
  'call:resume': z.strictObject({ callId: callIdSchema, fresh: z.optional(z.boolean()) }),
  /** Fresh ICE servers (TURN credentials) for a call this device takes part in: a long call asks before they expire. */
  'call:ice': z.strictObject({ callId: callIdSchema }),
  /** Rings `to` into an answered call this device takes part in (Add person). */
  'call:add': z.strictObject({ callId: callIdSchema, to: usernameSchema }),
  ...roomClientSchemas,
  ...transferClientSchemas,
  'call:signal': z
    .strictObject({
      callId: callIdSchema,
      /** The participant this is for; may be left out when the call has exactly one other. */
      to: z.optional(usernameSchema),
      description: z.optional(sessionDescriptionSchema),
      candidate: z.optional(iceCandidateSchema),
    })
    .check(
      z.refine((m) => m.description !== undefined || m.candidate !== undefined, {
        message: 'call:signal needs a description or a candidate',
      }),
    ),
  'call:mute': z.strictObject({ callId: callIdSchema, muted: z.boolean() }),
  /** Puts a call of two on hold (`held: true`) or takes it off hold; both sides then send no media. */
  'call:hold': z.strictObject({ callId: callIdSchema, held: z.boolean() }),
  /** Swap: takes back the call this device's user holds aside (`callId`) and holds the call they are in instead. */
  'call:swap': z.strictObject({ callId: callIdSchema }),
  /** This device started (`on: true`) or stopped recording the call; everyone else in it is told. */
  'call:recording': z.strictObject({ callId: callIdSchema, on: z.boolean() }),
  /** Something worth a note in the call's history happened; only that it did, never what (chat is peer to peer). */
  'call:note': z.strictObject({ callId: callIdSchema, chat: z.literal(true) }),
  'history:list': z.strictObject({
    before: z.optional(z.int().check(z.positive())),
    limit: z.optional(z.int().check(z.minimum(1), z.maximum(100))),
  }),
  'history:seen': z.strictObject({}),
  ...sfuClientSchemas,
  ...testCallClientSchemas,
} as const;

export type ClientEvent = keyof typeof clientSchemas;
export type ClientPayload<E extends ClientEvent> = z.infer<(typeof clientSchemas)[E]>;

/**
 * What `call:resume` found: the call is live on the server again (`active`),
 * waits for the peer to confirm it after a server restart (`waiting`, then
 * `call:peer-connection` when it does), or ended while this device was away
 * (`cause`: what made a `failed` one fail, as history has it).
 */
export type CallResumeReply =
  /** `participants`: everyone else in the call, when it resumes `fresh` (servers before reload rejoin leave it out); `recording`: who else records it. */
  | ({ state: 'active'; polite: boolean; participants?: UserRef[]; recording?: string[] } & IceAckFields)
  | ({ state: 'waiting'; polite: boolean; recording?: string[] } & IceAckFields)
  | { state: 'ended'; reason: EndReason; cause?: FailureCause };

/**
 * ICE servers for one call: STUN, and TURN with credentials issued for it
 * (see PROTOCOL.md, "ICE servers and TURN credentials").
 */
export interface IceGrant {
  iceServers: IceServer[];
  /** When the TURN credentials in `iceServers` expire, in ms since the epoch; absent without TURN. */
  iceExpiresAt?: number;
}
/** What the acks that start or resume a call carry besides their own fields; older servers leave it out. */
export type IceAckFields = Partial<IceGrant>;

/** What each acknowledgement carries on success. */
export interface ClientReplies extends SfuReplies, TestCallReplies, RoomReplies, TransferReplies {
  'presence:set': { status: Status };
  'directory:list': { users: DirectoryEntry[] };
  'presence:watch': { presence: PresenceEntry[] };
  /** `early`: the call rings on one device, which may connect while it rings (PROTOCOL.md, "Connecting while it rings"). */
  'call:invite': { callId: string; early?: true } & IceAckFields;
  /** `participants`: who is in the call besides this device (this device is polite toward each); `ownership`: accepted into a named room. */
  'call:accept': { callId: string; polite: boolean; participants?: UserRef[]; ownership?: RoomOwnership; recording?: string[] } & IceAckFields;
  'call:decline': object;
  'call:cancel': object;
  'call:hangup': object;
  'call:resume': CallResumeReply;
  'call:ice': IceGrant;
  'call:add': object;
  /** `participants`: who is in the room besides this device (this device is polite toward each); `recording`: who records it now. */
  'room:join': { callId: string; room: string; participants: UserRef[]; ownership?: RoomOwnership; recording?: string[] } & IceAckFields;
  'room:code': object;
  'call:signal': object;
  'call:mute': object;
  'call:hold': object;
  'call:swap': object;
  'call:recording': object;
  'call:note': object;
  'history:list': { calls: HistoryEntry[] };
  'history:seen': object;
}

export type ClientToServerEvents = {
  [E in ClientEvent]: (payload: ClientPayload<E>, ack: AckFn<ClientReplies[E]>) => void;
};

// -------------------------------------------------- server → client payloads

export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface SessionReady {
  protocol: number;
  user: UserRef;
  /** This device session's id; calls are bound to it. */
  sessionId: string;
  /** The user's status over all their devices. */
  status: Status;
  /** STUN only: TURN credentials come with each call (IceGrant). */
  iceServers: IceServer[];
  /** Calls missed since the user last sent `history:seen`. */
  missedCalls: number;
  /**
   * The status of each user this device watches, as a snapshot: its own user
   * first, then each user its handshake's `watch` named (others are watched
   * once it lists them with `directory:list` or names them with
   * `presence:watch`); then only deltas.
   */
  presence: PresenceEntry[];
  /** The server answers `testcall:start` (PARLEY_TEST_CALL=on); older servers leave it out. */
  testCall?: boolean;
}

export interface ServerToClientEvents extends SfuServerToClientEvents, TestCallServerEvents, RoomServerEvents, VoicemailServerEvents {
  'session:ready': (p: SessionReady) => void;
  'session:revoked': (p: { reason: 'disabled' | 'removed' | 'password-changed' | 'signed-out' }) => void;
  /** A fresh token of this sign-in (refresh on use): store it in place of the one the session started with. */
  'session:token': (p: SessionToken) => void;
  'server:closing': (p: { reason: 'shutdown' }) => void;
  /** Another connection took over this device id; this one is closed and should not reconnect. */
  'session:replaced': (p: Record<string, never>) => void;
  'presence:changed': (p: { username: string; displayName: string; status: Status }) => void;
  /** To a device that asked for batches (`auth.presenceBatch`) instead of `presence:changed`: changes in the order recorded, the latest of each user. */
  'presence:changes': (p: { changes: { username: string; displayName: string; status: Status }[] }) => void;
  /**
   * An account was created, renamed or enabled again: upsert it. The device
   * watches the user from then on. The user's own devices get it too.
   */
  'directory:updated': (p: { user: DirectoryEntry }) => void;
  /** An account was disabled or removed: drop it; the device stops watching it (unless named with presence:watch). */
  'directory:removed': (p: { username: string }) => void;
  /**
   * `participants` and `room` only when `from` adds this user to a call already going on;
   * `early`: this is the one device it rings on, which may connect while it rings.
   */
  'call:incoming': (p: {
    callId: string;
    from: UserRef;
    media: Media;
    polite: boolean;
    participants?: UserRef[];
    room?: string;
    early?: true;
    /** A blind transfer: who transferred `from` to this user (`participants`: who this user will be with). */
    transferredBy?: UserRef;
  }) => void;
  'call:ringing': (p: { callId: string }) => void;
  'call:accepted': (p: { callId: string; polite: boolean }) => void;
  /**
   * `cause`: with `failed`, what made it fail, when it is known. `transferred`: this user's transfer
   * connected the others and their part is over. `moved`: the call goes on as another call this device
   * is now in (attended transfer, merge): polite toward each of its `participants`, who offer.
   */
  'call:ended': (p: { callId: string; reason: EndReason; cause?: FailureCause; transferred?: true; moved?: CallMoved }) => void;
  'call:signal': (p: {
    callId: string;
    from: string;
    description?: SessionDescription;
    candidate?: IceCandidate;
  }) => void;
  'call:muted': (p: { callId: string; username: string; muted: boolean }) => void;
  /** The other side put the call on hold (`held: true`) or took it off hold. */
  'call:held': (p: { callId: string; username: string; held: boolean }) => void;
  /** `username` started (`on`) or stopped recording the call: show it, and say so. */
  'call:recording': (p: { callId: string; username: string; on: boolean }) => void;
  /**
   * The peer's device lost (false) or regained (true) its connection to the
   * server during the call. `username` says which participant (always sent).
   */
  /** `fresh`: the device came back without its peer connections (call:resume fresh): make a new one to it, offering. */
  'call:peer-connection': (p: { callId: string; connected: boolean; username?: string; fresh?: boolean }) => void;
  /** Someone joined the group call: this device is impolite toward them and offers. */
  'room:joined': (p: { callId: string; user: UserRef; polite: boolean }) => void;
  /** Someone left the group call, or an invitation to it ended unanswered; nobody else's connection is affected. */
  /** `transfer`: the target of a transfer did not answer (the call is back as it was), or the transferor left once it connected. */
  'room:left': (p: { callId: string; username: string; reason: EndReason; cause?: FailureCause; transfer?: true }) => void;
  /** Someone was added to the call and their devices ring; `transfer`: `by` transfers the call to them. */
  'room:ringing': (p: { callId: string; user: UserRef; by: string; transfer?: true }) => void;
}

/** The handshake `auth` object of a Socket.IO connection. */
export const handshakeAuthSchema = z.object({
  token: z.string().check(z.minLength(1), z.maxLength(4096)),
  status: z.optional(z.enum(SETTABLE_STATUSES)),
  /** Stable across reconnects of one window, so a call can resume on the new connection. */
  device: z.optional(deviceIdSchema),
  /** Presence as `presence:changes` batches instead of one `presence:changed` per change (see PROTOCOL.md, Presence). */
  presenceBatch: z.optional(z.boolean()),
  /** This client takes part in transfers and merges (call:incoming `transferredBy`, call:ended `moved`); without it, none is sent to it. */
  transfer: z.optional(z.boolean()),
  /**
   * The users this device shows (its contact list from the last visit): watched from the start, as a
   * listing, with their statuses in `session:ready`, until its first `directory:list` replaces them.
   */
  watch: z.optional(z.array(usernameSchema).check(z.maxLength(WATCH_LIMIT, `must name at most ${WATCH_LIMIT} users`))),
});
export type HandshakeAuth = z.infer<typeof handshakeAuthSchema>;

// -------------------------------------------------------------- HTTP API

export const registerRequestSchema = z.strictObject({
  username: usernameSchema,
  password: passwordSchema,
  displayName: displayNameSchema,
  inviteCode: z.optional(z.string().check(z.maxLength(256))),
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

export const loginRequestSchema = z.strictObject({
  username: z.string().check(z.maxLength(64)),
  password: z.string().check(z.maxLength(256)),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

/** A refreshed sign-in token (`session:token`). */
export interface SessionToken {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export interface LoginResponse {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  user: UserRef;
}

export interface HttpError {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

/** GET /api/info: what a sign-in screen needs before it has an account. */
export interface ServerInfo {
  name: 'parley-server';
  version: string;
  protocol: number;
  registration: 'open' | 'invite' | 'closed';
}

/** The longest a described issue gets. */
const ISSUE_CHARS = 160;

/** zod's message where no messages are installed (the app's). */
const NO_MESSAGES = 'Invalid input';

/** Turns a zod failure into one human sentence naming the field. */
export function describeIssues(error: z.core.$ZodError): string {
  // Each issue clipped: an enum's message lists every allowed value, and the protocol's lists grow.
  const clip = (text: string) => (text.length > ISSUE_CHARS ? `${text.slice(0, ISSUE_CHARS - 1)}…` : text);
  // Without zod's messages, the issue's code and what was expected say it.
  const text = (i: z.core.$ZodIssue) => (i.message !== NO_MESSAGES ? i.message : 'expected' in i ? `${i.code}, expected ${i.expected}` : i.code);
  return error.issues
    .slice(0, 3)
    .map((i) => clip(i.path.length > 0 ? `${i.path.join('.')}: ${text(i)}` : text(i)))
    .join('; ');
}

// ------------------------------------ the schemas and the declared types agree

/** True when each of A and B is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mismatches<T extends Record<string, boolean>> = { [K in keyof T]: T[K] extends true ? never : K }[keyof T];
/** Compiles only when `Names` is `never`; otherwise the error names what differs. */
type None<Names extends never> = Names;
type Declared<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

/**
 * A compile-time check, nothing to use: fails to compile when an event of
 * ServerToClientEvents has no schema or a schema no event, when a schema reads
 * a payload of another shape than the declared one, or likewise for the
 * acknowledgements and ClientReplies. It is here, with the types, so that
 * server-messages.ts need not import this module (which re-exports it).
 */
export type ServerMessagesMatchTypes = [
  None<Exclude<keyof ServerToClientEvents, ServerEvent>>,
  None<Exclude<ServerEvent, keyof ServerToClientEvents>>,
  None<Mismatches<{ [E in ServerEvent & keyof ServerToClientEvents]: Same<ServerPayload<E>, Declared<E>> }>>,
  None<Exclude<ClientEvent, keyof typeof replySchemas>>,
  None<Exclude<keyof typeof replySchemas, ClientEvent>>,
  None<Mismatches<{ [E in ClientEvent]: Same<z.infer<(typeof replySchemas)[E]>, Ack<ClientReplies[E]>> }>>,
];
