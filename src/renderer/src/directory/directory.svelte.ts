/**
 * The team as this device sees it: everyone listed with live presence, kept
 * current by the server's events (presence changes, people who register,
 * are renamed, disabled or removed), your own status, and your favorites.
 */
import { SvelteMap } from 'svelte/reactivity';
import type { DirectoryEntry, PresenceEntry, SettableStatus, Status, UserRef } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import { forgetCachedDirectory, readCachedDirectory, sameOwner, writeCachedDirectory, type DirectoryOwner } from './directory-cache.js';
import { adoptNameOrder } from './contacts-view.js';
import { takeEarlyDirectory } from './early-directory.js';
import { logger } from '../lib/log.js';

const log = logger('directory');

export interface DirectoryDeps {
  link: SignalingLink;
  /** The signed-in user's username, if any. */
  me(): string | null;
  saveFavorites(favorites: string[]): void;
  /** Whose list this is (server and user), for the list kept between visits; null when signed out. */
  owner(): DirectoryOwner | null;
}

// Favorites are replaced whole, never changed in place, so a plain Set serves (SvelteSet's code, 1.2 KB, is not needed).
const favoriteSet = (usernames: Iterable<string>): ReadonlySet<string> => new Set(usernames);

export class Directory {
  readonly entries = new SvelteMap<string, DirectoryEntry>();
  /** Filled from the stored preferences at start; a new set at each change, which is what its readers see. */
  #favorites: ReadonlySet<string> = $state.raw(favoriteSet([]));
  get favorites(): ReadonlySet<string> { return this.#favorites; } // prettier-ignore
  /**
   * The first listing of this session has arrived: until then the list shows
   * no "nobody here", and a list from the last visit (`showCached`) shows its
   * presence as unknown.
   */
  loaded = $state(false);
  /**
   * Every listed status is this session's: from the listing, or from the
   * snapshot in session:ready of the list named in the handshake (a list from
   * the last visit shows its presence as unknown until then).
   */
  presenceKnown = $state(false);
  /** The status this user chose; `busy` is the server's doing. */
  chosenStatus = $state<SettableStatus>('available');
  /** This user's status over all their devices, as the server says. */
  myStatus = $state<Status>('offline');
  /** Removed or disabled since the last listing: a presence delta still in flight does not bring them back. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #gone = new Set<string>();
  /** Users whose change arrived on this connection before its snapshot: newer than it. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  readonly #heard = new Set<string>();

  readonly #deps: DirectoryDeps;

  constructor(deps: DirectoryDeps) {
    this.#deps = deps;
    deps.link.on('presence:changed', (change) => this.#changed(change));
    // What this app asks for (signaling.ts): several changes in one message, in the order recorded.
    deps.link.on('presence:changes', ({ changes }) => {
      for (const change of changes) this.#changed(change);
    });
    deps.link.on('directory:updated', ({ user }) => {
      if (user.username === deps.me()) return;
      this.#gone.delete(user.username);
      this.entries.set(user.username, user);
    });
    deps.link.on('directory:removed', ({ username }) => {
      this.#gone.add(username);
      this.entries.delete(username);
    });
  }

  /** Everyone but you, as listed. */
  #changed({ username, displayName, status }: DirectoryEntry): void {
    if (username === this.#deps.me()) {
      this.myStatus = status;
      return;
    }
    this.#heard.add(username);
    // A delta for someone not listed yet (registered a moment ago) is kept, not lost.
    if (!this.#gone.has(username)) this.entries.set(username, { username, displayName, status });
  }

  /** A handshake begins: the users shown, for it to name (the server's limit is 500), a returning visit's cached list or the last listing. */
  handshakeWatch(): string[] {
    // A new connection: what the last one heard is older than the snapshot to come.
    this.#heard.clear();
    return [...this.entries.keys()].slice(0, 500);
  }

  /** The statuses session:ready brings of the users the handshake named; an older server sends none of them. */
  snapshot(presence: readonly PresenceEntry[]): void {
    let covered = 0;
    for (const { username, status } of presence) {
      const entry = this.entries.get(username);
      if (!entry) continue;
      covered++;
      if (!this.#heard.has(username) && entry.status !== status) this.entries.set(username, { ...entry, status });
    }
    this.#heard.clear();
    if (covered > 0 && covered === this.entries.size) this.presenceKnown = true;
  }

  get list(): Iterable<DirectoryEntry> {
    return this.entries.values();
  }

  /** A user as shown: their display name if listed, else the username. */
  ref(username: string): UserRef {
    return { username, displayName: this.entries.get(username)?.displayName ?? username };
  }

  /** A returning visit: last session's list at once, until the server's listing replaces it. */
  showCached(): void {
    const owner = this.#deps.owner();
    if (!owner || this.loaded || this.entries.size > 0) return;
    const users = readCachedDirectory(owner);
    if (!users) return;
    for (const u of users) this.entries.set(u.username, u);
    adoptNameOrder(users);
  }

  /**
   * A first visit: the listing early.js (src/renderer/early.js) fetched while the code loaded, as soon as it is here,
   * until this session's own replaces it. Never over anything listed already.
   */
  async showEarly(): Promise<void> {
    const owner = this.#deps.owner();
    const users = owner && (await takeEarlyDirectory(owner));
    // Signed out (or in as someone else) while it was on its way, or listed by the socket first: not shown.
    if (!users || !sameOwner(owner, this.#deps.owner()) || this.loaded || this.entries.size > 0) return;
    for (const u of users) if (!this.#gone.has(u.username)) this.entries.set(u.username, u);
    // Shown before the handshake, it is named there and watched from then on; after it, nobody watches it until the
    // socket's listing, so its statuses are not this session's to trust.
    this.presenceKnown = !this.#deps.link.connected;
  }

  /** The whole listing: what it names is what the server sends presence deltas for. */
  async load(): Promise<void> {
    const res = await this.#deps.link.request('directory:list', { limit: 500 });
    if (!res.ok) {
      log.warn('directory:list refused:', res.code, res.message);
      return;
    }
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const listed = new Set(res.users.map((u) => u.username));
    for (const name of [...this.entries.keys()]) if (!listed.has(name)) this.entries.delete(name);
    for (const u of res.users) this.entries.set(u.username, u);
    this.#gone.clear();
    this.loaded = true;
    this.presenceKnown = true;
    const owner = this.#deps.owner();
    // After this task: the list is drawn first, the copy for the next visit later.
    if (owner) setTimeout(() => writeCachedDirectory(owner, res.users), 0);
  }

  async setStatus(status: SettableStatus): Promise<void> {
    this.chosenStatus = status;
    const res = await this.#deps.link.request('presence:set', { status });
    if (res.ok) this.myStatus = res.status;
  }

  toggleFavorite(username: string): void {
    const list = [...this.#favorites];
    this.#favorites = favoriteSet(this.#favorites.has(username) ? list.filter((u) => u !== username) : [...list, username]);
    this.#deps.saveFavorites([...this.#favorites]);
  }

  /** The stored favorites, read at start, joined to any starred meanwhile. */
  restoreFavorites(usernames: Iterable<string>): void {
    this.#favorites = favoriteSet([...this.#favorites, ...usernames]);
  }

  /** Signed out: this session's list, and the copy kept for the next visit, are gone. */
  clear(): void {
    forgetCachedDirectory();
    this.entries.clear();
    this.#gone.clear();
    this.loaded = false;
    this.presenceKnown = false;
    this.myStatus = 'offline';
  }
}
