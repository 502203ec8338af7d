/**
 * The team's rooms as people find them (`room:list`): the rooms open now,
 * with who is in each, and the rooms an admin keeps, open or not. Rooms are
 * team-wide: a join code guards the way in, not the name or who is inside.
 *
 * Every change (a room opens, someone comes in or leaves, it closes, its code
 * comes or goes) is told to every signed-in device as `room:listing`, by the
 * node that made the change, through the adapter: with several nodes on
 * Redis it reaches each device once, wherever it is connected. Two nodes may
 * tell two changes of one room out of order, so each message carries a stamp
 * taken before the room is read: the highest stamp a device holds is a read
 * made after the last change, and older news is dropped (as presence is
 * ordered, PresenceStore).
 */
import type { UserRepository } from '../accounts/users.js';
import type { Logger } from '../logger.js';
import { ROOM_LIST_LIMIT, type RoomListReply, type RoomSummary, type UserRef } from '../protocol/index.js';
import { DIRECTORY_ROOM } from '../realtime/directory-feed.js';
import type { ParleyServer } from '../realtime/types.js';
import type { Call, Stores } from '../stores/types.js';
import type { PersistentRoom, PersistentRooms } from './persistent-rooms.js';

export interface RoomListingDeps {
  io: ParleyServer;
  stores: Stores;
  users: Pick<UserRepository, 'refs'>;
  rooms: Pick<PersistentRooms, 'find' | 'list'>;
  log: Logger;
}

export class RoomListing {
  constructor(private readonly deps: RoomListingDeps) {}

  /** Every room open now, in name order, then the kept rooms nobody is in; at most ROOM_LIST_LIMIT. */
  async list(): Promise<RoomListReply> {
    const { stores, rooms } = this.deps;
    const stamp = await this.stamp();
    const [calls, kept] = await Promise.all([stores.calls.all(), rooms.list()]);
    const open = calls.filter((c): c is Call & { room: string } => c.room !== null && c.state === 'active').sort((a, b) => a.room.localeCompare(b.room));
    const keptByName = new Map(kept.map((k) => [k.name, k]));
    const idle = kept.filter((k) => !open.some((c) => c.room === k.name));
    const shown = [...open.map((c) => ({ name: c.room, call: c })), ...idle.map((k) => ({ name: k.name, call: undefined }))].slice(0, ROOM_LIST_LIMIT);
    const refs = await this.refs(shown.flatMap((r) => r.call?.participants.map((p) => p.username) ?? []));
    return { rooms: shown.map((r) => summary(r.name, r.call, keptByName.get(r.name), refs)), stamp };
  }

  /**
   * Tells every signed-in device, on every node, how room `name` is now.
   * Never throws: the list is news, and a failure must not undo the change.
   */
  async announce(name: string): Promise<void> {
    try {
      const stamp = await this.stamp();
      const [call, kept] = await Promise.all([this.deps.stores.calls.byRoom(name), this.deps.rooms.find(name)]);
      const open = call?.state === 'active' ? call : undefined;
      const room = open || kept ? summary(name, open, kept, await this.refs(open?.participants.map((p) => p.username) ?? [])) : null;
      this.deps.io.to(DIRECTORY_ROOM).emit('room:listing', { name, room, stamp });
    } catch (err) {
      this.deps.log.warn({ err, room: name }, 'could not tell devices about a room');
    }
  }

  // Any stamp of the store's one counter will do: it only has to grow, on every node (Redis INCR).
  private stamp(): Promise<number> {
    return this.deps.stores.presence.stamp();
  }

  /** Display names; without the database, the usernames. */
  private async refs(usernames: string[]): Promise<Map<string, UserRef>> {
    if (usernames.length === 0) return new Map();
    return this.deps.users.refs([...new Set(usernames)]).catch(() => new Map<string, UserRef>());
  }
}

function summary(name: string, call: Call | undefined, kept: PersistentRoom | undefined, refs: Map<string, UserRef>): RoomSummary {
  const inside = [...new Set(call?.participants.map((p) => p.username) ?? [])];
  return {
    name,
    participants: inside.map((u) => refs.get(u) ?? { username: u, displayName: u }),
    // A kept room's own code; an unkept room's, the one its opener set.
    hasCode: kept ? kept.hasCode : (call?.code ?? null) !== null,
    kept: kept !== undefined,
  };
}
