/**
 * The account change feed: acts on account changes made anywhere (this
 * node, another node, the admin CLI on the same store). A disabled or
 * removed user, or a changed password, ends that user's live sessions; every
 * change is then handed to `onChanges` (the live directory). Polls the
 * account_events table, which costs one indexed query per interval whatever
 * the number of users.
 *
 * With several nodes every node polls the same events, so each one ends only
 * the sessions connected to it (`io.local`): reaching the other nodes'
 * sockets too would revoke each remote device once per node.
 */
import type { Logger } from '../logger.js';
import { userRoom, type ParleyServer } from '../realtime/types.js';
import { revokes, type AccountEvent, type UserRepository } from './users.js';

/** Told each batch of changes read, after their revocations; must not throw (it logs its own failures). */
export type AccountChangesListener = (events: readonly AccountEvent[]) => Promise<void>;

/** How long an event missing below the last one seen is looked for: it commits within this, or it was rolled back. */
const MISSING_WAIT_MS = 60_000;
/** Most missing events looked for at once (a sequence that jumped, after a PostgreSQL crash, is not a thousand changes). */
const MISSING_MAX = 1000;

export class RevocationWatcher {
  private timer: NodeJS.Timeout | undefined;
  private lastSeq = 0;
  /**
   * Numbers below lastSeq not seen yet, with when they were first missed. On
   * PostgreSQL two account changes can commit in the other order than they
   * took their numbers: the lower one appears after the higher one was read.
   */
  private readonly missing = new Map<number, number>();
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** Set while reading fails (the database is down), so an outage is logged once, not every interval. */
  private failing = false;

  constructor(
    private readonly io: ParleyServer,
    private readonly users: UserRepository,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly onChanges: AccountChangesListener = () => Promise.resolve(),
  ) {}

  async start(): Promise<void> {
    this.lastSeq = await this.users.lastEventSeq();
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /**
   * Reads and acts on the changes recorded so far. While a poll is under way
   * one more is queued after it (one, shared by every caller meanwhile), so
   * what was recorded before this call has been acted on when it resolves.
   */
  poll(): Promise<void> {
    if (!this.running) {
      this.running = this.read().finally(() => (this.running = undefined));
      return this.running;
    }
    return (this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.poll();
    }));
  }

  private async read(): Promise<void> {
    try {
      const now = Date.now();
      const events = await this.users.eventsSince(this.lastSeq, [...this.missing.keys()]);
      for (const event of events) {
        if (event.seq > this.lastSeq) {
          for (let seq = Math.max(this.lastSeq + 1, event.seq - MISSING_MAX); seq < event.seq; seq++) this.missing.set(seq, now);
          this.lastSeq = event.seq;
        }
        this.missing.delete(event.seq);
        await this.revoke(event);
      }
      if (events.length > 0) await this.onChanges(events);
      for (const [seq, since] of this.missing) if (now - since > MISSING_WAIT_MS) this.missing.delete(seq);
      if (this.failing) this.log.info('reading account changes again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.log.error({ err }, 'reading account changes failed');
      this.failing = true;
    }
  }

  /**
   * Tells the affected devices why, then disconnects them. Only sessions of
   * that account on an older token (a re-created username, or a sign-in with
   * the new password, is left alone), or for a sign-out, of that sign-in. This
   * node's sessions only: every node acts on the same event for its own.
   */
  async revoke(event: AccountEvent): Promise<void> {
    const reason = event.kind;
    if (!revokes(reason)) return;
    const sockets = await this.io.local.in(userRoom(event.username)).fetchSockets();
    const ends = (data: { tokenVersion: number; sid: string }): boolean => {
      if (reason === 'removed') return true;
      if (reason === 'signed-out') return data.sid === event.sid;
      return data.tokenVersion < event.minVersion;
    };
    const affected = sockets.filter((s) => s.data.userId === event.userId && ends(s.data));
    for (const s of affected) {
      s.emit('session:revoked', { reason });
      s.disconnect(true);
    }
    this.log.info({ username: event.username, reason, sessions: affected.length }, 'sessions revoked');
  }
}
