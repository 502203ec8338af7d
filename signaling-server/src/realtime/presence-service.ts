/**
 * A user's status over all their devices: `busy` while in an answered call,
 * otherwise the most reachable device status (available > away > dnd), and
 * `offline` with no device. Only changes are published, as one delta to the
 * user's presence room: the cost of a change is one message per device that
 * watches the user (see presence-watch.ts) plus the user's own devices.
 */
import type { UserRepository } from '../accounts/users.js';
import type { SettableStatus, Status } from '../protocol/index.js';
import type { DeviceSession, Stores } from '../stores/types.js';
import { presenceRoom, type ParleyServer } from './types.js';

const RANK: Record<SettableStatus, number> = { available: 3, away: 2, dnd: 1 };

export class PresenceService {
  constructor(
    private readonly io: ParleyServer,
    private readonly stores: Stores,
    private readonly users: UserRepository,
  ) {}

  /** Recomputes a user's status and tells the user's watchers if it changed. */
  async refresh(username: string): Promise<Status> {
    const { status, devices } = await this.current(username);
    const previous = await this.stores.presence.publish(username, status);
    if (previous !== status) {
      // A connected device carries the display name; only a user gone offline needs the store.
      const displayName = devices[0]?.displayName ?? (await this.users.find(username))?.displayName ?? username;
      this.io.to(presenceRoom(username)).emit('presence:changed', { username, displayName, status });
    }
    return status;
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
