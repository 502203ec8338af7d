/**
 * Named rooms in the protocol (PROTOCOL.md, "Named rooms" and "Rooms people
 * can find"): coming into one (`room:join`), its owner and join code
 * (`room:code`), and the team's list of rooms (`room:list`, then
 * `room:listing` as they change). Rooms are team-wide: every signed-in
 * device may list them, with who is in each; a join code guards the way in,
 * not the name or who is inside. Imported by index.ts (client schemas, types)
 * and server-messages.ts (what clients check).
 */
import { z } from 'zod/mini';
import { callIdSchema, displayNameSchema, roomCodeSchema, roomNameSchema, mediaSchema, usernameSchema, type UserRef } from './primitives.js';

/** Most rooms one listing names: the rooms open now first, then the kept ones. */
export const ROOM_LIST_LIMIT = 200;

export const roomClientSchemas = {
  /** Opens the named room, or joins it when it is open; `code` is set by whoever opens it. */
  'room:join': z.strictObject({ name: roomNameSchema, code: z.optional(roomCodeSchema), media: z.optional(mediaSchema) }),
  'room:code': z.strictObject({ callId: callIdSchema, code: z.nullable(roomCodeSchema) }),
  /** The team's rooms as they are now; `room:listing` tells each change after it. */
  'room:list': z.strictObject({}),
} as const;

/**
 * Who owns a named room, told to each device that comes into it: the one
 * who may change or remove its join code (`room:code`). Servers before room
 * owners leave it out.
 */
export interface RoomOwnership {
  /** A kept room's owner (named by an admin), or whoever opened an unkept room. */
  owner: UserRef;
  /** This device's user owns the room, so `room:code` is theirs to send. */
  canChangeCode: boolean;
  /** The room has a join code as this device comes in. */
  hasCode: boolean;
}

/** One room as the team's list shows it. */
export interface RoomSummary {
  name: string;
  /** Who is in it now, in the order they came in; empty while a kept room is not open. */
  participants: UserRef[];
  /** Coming in needs the room's join code (`room:join` with `code`). */
  hasCode: boolean;
  /** Kept by an admin (`parley-server room add`): listed while nobody is in it too. */
  kept: boolean;
}

/**
 * A stamp orders what the server says about rooms: a listing or a change
 * with a stamp no higher than what a device holds for that room is older
 * news, to be dropped (two nodes may tell two changes out of order).
 */
export interface RoomListReply {
  rooms: RoomSummary[];
  stamp: number;
}

/** One room changed: how it is now, or `room: null` when it is no longer listed (closed, and not kept). */
export interface RoomListing {
  name: string;
  room: RoomSummary | null;
  stamp: number;
}

export interface RoomReplies {
  'room:list': RoomListReply;
}

export interface RoomServerEvents {
  /** A room opened, someone came in or left, it closed, or its join code came or went: sent to every signed-in device. */
  'room:listing': (p: RoomListing) => void;
}

// What clients check (tolerant of added keys, as server-messages.ts explains).
const summary = z.object({
  name: roomNameSchema,
  // At most the largest call a server allows (the SFU's limit).
  participants: z.array(z.object({ username: usernameSchema, displayName: displayNameSchema })).check(z.maxLength(64)),
  hasCode: z.boolean(),
  kept: z.boolean(),
});
const stamp = z.int().check(z.nonnegative());

export const roomServerSchemas = {
  'room:listing': z.object({ name: roomNameSchema, room: z.nullable(summary), stamp }),
} as const;

export const roomReplyFields = {
  'room:list': { rooms: z.array(summary).check(z.maxLength(ROOM_LIST_LIMIT)), stamp },
} as const;
