/**
 * A named room's owner: who it is, told to each device that comes in
 * (`room:join`, and `call:accept` into a room), and the one who may change
 * the room's join code (`room:code`) from inside it. A kept room's owner is
 * the one an admin named (persistent-rooms.ts), and its new code is stored;
 * an unkept room's owner is whoever opened it, and the code lasts while the
 * room is open (also across a restart: the call's history row keeps it).
 */
import type { UserRepository } from '../accounts/users.js';
import type { HistoryRepository } from '../history/history-repository.js';
import type { RoomOwnership } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import type { DeviceSession, Stores } from '../stores/types.js';
import type { PersistentRoom, PersistentRooms } from './persistent-rooms.js';
import { hashCode } from './room-codes.js';
import type { RoomListing } from './room-listing.js';

export class RoomOwner {
  constructor(
    private readonly stores: Stores,
    private readonly rooms: PersistentRooms,
    private readonly users: Pick<UserRepository, 'refs'>,
    private readonly history: Pick<HistoryRepository, 'setRoomCode'>,
    /** The team's list says whether a room needs a code. */
    private readonly listing: Pick<RoomListing, 'announce'>,
  ) {}

  /** The owner of the room `callId` and what this device's user may do with its code; undefined when it is not a named room (or has closed). */
  async about(session: DeviceSession, callId: string): Promise<RoomOwnership | undefined> {
    const call = await this.stores.calls.get(callId);
    if (!call || call.room === null) return undefined;
    const { owner, kept } = await this.ownerOf(call.room, call.caller);
    const ref = (await this.users.refs([owner])).get(owner) ?? { username: owner, displayName: owner };
    return { owner: ref, canChangeCode: session.username === owner, hasCode: kept ? kept.hasCode : call.code !== null };
  }

  /** Sets (or with null removes) the code of the room `callId`, if this device is in it and its user owns it. */
  async setCode(session: DeviceSession, callId: string, code: string | null): Promise<void> {
    const call = await this.stores.calls.get(callId);
    if (!call?.participants.some((p) => p.device === session.device)) throw new RequestError('not_in_call', 'You are not in this call');
    if (call.room === null) throw new RequestError('bad_request', 'Only a named room has a join code');
    const { owner, kept } = await this.ownerOf(call.room, call.caller);
    if (session.username !== owner) {
      throw new RequestError('not_owner', `Only ${owner} can change the join code of room "${call.room}"`);
    }
    if (kept) {
      await this.rooms.setCode(call.room, code);
    } else {
      const stored = code === null ? null : hashCode(code);
      const res = await this.stores.calls.update(callId, (c) => ({ ...c, code: stored }), call);
      if (!res.ok) throw new RequestError('not_found', 'The room has closed');
      // Kept with the call's history row too, so the room comes back with it after a restart.
      await this.history.setRoomCode(callId, stored);
    }
    void this.listing.announce(call.room);
  }

  /** A kept room's owner is the one an admin named; an unkept room's, whoever opened it. */
  private async ownerOf(room: string, opener: string): Promise<{ owner: string; kept: PersistentRoom | undefined }> {
    const kept = await this.rooms.find(room);
    return { owner: kept ? kept.owner : opener, kept };
  }
}
