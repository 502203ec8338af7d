/**
 * What each device watches: the users of its last `directory:list` answer
 * (what it has on screen) plus the accounts announced to it since
 * (`directory:updated`, less `directory:removed`), the users named in its last
 * `presence:watch`, and always its own user. A device is in the presence room of each user it
 * watches, so a status change reaches the user's watchers and nobody else.
 * The lists belong to the connection: a new connection watches only its own
 * user until it lists or names others.
 */
import { presenceRoom, type ParleySocket } from './types.js';

const PREFIX = presenceRoom('');

/** `listed`: from directory:list; `named`: from presence:watch. Each replaces only its own part. */
export type WatchPart = 'listed' | 'named';

type Lists = Readonly<Record<WatchPart, readonly string[]>>;
const NONE: Lists = { listed: [], named: [] };

export class PresenceWatches {
  private readonly lists = new Map<string, Lists>();
  /**
   * One string per presence room, shared by every membership: each device
   * holds its room names, and 30 fresh copies per device cost about 1 KB.
   * An entry lives as long as its room.
   */
  private readonly rooms = new Map<string, string>();

  /**
   * `adapter`: the namespace's Socket.IO adapter, which says when a room is gone.
   * `unwatched`: told of the users a device stops watching (their changes held for it are dropped).
   */
  constructor(
    adapter: { on(event: 'delete-room', listener: (room: string) => void): unknown },
    private readonly unwatched: (socketId: string, usernames: readonly string[]) => void = () => undefined,
  ) {
    adapter.on('delete-room', (room: string) => {
      if (room.startsWith(PREFIX)) this.rooms.delete(room.slice(PREFIX.length));
    });
  }

  /** The presence room of `username`, as the one shared string. */
  room(username: string): string {
    let room = this.rooms.get(username);
    if (room === undefined) {
      room = presenceRoom(username);
      this.rooms.set(username, room);
    }
    return room;
  }

  /** Replaces one part of what the device watches; the rooms are joined when this resolves. */
  async set(socket: ParleySocket, part: WatchPart, usernames: readonly string[]): Promise<void> {
    const current = this.lists.get(socket.id) ?? NONE;
    const next = { ...current, [part]: usernames };
    this.lists.set(socket.id, next);
    const before = watched(current, socket.data.username);
    const after = watched(next, socket.data.username);
    // Every join and leave is issued before the first await, so two requests
    // of one device in flight together cannot undo each other's rooms.
    const pending: Promise<void>[] = [];
    const left = [...before].filter((u) => !after.has(u));
    for (const u of left) pending.push(Promise.resolve(socket.leave(this.room(u))));
    if (left.length > 0) this.unwatched(socket.id, left);
    const join = [...after].filter((u) => !before.has(u)).map((u) => this.room(u));
    if (join.length > 0) pending.push(Promise.resolve(socket.join(join)));
    await Promise.all(pending);
  }

  /**
   * Adds one user to the device's listing: an account announced to it
   * (directory:updated) is on its screen, as if its listing had answered it.
   * Cheaper than set(), for every device of a node at once.
   */
  async addListed(socket: ParleySocket, username: string): Promise<void> {
    const current = this.lists.get(socket.id) ?? NONE;
    // A connection already gone would leave its lists behind (forget() ran).
    if (!socket.connected || current.listed.includes(username)) return;
    this.lists.set(socket.id, { ...current, listed: [...current.listed, username] });
    if (username !== socket.data.username && !current.named.includes(username)) await socket.join(this.room(username));
  }

  /** Takes one user out of the device's listing (a disabled or removed account); a user it named stays watched. */
  async dropListed(socket: ParleySocket, username: string): Promise<void> {
    const current = this.lists.get(socket.id);
    if (!current?.listed.includes(username)) return;
    this.lists.set(socket.id, { ...current, listed: current.listed.filter((u) => u !== username) });
    if (username === socket.data.username || current.named.includes(username)) return;
    this.unwatched(socket.id, [username]);
    await socket.leave(this.room(username));
  }

  /** The device's connection ended (Socket.IO leaves its rooms by itself). */
  forget(sessionId: string): void {
    this.lists.delete(sessionId);
  }
}

/** The users a device watches besides its own (whose room it joined at connect). */
function watched(lists: Lists, own: string): Set<string> {
  const users = new Set([...lists.listed, ...lists.named]);
  users.delete(own);
  return users;
}
