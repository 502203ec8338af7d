/**
 * The last session's contact list, kept in localStorage per server and user,
 * so that a returning visit shows the list at once instead of after the
 * connection and the server's answer. Read like any input: validated, and
 * ignored (silently, to the person) when absent, malformed or another
 * user's. Its presence is last session's: the list shows it as unknown
 * until this session's statuses arrive (the handshake names the cached
 * users, so session:ready brings them; otherwise the server's listing).
 */
import { z } from 'zod/mini';
import type { DirectoryEntry } from 'parley-server/protocol';
import { directoryEntrySchema } from 'parley-server/protocol/primitives';
import { readPersisted, removePersisted, writePersisted } from '../lib/persisted.js';
import { byName } from './contacts-view.js';

export const DIRECTORY_CACHE_KEY = 'parley.directory.v1';

/** Whose list it is: the server and the signed-in user. */
export interface DirectoryOwner {
  serverUrl: string;
  username: string;
}

const cachedSchema = z.object({
  serverUrl: z.string(),
  username: z.string(),
  users: z.array(directoryEntrySchema).check(z.maxLength(500)),
});

/** Whether `a` and `b` are the same server and user. */
export const sameOwner = (a: DirectoryOwner | null, b: DirectoryOwner | null): boolean =>
  a !== null && b !== null && a.serverUrl === b.serverUrl && a.username === b.username;

const owned = (owner: DirectoryOwner, list: z.infer<typeof cachedSchema> | null): DirectoryEntry[] | null =>
  list && sameOwner(owner, list) ? list.users : null;

/** `value`'s list if it is one (`{ serverUrl, username, users }`) and `owner`'s; otherwise null. */
export function ownersList(owner: DirectoryOwner, value: unknown): DirectoryEntry[] | null {
  const parsed = cachedSchema.safeParse(value);
  return parsed.success ? owned(owner, parsed.data) : null;
}

/** The cached list for `owner`, or null (none, malformed, or someone else's). */
export function readCachedDirectory(owner: DirectoryOwner): DirectoryEntry[] | null {
  return owned(owner, readPersisted(DIRECTORY_CACHE_KEY, z.nullable(cachedSchema), null));
}

/** Keeps `users` as `owner`'s list; one list per browser profile (the last signed-in user's). */
export function writeCachedDirectory(owner: DirectoryOwner, users: readonly DirectoryEntry[]): void {
  try {
    // In name order: the next visit's first sort by name (contacts-view.ts) then finds it sorted, one
    // comparison a person instead of a dozen.
    writePersisted(DIRECTORY_CACHE_KEY, { serverUrl: owner.serverUrl, username: owner.username, users: [...users].sort(byName) });
  } catch {
    // Storage full or disabled: the next visit waits for the server, as without a cache.
  }
}

/** Signed out: the list is not left behind for whoever uses this profile next. */
export function forgetCachedDirectory(): void {
  removePersisted(DIRECTORY_CACHE_KEY);
}
