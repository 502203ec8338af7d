/**
 * Refresh on use: a session whose token has less than half of a token's
 * lifetime left gets a fresh one (same sign-in, new jti and expiry) in
 * `session:token`, at once when it connects with such a token and later
 * while it stays connected, so an app left running for weeks still holds a
 * valid token when its connection next drops. The app stores it in place of
 * the old one; a token nobody uses runs out.
 */
import type { TokenService } from '../auth/tokens.js';
import type { Logger } from '../logger.js';
import type { ParleySocket } from './types.js';

/** setTimeout fires at once past this (about 24.8 days): a longer wait is taken in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class TokenRefresher {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly tokens: TokenService,
    private readonly log: Logger,
  ) {}

  /** After session:ready: refreshes now if due, else when it falls due. */
  start(socket: ParleySocket): void {
    this.forget(socket.id);
    if (!socket.connected) return;
    const { tokenExpiresAt, legacyToken } = socket.data;
    const now = Date.now();
    if (this.tokens.refreshDue({ expiresAt: tokenExpiresAt, legacy: legacyToken }, now)) {
      this.refresh(socket).catch((err: unknown) => this.log.error({ err, username: socket.data.username }, 'refreshing a token failed'));
      return;
    }
    const dueIn = tokenExpiresAt - (this.tokens.ttl * 1000) / 2 - now;
    const timer = setTimeout(() => this.start(socket), Math.min(Math.max(dueIn, 0) + 1, MAX_TIMER_MS));
    timer.unref();
    this.timers.set(socket.id, timer);
  }

  forget(socketId: string): void {
    clearTimeout(this.timers.get(socketId));
    this.timers.delete(socketId);
  }

  private async refresh(socket: ParleySocket): Promise<void> {
    const { userId, username, tokenVersion, sid } = socket.data;
    const fresh = await this.tokens.issue({ userId, username, version: tokenVersion }, sid);
    if (!socket.connected) return;
    socket.data.tokenExpiresAt = fresh.expiresAt;
    socket.data.legacyToken = false;
    socket.emit('session:token', { token: fresh.token, expiresAt: fresh.expiresAt });
    this.log.debug({ username, expiresAt: fresh.expiresAt }, 'token refreshed');
    this.start(socket);
  }
}
