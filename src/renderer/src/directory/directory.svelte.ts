/**
 * The team as this device sees it: everyone listed with live presence, kept
 * current by the server's events (presence changes, people who register,
 * are renamed, disabled or removed), your own status, and your favorites.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type { DirectoryEntry, SettableStatus, Status, UserRef } from 'parley-server/protocol';
import type { SignalingLink } from '../connection/link.js';
import { logger } from '../lib/log.js';

const log = logger('directory');

export interface DirectoryDeps {
  link: SignalingLink;
  /** The signed-in user's username, if any. */
  me(): string | null;
  saveFavorites(favorites: string[]): void;
}

export class Directory {
  readonly entries = new SvelteMap<string, DirectoryEntry>();
  /** Filled from the stored preferences at start. */
  readonly favorites = new SvelteSet<string>();
  /** The first listing of this session has arrived (until then the list shows no "nobody here"). */
  loaded = $state(false);
  /** The status this user chose; `busy` is the server's doing. */
  chosenStatus = $state<SettableStatus>('available');
  /** This user's status over all their devices, as the server says. */
  myStatus = $state<Status>('offline');
  /** Removed or disabled since the last listing: a presence delta still in flight does not bring them back. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private readonly gone = new Set<string>();

  constructor(private readonly deps: DirectoryDeps) {
    deps.link.on('presence:changed', ({ username, displayName, status }) => {
      if (username === deps.me()) {
        this.myStatus = status;
        return;
      }
      // A delta for someone not listed yet (registered a moment ago) is kept, not lost.
      if (!this.gone.has(username)) this.entries.set(username, { username, displayName, status });
    });
    deps.link.on('directory:updated', ({ user }) => {
      if (user.username === deps.me()) return;
      this.gone.delete(user.username);
      this.entries.set(user.username, user);
    });
    deps.link.on('directory:removed', ({ username }) => {
      this.gone.add(username);
      this.entries.delete(username);
    });
  }

  /** Everyone but you, as listed. */
  get list(): Iterable<DirectoryEntry> {
    return this.entries.values();
  }

  /** A user as shown: their display name if listed, else the username. */
  ref(username: string): UserRef {
    return { username, displayName: this.entries.get(username)?.displayName ?? username };
  }

  /** The whole listing: what it names is what the server sends presence deltas for. */
  async load(): Promise<void> {
    const res = await this.deps.link.request('directory:list', { limit: 500 });
    if (!res.ok) {
      log.warn('directory:list refused:', res.code, res.message);
      return;
    }
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const listed = new Set(res.users.map((u) => u.username));
    for (const name of [...this.entries.keys()]) if (!listed.has(name)) this.entries.delete(name);
    for (const u of res.users) this.entries.set(u.username, u);
    this.gone.clear();
    this.loaded = true;
  }

  async setStatus(status: SettableStatus): Promise<void> {
    this.chosenStatus = status;
    const res = await this.deps.link.request('presence:set', { status });
    if (res.ok) this.myStatus = res.status;
  }

  toggleFavorite(username: string): void {
    if (this.favorites.has(username)) this.favorites.delete(username);
    else this.favorites.add(username);
    this.deps.saveFavorites([...this.favorites]);
  }

  clear(): void {
    this.entries.clear();
    this.gone.clear();
    this.loaded = false;
    this.myStatus = 'offline';
  }
}
