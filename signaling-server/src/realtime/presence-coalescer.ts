/**
 * At most one status change per user a window reaches the user's watchers:
 * the first at once, then only the latest of those that came during the
 * window, at its end (each delivery opens a new window). A user whose status
 * flips many times a second costs each watcher one message a window, and the
 * watchers still end on the status recorded last.
 */
import type { PresenceChange } from '../stores/types.js';

export class PresenceCoalescer {
  /** Users in a window: the change held back for its end, if any. */
  private readonly open = new Map<string, { held: PresenceChange | undefined; timer: NodeJS.Timeout }>();

  constructor(
    private readonly windowMs: number,
    private readonly deliver: (change: PresenceChange) => void,
  ) {}

  push(change: PresenceChange): void {
    if (this.windowMs === 0) return this.deliver(change);
    const window = this.open.get(change.username);
    if (window) {
      window.held = change;
      return;
    }
    this.deliver(change);
    this.openWindow(change.username);
  }

  /** Shutdown: what is held is dropped (the clients are told the server is closing). */
  close(): void {
    for (const { timer } of this.open.values()) clearTimeout(timer);
    this.open.clear();
  }

  private openWindow(username: string): void {
    const timer = setTimeout(() => {
      const held = this.open.get(username)?.held;
      this.open.delete(username);
      if (held) this.push(held);
    }, this.windowMs);
    timer.unref();
    this.open.set(username, { held: undefined, timer });
  }
}
