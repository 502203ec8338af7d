/**
 * Named rooms this device was in lately, newest first, offered again by
 * "Join room" (and the tray). Kept in localStorage with the join code the
 * room was joined with, so rejoining needs no typing; a room's code is a
 * meeting key, not an account secret.
 */
import { ROOM_NAME_PATTERN } from 'parley-server/protocol/primitives';
import { z } from 'zod/mini';
import { readPersisted, writePersisted } from '../lib/persisted.js';

export const RECENT_ROOMS_KEY = 'parley.rooms.v1';
export const MAX_RECENT_ROOMS = 8;

const roomSchema = z.object({
  name: z.string().check(z.regex(ROOM_NAME_PATTERN)),
  code: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type RecentRoom = z.infer<typeof roomSchema>;

const listSchema = z.array(roomSchema).check(z.maxLength(MAX_RECENT_ROOMS * 4));

/** Puts `room` first, once, and keeps the newest few. */
export function rememberRoom(list: readonly RecentRoom[], room: RecentRoom): RecentRoom[] {
  const entry: RecentRoom = room.code ? { name: room.name, code: room.code } : { name: room.name };
  return [entry, ...list.filter((r) => r.name !== room.name)].slice(0, MAX_RECENT_ROOMS);
}

/** What a person types as a room name, as the server spells it: trimmed, lower case. */
export function normalizeRoomName(input: string): string | null {
  const name = input.trim().toLowerCase();
  return ROOM_NAME_PATTERN.test(name) ? name : null;
}

export function loadRecentRooms(): RecentRoom[] {
  return readPersisted(RECENT_ROOMS_KEY, listSchema, []).slice(0, MAX_RECENT_ROOMS);
}

export function saveRecentRooms(list: readonly RecentRoom[]): void {
  writePersisted(RECENT_ROOMS_KEY, list);
}
