/**
 * The live directory: every signed-in device hears of accounts created,
 * renamed or enabled again (`directory:updated`) and of accounts disabled or
 * removed (`directory:removed`), within one poll of the account change feed
 * (accounts/revocation-watcher.ts), whichever node or process made the change
 * (HTTP registration, the admin CLI).
 *
 * Every node reads the same feed, so each tells only its own devices
 * (`io.local`): a broadcast through the adapter from every node would reach
 * each device once per node.
 */
import type { AccountEvent, User, UserRepository } from '../accounts/users.js';
import type { Logger } from '../logger.js';
import type { Stores } from '../stores/types.js';
import type { PresenceBatches } from './presence-batches.js';
import type { PresenceWatches } from './presence-watch.js';
import { userRoom, type ParleyServer, type ParleySocket } from './types.js';

/** Every device whose session is set up (joined just before session:ready): who hears of directory changes. */
export const DIRECTORY_ROOM = 'directory';

export interface DirectoryFeedDeps {
  io: ParleyServer;
  users: UserRepository;
  stores: Stores;
  watches: PresenceWatches;
  /** Changes held for batching devices: released before an event about their user, which must come after them. */
  batches: PresenceBatches;
  log: Logger;
}

export class DirectoryFeed {
  constructor(private readonly deps: DirectoryFeedDeps) {}

  /** Tells this node's devices about each account the changes touched. Logs its failures, never throws. */
  async announce(events: readonly AccountEvent[]): Promise<void> {
    // Each account once, as it is now (read after its last change was seen), so
    // changes read out of order (see the watcher) still end on the account as it is.
    // A password change or a sign-out shows nothing new.
    const usernames = new Set(events.filter((e) => e.kind !== 'password-changed' && e.kind !== 'signed-out').map((e) => e.username));
    for (const username of usernames) {
      try {
        await this.tell(username);
      } catch (err) {
        this.deps.log.error({ err, username }, 'telling devices about an account change failed');
      }
    }
  }

  private async tell(username: string): Promise<void> {
    const { io, users, stores, watches, batches } = this.deps;
    const user = await users.find(username);
    if (!user || user.disabled) {
      // Unwatched first, so no presence:changed of theirs follows the removal.
      for (const s of this.localSockets(DIRECTORY_ROOM)) watches.dropListed(s, username);
      batches.release(username);
      io.local.to(DIRECTORY_ROOM).emit('directory:removed', { username });
      return;
    }
    await this.renameSessions(user);
    const sockets = this.localSockets(DIRECTORY_ROOM);
    // Watched before the status is read, so no change falls between the entry and the deltas after it.
    for (const s of sockets) watches.addListed(s, username);
    const status = await stores.presence.get(username);
    // Exactly the devices that now watch them (`to([])` would mean everyone).
    if (sockets.length === 0) return;
    batches.release(username);
    io.local.to(sockets.map((s) => s.id)).emit('directory:updated', { user: { username, displayName: user.displayName, status } });
  }

  /**
   * The renamed user's own sessions on this node carry the new name from now
   * on: their later presence:changed and calls would otherwise put the old one
   * back on every screen.
   */
  private async renameSessions(user: User): Promise<void> {
    for (const s of this.localSockets(userRoom(user.username))) {
      if (s.data.userId !== user.id || s.data.displayName === user.displayName) continue;
      s.data.displayName = user.displayName;
      await this.deps.stores.sessions.setDisplayName(s.id, user.displayName);
    }
  }

  /** This node's connections in a room. */
  private localSockets(room: string): ParleySocket[] {
    const nsp = this.deps.io.of('/');
    return [...(nsp.adapter.rooms.get(room) ?? [])].flatMap((id) => nsp.sockets.get(id) ?? []);
  }
}
