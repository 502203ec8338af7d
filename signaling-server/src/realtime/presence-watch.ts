/**
 * What each device watches: the users of its last `directory:list` answer
 * (what it has on screen) plus the accounts announced to it since
 * (`directory:updated`, less `directory:removed`), the users named in its last
 * `presence:watch`, and always its own user. The lists belong to the
 * connection: a new connection watches only its own user until it lists or
 * names others.
 *
 * This is also the node's index of who watches whom, through which a status
 * change reaches the user's watchers and nobody else (presence-service.ts).
 * A plain array of connections per user: a user has a few dozen watchers as a
 * rule, and Socket.IO's rooms (a Set per user and another per connection)
 * cost about 3 KB a connection more (BENCHMARKS.md, memory per client).
 */
import type { ParleySocket } from './types.js';

/** `listed`: from directory:list; `named`: from presence:watch. Each replaces only its own part. */
export type WatchPart = 'listed' | 'named';

interface Watching {
  socket: ParleySocket;
  listed: readonly string[];
  named: readonly string[];
}

const NOBODY: readonly ParleySocket[] = [];

export class PresenceWatches {
  /** By connection (socket id): what it watches. */
  private readonly lists = new Map<string, Watching>();
  /** By user: the connections on this node that get their changes, their own included. */
  private readonly watchers = new Map<string, ParleySocket[]>();

  /** `unwatched`: told of the users a device stops watching (what is held of them for it is dropped). */
  constructor(private readonly unwatched: (socketId: string, usernames: readonly string[]) => void) {}

  /** A new connection: it watches its own user from now on, and nobody else yet. */
  start(socket: ParleySocket): void {
    this.lists.set(socket.id, { socket, listed: [], named: [] });
    this.add(socket.data.username, socket);
  }

  /** The connections on this node that get `username`'s changes. */
  watchersOf(username: string): readonly ParleySocket[] {
    return this.watchers.get(username) ?? NOBODY;
  }

  /** Replaces one part of what the device watches. */
  set(socket: ParleySocket, part: WatchPart, usernames: readonly string[]): void {
    const current = this.lists.get(socket.id);
    // The connection is gone (a message still in flight after its teardown).
    if (!current) return;
    const next = { ...current, [part]: usernames };
    this.lists.set(socket.id, next);
    const own = socket.data.username;
    const before = watched(current, own);
    const after = watched(next, own);
    const left = [...before].filter((u) => !after.has(u));
    for (const u of left) this.remove(u, socket);
    for (const u of after) if (!before.has(u)) this.add(u, socket);
    if (left.length > 0) this.unwatched(socket.id, left);
  }

  /**
   * Adds one user to the device's listing: an account announced to it
   * (directory:updated) is on its screen, as if its listing had answered it.
   */
  addListed(socket: ParleySocket, username: string): void {
    const current = this.lists.get(socket.id);
    if (!current || current.listed.includes(username)) return;
    this.lists.set(socket.id, { ...current, listed: [...current.listed, username] });
    if (username !== socket.data.username && !current.named.includes(username)) this.add(username, socket);
  }

  /** Takes one user out of the device's listing (a disabled or removed account); a user it named stays watched. */
  dropListed(socket: ParleySocket, username: string): void {
    const current = this.lists.get(socket.id);
    if (!current?.listed.includes(username)) return;
    this.lists.set(socket.id, { ...current, listed: current.listed.filter((u) => u !== username) });
    if (username === socket.data.username || current.named.includes(username)) return;
    this.remove(username, socket);
    this.unwatched(socket.id, [username]);
  }

  /** The device's connection ended: it watches nobody any more. */
  forget(socketId: string): void {
    const current = this.lists.get(socketId);
    if (!current) return;
    this.lists.delete(socketId);
    const own = current.socket.data.username;
    for (const u of watched(current, own)) this.remove(u, current.socket);
    this.remove(own, current.socket);
  }

  private add(username: string, socket: ParleySocket): void {
    const list = this.watchers.get(username);
    if (list) list.push(socket);
    else this.watchers.set(username, [socket]);
  }

  private remove(username: string, socket: ParleySocket): void {
    const list = this.watchers.get(username);
    const i = list?.indexOf(socket) ?? -1;
    if (!list || i < 0) return;
    // Order does not matter: the last one takes the gap.
    const last = list.pop() as ParleySocket;
    if (i < list.length) list[i] = last;
    if (list.length === 0) this.watchers.delete(username);
  }
}

/** The users a device watches besides its own. */
function watched(lists: Watching, own: string): Set<string> {
  const users = new Set([...lists.listed, ...lists.named]);
  users.delete(own);
  return users;
}
