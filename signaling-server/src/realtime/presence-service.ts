/**
 * A user's status over all their devices: `busy` while in an answered call,
 * otherwise the most reachable device status (available > away > dnd), and
 * `offline` with no device. Only changes are published, as one delta to the
 * user's watchers: the cost of a change is one message per device that
 * watches the user (see presence-watch.ts) plus the user's own devices, and
 * at most one a window per user (presence-coalescer.ts). A device that takes
 * batches gets the changes of everyone it watches in few messages
 * (presence-batches.ts); the others get one `presence:changed` each.
 * The store orders the refreshes and announces the changes (see
 * PresenceStore): with several nodes, each node hands every change to its
 * own watchers, in the order the store recorded them.
 */
import type { UserRepository } from '../accounts/users.js';
import { isStoreUnavailable } from '../db/store-errors.js';
import type { SettableStatus, Status } from '../protocol/index.js';
import type { DeviceSession, PresenceChange, Stores } from '../stores/types.js';
import { PresenceBatches, type BurstWindows } from './presence-batches.js';
import { PresenceCoalescer } from './presence-coalescer.js';
import { PresenceWatches } from './presence-watch.js';
import type { ParleyServer } from './types.js';

const RANK: Record<SettableStatus, number> = { available: 3, away: 2, dnd: 1 };

export class PresenceService {
  private readonly coalescer: PresenceCoalescer;
  /** Who on this node watches whom (socket-server.ts and directory-feed.ts keep it). */
  readonly watches: PresenceWatches;
  /** The open windows of the devices that take batches. */
  readonly batches: PresenceBatches;

  constructor(
    private readonly io: ParleyServer,
    private readonly stores: Stores,
    private readonly users: UserRepository,
    /** PARLEY_PRESENCE_WINDOW_MS: see presence-coalescer.ts. */
    windowMs: number,
    /** PARLEY_PRESENCE_BATCH_MS: see presence-batches.ts. */
    batchMs: number,
    /** PARLEY_PRESENCE_BURST_MS and _FROM: see presence-batches.ts. */
    burst?: BurstWindows,
  ) {
    this.coalescer = new PresenceCoalescer(windowMs, (change) => this.deliver(change));
    this.batches = new PresenceBatches(batchMs, burst);
    this.watches = new PresenceWatches((id, usernames) => this.batches.drop(id, usernames));
  }

  /** A change to this node's devices that watch the user: one broadcast to those without batches, the rest batched. */
  private deliver(change: PresenceChange): void {
    const plain: string[] = [];
    for (const socket of this.watches.watchersOf(change.username)) {
      if (socket.data.presenceBatch) this.batches.push(socket, change);
      else plain.push(socket.id);
    }
    // Socket ids are rooms: one message encoded once for all of them (`to([])` would mean everyone).
    if (plain.length > 0) this.io.local.to(plain).emit('presence:changed', change);
  }

  /** Delivers the changes of status, whichever node made them, to this node's watchers, coalesced per user. */
  async start(): Promise<void> {
    await this.stores.presence.subscribe((change) => this.coalescer.push(change));
  }

  stop(): void {
    this.coalescer.close();
    this.batches.close();
  }

  /** Recomputes a user's status; the user's watchers are told if it changed. Returns the status recorded now. */
  async refresh(username: string): Promise<Status> {
    // Taken before reading: a refresh that read earlier cannot overwrite this one.
    const stamp = await this.stores.presence.stamp();
    const { status, devices } = await this.current(username);
    const displayName = devices[0]?.displayName ?? (await this.storedName(username));
    return this.stores.presence.publish({ username, displayName, status }, stamp);
  }

  /** A user gone offline has no device to carry the display name; without the database, the username will do. */
  private async storedName(username: string): Promise<string> {
    try {
      return (await this.users.find(username))?.displayName ?? username;
    } catch (err) {
      if (!isStoreUnavailable(err)) throw err;
      return username;
    }
  }

  private async current(username: string): Promise<{ status: Status; devices: DeviceSession[] }> {
    // Together: with shared stores, one round trip to Redis instead of two.
    const [call, devices] = await Promise.all([this.stores.calls.byUser(username), this.stores.sessions.byUser(username)]);
    // In a call also while its device reconnects (the call waits for it); not while
    // only rung into one (Add person).
    if (call?.state === 'active' && call.participants.some((p) => p.username === username)) return { status: 'busy', devices };
    if (devices.length === 0) return { status: 'offline', devices };
    let best: SettableStatus = 'dnd';
    for (const d of devices) if (RANK[d.status] > RANK[best]) best = d.status;
    return { status: best, devices };
  }
}
