/**
 * The team as a signed-in user lists it: every enabled account but theirs, in
 * the repository's order (display name, then username), each with its status
 * over all its devices. One listing for Socket.IO's `directory:list` and
 * HTTP's `GET /api/directory` (http/directory-route.ts).
 */
import type { DirectoryEntry, Status } from '../protocol/index.js';
import type { UserRepository } from './users.js';

/** Entries a listing holds when the request names no limit (PROTOCOL.md, `directory:list`). */
export const DIRECTORY_DEFAULT_LIMIT = 200;

export interface DirectoryListingDeps {
  users: Pick<UserRepository, 'list'>;
  /** The users' statuses over all their devices, in the order named. */
  statuses(usernames: readonly string[]): Promise<Status[]>;
}

/**
 * `beforeStatuses` runs once the names are known and before their statuses are
 * read: a device that watches what it lists starts watching there, so no
 * change falls between the answer and the deltas after it.
 */
export async function listDirectory(
  deps: DirectoryListingDeps,
  me: string,
  { query, limit = DIRECTORY_DEFAULT_LIMIT }: { query?: string | undefined; limit?: number | undefined },
  beforeStatuses?: (usernames: string[]) => void,
): Promise<DirectoryEntry[]> {
  const list = (await deps.users.list({ query, limit: limit + 1 })).filter((u) => u.username !== me).slice(0, limit);
  const names = list.map((u) => u.username);
  beforeStatuses?.(names);
  const status = await deps.statuses(names);
  return list.map((u, i) => ({ username: u.username, displayName: u.displayName, status: status[i] ?? 'offline' }));
}
