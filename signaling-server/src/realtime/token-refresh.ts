/**
 * Refresh on use: a session whose token has less than half of a token's
 * lifetime left gets a fresh one (same sign-in, new jti and expiry) in
 * `session:token`, at once when it connects with such a token and later
 * while it stays connected, so an app left running for weeks still holds a
 * valid token when its connection next drops. The app stores it in place of
 * the old one; a token nobody uses runs out.
 *
 * Later refreshes come from one sweep over the connected sessions, not a
 * timer per session: a token falls due half a lifetime (days) before it
 * expires, so a sweep a minute late costs nothing, and ten thousand timers
 * cost memory on every connection.
 */
import type { TokenService } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import type { ParleySocket } from './types.js';

/** How often connected sessions are looked at for a token falling due. */
export const TOKEN_SWEEP_MS = 60_000;

export class TokenRefresher {
  /** Sessions past session:ready whose token is not being refreshed right now (ids: the socket is found in `sockets`). */
  private readonly started = new Set<string>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly tokens: TokenService,
    private readonly sockets: () => Iterable<ParleySocket>,
    private readonly log: Logger,
    private readonly sweepMs = TOKEN_SWEEP_MS,
  ) {}

  /** Sweeps every `sweepMs` until stop(). */
  run(): void {
    this.sweeper ??= setInterval(() => this.sweep(), this.sweepMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** After session:ready: refreshes now if due, else a later sweep does when it falls due. */
  start(socket: ParleySocket): void {
    if (!socket.connected) return;
    this.started.add(socket.id);
    if (this.due(socket, Date.now())) this.refresh(socket);
  }

  forget(socketId: string): void {
    this.started.delete(socketId);
  }

  /** Refreshes every started session whose token has fallen due. */
  sweep(now = Date.now()): void {
    for (const socket of this.sockets()) if (this.started.has(socket.id) && socket.connected && this.due(socket, now)) this.refresh(socket);
  }

  private due(socket: ParleySocket, now: number): boolean {
    const { tokenExpiresAt, legacyToken } = socket.data;
    return this.tokens.refreshDue({ expiresAt: tokenExpiresAt, legacy: legacyToken }, now);
  }

  /** One refresh at a time per session: out of the sweep's sight until it is done. */
  private refresh(socket: ParleySocket): void {
    this.started.delete(socket.id);
    this.issue(socket)
      .catch((err: unknown) => this.log.error({ err, username: socket.data.username }, 'refreshing a token failed'))
      .finally(() => {
        if (socket.connected) this.started.add(socket.id);
      });
  }

  private async issue(socket: ParleySocket): Promise<void> {
    const { userId, username, tokenVersion, sid } = socket.data;
    const fresh = await this.tokens.issue({ userId, username, version: tokenVersion }, sid);
    if (!socket.connected) return;
    socket.data.tokenExpiresAt = fresh.expiresAt;
    socket.data.legacyToken = false;
    socket.emit('session:token', { token: fresh.token, expiresAt: fresh.expiresAt });
    this.log.debug({ username, expiresAt: fresh.expiresAt }, 'token refreshed');
  }
}
