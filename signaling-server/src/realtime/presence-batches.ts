/**
 * Presence per watcher (issue 36): a device that asks for it in its handshake
 * (`auth.presenceBatch`) gets the changes of the users it watches as
 * `presence:changes { changes }`, at most one message a window: the first
 * change at once, then, at the window's end, everything that came during it
 * (the latest change of each user only), which opens the next window. A team
 * signing in at once costs each watcher a few messages instead of one per
 * colleague; a quiet watcher still hears of a change at once.
 *
 * One timer serves every window: windows all last the same, so the order they
 * open in is the order they end in (a Map keeps insertion order).
 */
import type { PresenceChange } from '../stores/types.js';
import type { ParleySocket } from './types.js';

interface Watcher {
  socket: ParleySocket;
  /** Changes that came during the open window, by user (the latest each); empty when none. */
  held: Map<string, PresenceChange>;
  /** When the open window ends (performance.now() ms: steady, whatever the wall clock does). */
  until: number;
}

export class PresenceBatches {
  private readonly watchers = new Map<string, Watcher>();
  /** Watchers whose window is open, oldest first. */
  private readonly open = new Map<string, Watcher>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly windowMs: number) {}

  /** Devices that take batches on this node. */
  get size(): number {
    return this.watchers.size;
  }

  add(socket: ParleySocket): void {
    this.watchers.set(socket.id, { socket, held: new Map(), until: 0 });
  }

  /** Whether the device takes batches (else it takes `presence:changed`). */
  has(socketId: string): boolean {
    return this.watchers.has(socketId);
  }

  /** The device's connection ended: what it held goes with it. */
  remove(socketId: string): void {
    this.watchers.delete(socketId);
    this.open.delete(socketId);
  }

  /** A change of a user the device watches. */
  push(socketId: string, change: PresenceChange): void {
    const w = this.watchers.get(socketId);
    if (!w) return;
    if (this.open.has(socketId)) {
      // Moved to the end: the batch keeps the order the last changes were recorded in.
      w.held.delete(change.username);
      w.held.set(change.username, change);
      return;
    }
    w.socket.emit('presence:changes', { changes: [change] });
    if (this.windowMs === 0) return;
    this.openWindow(w, performance.now());
    this.schedule();
  }

  /** The device no longer watches these users: nothing held of theirs reaches it. */
  drop(socketId: string, usernames: Iterable<string>): void {
    const held = this.watchers.get(socketId)?.held;
    if (held?.size) for (const u of usernames) held.delete(u);
  }

  /**
   * Sends at once whatever is held of `username`, with the rest held for the
   * same devices, so an event about the user sent next (`directory:updated`
   * after a rename) comes after every change of theirs recorded before it.
   */
  release(username: string): void {
    for (const w of this.open.values()) if (w.held.has(username)) this.send(w);
  }

  /** Shutdown: what is held is dropped (the clients are told the server is closing). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.open.clear();
    this.watchers.clear();
  }

  private send(w: Watcher): void {
    w.socket.emit('presence:changes', { changes: [...w.held.values()] });
    w.held.clear();
  }

  private openWindow(w: Watcher, now: number): void {
    w.until = now + this.windowMs;
    this.open.set(w.socket.id, w);
  }

  /** The timer, for the oldest open window's end. */
  private schedule(): void {
    const oldest = this.open.values().next();
    if (this.timer !== undefined || oldest.done) return;
    this.timer = setTimeout(() => this.tick(), Math.max(1, oldest.value.until - performance.now())).unref();
  }

  /** Ends every window due: one with changes sends them and opens the next, one without closes. */
  private tick(): void {
    this.timer = undefined;
    const now = performance.now();
    // A window reopened here goes to the end of the map, after every window due now: the loop stops at it.
    for (const [id, w] of this.open) {
      if (w.until > now) break;
      this.open.delete(id);
      if (w.held.size === 0) continue;
      this.send(w);
      this.openWindow(w, now);
    }
    this.schedule();
  }
}
