/**
 * Presence per watcher (issue 36): a device that asks for it in its handshake
 * (`auth.presenceBatch`) gets the changes of the users it watches as
 * `presence:changes { changes }`, at most one message a window: the first
 * change at once, then, at the window's end, everything that came during it
 * (the latest change of each user only), which opens the next window. A team
 * signing in at once costs each watcher a few messages instead of one per
 * colleague; a quiet watcher still hears of a change at once.
 *
 * A burst (a Monday morning: `burst.from` devices or more with a window open
 * on this node) lengthens the windows opened meanwhile to `burst.windowMs`,
 * and a device's first change then waits for its window's end too: each
 * watcher gets a message every couple of seconds instead of four a second,
 * and the node spends its time signing people in rather than writing their
 * colleagues' arrivals one by one. The last change of each user still
 * arrives.
 *
 * A device costs nothing here while its window is closed. One timer serves
 * every window: windows of one length end in the order they open, so each
 * length keeps its own queue (a Map keeps insertion order).
 */
import type { PresenceChange } from '../stores/types.js';
import type { ParleySocket } from './types.js';

/** Longer windows while many devices have one open (PARLEY_PRESENCE_BURST_MS, PARLEY_PRESENCE_BURST_FROM). */
export interface BurstWindows {
  windowMs: number;
  /** Open windows from which the node is in a burst. */
  from: number;
}

interface Window {
  socket: ParleySocket;
  /** Changes that came during the window, by user (the latest each, in the order recorded); none yet: undefined. */
  held: Map<string, PresenceChange> | undefined;
  /** When the window ends (performance.now() ms: steady, whatever the wall clock does). */
  until: number;
  /** The queue it is in: windows of one length. */
  queue: Map<string, Window>;
}

export class PresenceBatches {
  /** Open windows by socket id, one map per length (normal, burst), each oldest first. */
  private readonly normal = new Map<string, Window>();
  private readonly long = new Map<string, Window>();
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly burst?: BurstWindows,
  ) {}

  /** A change of a user the device watches. */
  push(socket: ParleySocket, change: PresenceChange): void {
    const window = this.find(socket.id);
    if (window) {
      window.held ??= new Map();
      // Moved to the end: the batch keeps the order the last changes were recorded in.
      window.held.delete(change.username);
      window.held.set(change.username, change);
      return;
    }
    if (this.windowMs === 0) {
      socket.emit('presence:changes', { changes: [change] });
      return;
    }
    const opened = this.openWindow(socket, performance.now());
    // In a burst, the first change waits for the window's end with the others.
    if (opened.queue === this.long) opened.held = new Map([[change.username, change]]);
    else socket.emit('presence:changes', { changes: [change] });
    this.schedule();
  }

  /** The device's connection ended: what it held goes with it. */
  remove(socketId: string): void {
    this.find(socketId)?.queue.delete(socketId);
  }

  /** The device no longer watches these users: nothing held of theirs reaches it. */
  drop(socketId: string, usernames: Iterable<string>): void {
    const held = this.find(socketId)?.held;
    if (held) for (const u of usernames) held.delete(u);
  }

  /**
   * Sends at once whatever is held of `username`, with the rest held for the
   * same devices, so an event about the user sent next (`directory:updated`
   * after a rename) comes after every change of theirs recorded before it.
   */
  release(username: string): void {
    for (const queue of [this.normal, this.long]) for (const w of queue.values()) if (w.held?.has(username)) this.send(w);
  }

  /** Shutdown: what is held is dropped (the clients are told the server is closing). */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    this.normal.clear();
    this.long.clear();
  }

  private find(socketId: string): Window | undefined {
    return this.normal.get(socketId) ?? this.long.get(socketId);
  }

  private send(w: Window): void {
    if (!w.held || w.held.size === 0) return;
    w.socket.emit('presence:changes', { changes: [...w.held.values()] });
    w.held = undefined;
  }

  /** A window from `now`: a burst one while `burst.from` devices or more have one open. */
  private openWindow(socket: ParleySocket, now: number): Window {
    const burstMs = this.burst && this.burst.windowMs > this.windowMs && this.normal.size + this.long.size >= this.burst.from ? this.burst.windowMs : undefined;
    const queue = burstMs === undefined ? this.normal : this.long;
    const w: Window = { socket, held: undefined, until: now + (burstMs ?? this.windowMs), queue };
    queue.set(socket.id, w);
    return w;
  }

  /** The timer, for the end of the oldest window of either length. */
  private schedule(): void {
    const next = Math.min(this.normal.values().next().value?.until ?? Infinity, this.long.values().next().value?.until ?? Infinity);
    if (next === Infinity || next >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = next;
    this.timer = setTimeout(() => this.tick(), Math.max(1, next - performance.now())).unref();
  }

  /** Ends every window due: one with changes sends them and opens the next, one without closes. */
  private tick(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    const due: Window[] = [];
    for (const queue of [this.normal, this.long]) {
      for (const [id, w] of queue) {
        if (w.until > now) break;
        queue.delete(id);
        due.push(w);
      }
    }
    // Reopened after every due window is out, so the open count (and the burst) reads the node as it is now.
    for (const w of due) {
      if (!w.held || w.held.size === 0) continue;
      this.send(w);
      this.openWindow(w.socket, now);
    }
    this.schedule();
  }
}
