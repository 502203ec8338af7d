/** The contact list as shown: search, favorites pinned on top, then by reachability and name. */
import type { DirectoryEntry, Status } from 'parley-server/protocol';

export const STATUS_ORDER: Record<Status, number> = { available: 0, away: 1, busy: 2, dnd: 3, offline: 4 };

export const STATUS_LABEL: Record<Status, string> = {
  available: 'Available',
  away: 'Away',
  busy: 'In a call',
  dnd: 'Do not disturb',
  offline: 'Offline',
};

let collator: Intl.Collator | undefined;

/** Names in the user's locale's order (as localeCompare). */
function compareNames(a: string, b: string): number {
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}

/**
 * The first collator of a page loads the locale's collation data: 10-25 ms
 * of main thread. The app calls this while it waits for the server, so the
 * first contact list does not wait for it.
 */
export function prepareNameOrder(): void {
  collator ??= new Intl.Collator();
}

export interface ContactRow extends DirectoryEntry {
  favorite: boolean;
}

export function contactRows(
  directory: Iterable<DirectoryEntry>,
  favorites: ReadonlySet<string>,
  query: string,
): ContactRow[] {
  const q = query.trim().toLowerCase();
  return [...directory]
    .filter((u) => q === '' || u.username.includes(q) || u.displayName.toLowerCase().includes(q))
    .map((u) => ({ ...u, favorite: favorites.has(u.username) }))
    .sort(
      (a, b) =>
        Number(b.favorite) - Number(a.favorite) ||
        STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
        compareNames(a.displayName, b.displayName) ||
        compareNames(a.username, b.username),
    );
}

/**
 * `rows` in the order `order` gave them (usernames, as shown when the hold
 * began), for a list that must not move under the pointer; anyone not in it
 * (new since) comes after, in their own order.
 */
export function inHeldOrder<T extends { username: string }>(rows: readonly T[], order: readonly string[]): T[] {
  const place = new Map(order.map((username, i) => [username, i]));
  const at = (row: T): number => place.get(row.username) ?? order.length;
  // Array.prototype.sort is stable: the newcomers keep their own order.
  return [...rows].sort((a, b) => at(a) - at(b));
}
