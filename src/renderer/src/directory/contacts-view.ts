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

/**
 * Names in the user's locale's order (as localeCompare). A page's first
 * collator loads the locale's collation data (10 to 30 ms): on a first visit
 * early.js has loaded it while the modules loaded, so this one is cheap.
 * A return draws the cached list, and Home's favorites, by the kept order
 * (adoptNameOrder), comparing no names until they change.
 */
function compareNames(a: string, b: string): number {
  collator ??= new Intl.Collator();
  return collator.compare(a, b);
}

export interface ContactRow extends DirectoryEntry {
  favorite: boolean;
}

/** By display name, then username, in the locale's order. */
export function byName(a: DirectoryEntry, b: DirectoryEntry): number {
  return compareNames(a.displayName, b.displayName) || compareNames(a.username, b.username);
}

/** The names `ranks` was made for (username → display name), and each one's place among them by name. */
let named = new Map<string, string>();
let ranks = new Map<string, number>();

/**
 * Each listed person's place in name order, kept while the same people with
 * the same names are listed: a presence change then re-sorts by numbers, not
 * by a collator's string comparisons (about 4,500 of them for 500 contacts,
 * 14 ms here, on every change).
 */
function nameRanks(entries: readonly DirectoryEntry[]): ReadonlyMap<string, number> {
  if (entries.length === named.size && entries.every((u) => named.get(u.username) === u.displayName)) return ranks;
  named = new Map(entries.map((u) => [u.username, u.displayName]));
  // The server lists by name already (by its own collation, which may differ): checked with one comparison a person,
  // a list in order is taken as it is, without the sort's dozen.
  const inOrder = entries.every((u, i, all) => i === 0 || byName(all[i - 1] ?? u, u) <= 0);
  ranks = new Map((inOrder ? entries : [...entries].sort(byName)).map((u, i) => [u.username, i]));
  return ranks;
}

/**
 * Takes `sorted`'s order as the name order: the copy kept from the last visit,
 * saved in name order (directory-cache.ts). The first list of a returning
 * visit is then drawn without a collator.
 */
export function adoptNameOrder(sorted: readonly DirectoryEntry[]): void {
  named = new Map(sorted.map((u) => [u.username, u.displayName]));
  ranks = new Map(sorted.map((u, i) => [u.username, i]));
}

/** Reachable people first, then by their place in name order. */
function reachableThenNamed(rank: ReadonlyMap<string, number>): (a: DirectoryEntry, b: DirectoryEntry) => number {
  return (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (rank.get(a.username) ?? 0) - (rank.get(b.username) ?? 0);
}

/** The list as shown: favorites on top, then reachable first, then by name; `query` keeps the matching ones. */
export function contactRows(directory: Iterable<DirectoryEntry>, favorites: ReadonlySet<string>, query: string): ContactRow[] {
  const all = [...directory];
  const order = reachableThenNamed(nameRanks(all));
  const q = query.trim().toLowerCase();
  return all
    .filter((u) => q === '' || u.username.includes(q) || u.displayName.toLowerCase().includes(q))
    .map((u) => ({ ...u, favorite: favorites.has(u.username) }))
    .sort((a, b) => Number(b.favorite) - Number(a.favorite) || order(a, b));
}

/** The favorites alone (Home's), in the list's order: by the same name ranks, so Home and the list always agree. */
export function favoriteRows(directory: Iterable<DirectoryEntry>, favorites: ReadonlySet<string>): ContactRow[] {
  const all = [...directory];
  const order = reachableThenNamed(nameRanks(all));
  return all
    .filter((u) => favorites.has(u.username))
    .map((u) => ({ ...u, favorite: true }))
    .sort(order);
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
