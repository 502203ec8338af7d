/**
 * The server's own restarts and shutdowns: calls a previous run (or Redis,
 * losing its data) left open are closed, and ringing calls end when this
 * node shuts down. Answered calls stay resumable (resume.ts).
 */
import type { EndReason } from '../protocol/index.js';
import { userRoom } from '../realtime/types.js';
import type { CallServiceDeps } from './call-deps.js';
import { end, endInvitation, recordLost } from './teardown.js';

/**
 * After the shared state (Redis) lost its data, how long its unanswered
 * history rows stay open at least: every node reads them to tell its own
 * devices (endLostRinging), and each notices the loss within a heartbeat or
 * two of Redis being back.
 */
const LOST_STATE_SETTLE_MS = 10_000;
/** A ringing call is never older than the ring timeout, give or take the deadline sweep. */
const RING_TIMEOUT_SLACK_MS = 5000;

/** Owns the one pending sweep of calls a previous run left open. */
export class RestartRecovery {
  private sweep: NodeJS.Timeout | undefined;
  /** When the stores last lost their calls: this process's start, or Redis losing its data. */
  lostAt = 0;

  constructor(private readonly deps: CallServiceDeps) {}

  /**
   * After a restart: calls the previous process left open end as `failed`,
   * the unanswered ones at once and the answered ones (which may resume) once
   * the grace period has passed without both sides claiming them.
   */
  async recoverAfterRestart(startedAt: number, sharedStateLost = false): Promise<void> {
    this.lostAt = startedAt;
    const unanswered: string[] = [];
    // After Redis lost its data the other nodes still read these rows (endLostRinging): the sweep closes them.
    for (const id of sharedStateLost ? [] : await this.deps.history.dangling(startedAt, 'unanswered')) {
      // With shared stores another node may be ringing it: only a call no store knows is left over.
      if (await this.deps.stores.calls.get(id)) continue;
      await this.deps.history.ended(id, 'failed', startedAt);
      unanswered.push(id);
    }
    if (unanswered.length > 0) this.deps.log.warn({ calls: unanswered.length }, 'closed unanswered calls left open by the previous run');
    clearTimeout(this.sweep);
    this.sweep = setTimeout(
      () => {
        this.sweepAfterRestart(startedAt).catch((err: unknown) => this.deps.log.error({ err }, 'the restart sweep failed'));
      },
      sharedStateLost ? Math.max(this.deps.graceMs, LOST_STATE_SETTLE_MS) : this.deps.graceMs,
    );
  }

  /**
   * The shared state (Redis) lost its data, and with it the calls that were
   * ringing: only their open, unanswered history rows are left, which name
   * the users but not the devices. Every device of both users connected to
   * this node hears `call:ended` (`failed`) before it is asked to reconnect;
   * every node does the same for its own devices.
   */
  async endLostRinging(at: number): Promise<void> {
    for (const row of await this.deps.history.unansweredOpen(at - this.deps.ringTimeoutMs - RING_TIMEOUT_SLACK_MS, at)) {
      // A call placed since Redis came back is still there, and rings on.
      if (await this.deps.stores.calls.get(row.callId)) continue;
      this.deps.io.local.to([userRoom(row.caller), userRoom(row.callee)]).emit('call:ended', { callId: row.callId, reason: 'failed' });
      this.deps.log.info({ callId: row.callId }, 'ringing call lost with the shared state');
    }
  }

  dispose(): void {
    clearTimeout(this.sweep);
  }

  private async sweepAfterRestart(startedAt: number): Promise<void> {
    let closed = 0;
    for (const id of await this.deps.history.dangling(startedAt, 'all')) {
      if (await this.deps.stores.calls.get(id)) continue;
      const claim = await this.deps.stores.calls.dropClaim(id);
      await recordLost(this.deps, id, 'failed', claim ? [claim.device] : []);
      closed++;
    }
    if (closed > 0) this.deps.log.warn({ calls: closed }, 'ended calls not resumed after the restart');
  }
}

/**
 * Ends ringing calls and invitations (shutdown): every one, or with shared
 * stores only those that ring on or from `devices` (this node's); answered
 * calls stay resumable.
 */
export async function endRinging(deps: CallServiceDeps, reason: EndReason, devices?: ReadonlySet<string>): Promise<void> {
  const { calls } = deps.stores;
  const found = devices ? (await Promise.all([...devices].map((d) => calls.byDevice(d)))).flat() : await calls.all();
  for (const call of new Map(found.map((c) => [c.id, c])).values()) {
    if (call.state === 'ringing') await end(deps, call.id, reason, undefined, undefined, call);
    else {
      for (const i of call.invitations) {
        if (!devices || i.devices.some((d) => devices.has(d))) await endInvitation(deps, call.id, i.username, reason);
      }
    }
  }
}
