/**
 * Presence per watcher (issue 36): a device that asks for it in its handshake
 * (`auth.presenceBatch`) gets the changes of the users it watches as
 * `presence:changes { changes }`, at most one message a window: the first
 * change at once, then, at the window's end, everything that came during it
 * (the latest change of each user only), which opens the next window. A team
 * signing in at once costs each watcher a few messages instead of one per
 * colleague; a quiet watcher still hears of a change at once.
 *
 * A device costs nothing here while its window is closed. One timer serves
 * every window: windows all last the same, so the order they open in is the
 * order they end in (a Map keeps insertion order).
 */
import type { PresenceChange } from '../stores/types.js';
import type { ParleySocket } from './types.js';

interface Window {
  socket: ParleySocket;
  /** Changes that came during the window, by user (the latest each, in the order recorded); none yet: undefined. */
  held: Map<string, PresenceChange> | undefined;
  /** When the window ends (performance.now() ms: steady, whatever the wall clock does). */
  until: number;
}

export class PresenceBatches {
  /** Open windows by socket id, oldest first. */
  private readonly open = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly windowMs: number) {}

  /** A change of a user the device watches. */
  push(socket: ParleySocket, change: PresenceChange): void {
    const window = this.open.get(socket.id);
    if (window) {
      window.held ??= new Map();
      // Moved to the end: the batch keeps the order the last changes were recorded in.
      window.held.delete(change.username);
      window.held.set(change.username, change);
      return;
    }
    socket.emit('presence:changes', { changes: [change] });
    if (this.windowMs === 0) return;
    this.openWindow(socket, performance.now());
    this.schedule();
  }

  /** The device's connection ended: what it held goes with it. */
  remove(socketId: string): void {
    this.open.delete(socketId);
  }

  /** The device no longer watches these users: nothing held of theirs reaches it. */
  drop(socketId: string, usernames: Iterable<string>): void {
    const held = this.open.get(socketId)?.held;
    if (held) for (const u of usernames) held.delete(u);
  }

  /**
   * Sends at once whatever is held of `username`, with the rest held for the
   * same devices, so an event about the user sent next (`directory:updated`
   * after a rename) comes after every change of theirs recorded before it.
   */
  release(username: string): void {
    for (const w of this.open.values()) if (w.held?.has(username)) this.send(w);
  }

  /** Shutdown: what is held is dropped (the clients are told the server is closing). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.open.clear();
  }

  private send(w: Window): void {
    if (!w.held || w.held.size === 0) return;
    w.socket.emit('presence:changes', { changes: [...w.held.values()] });
    w.held = undefined;
  }

  private openWindow(socket: ParleySocket, now: number): void {
    this.open.set(socket.id, { socket, held: undefined, until: now + this.windowMs });
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
      if (!w.held || w.held.size === 0) continue;
      this.send(w);
      this.openWindow(w.socket, now);
    }
    this.schedule();
  }
}
