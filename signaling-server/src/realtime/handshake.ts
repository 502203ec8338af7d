/**
 * Authentication in the Socket.IO handshake: a valid, unexpired token of an
 * enabled user whose token version still matches, from a sign-in that has
 * not signed out. A refusal reaches the
 * client as a `connect_error` whose `message` says what to do and whose
 * `data.code` is a protocol error code.
 */
import type { ExtendedError } from 'socket.io';
import type { UserRepository } from '../accounts/users.js';
import { accountAllows } from '../auth/account-check.js';
import { InvalidTokenError, type TokenService } from '../auth/tokens.js';
import { sharedStateUnavailableMessage, unavailableMessage } from '../db/store-errors.js';
import type { Metrics } from '../metrics.js';
import { describeIssues, handshakeAuthSchema, type ErrorCode } from '../protocol/index.js';
import type { DeviceSession, Stores } from '../stores/types.js';
import { NOBODY, type ParleySocket } from './types.js';

function refusal(code: ErrorCode, message: string): ExtendedError {
  const err: ExtendedError = new Error(message);
  err.data = { code };
  return err;
}

export interface HandshakeDeps {
  users: UserRepository;
  tokens: TokenService;
  metrics: Metrics;
  stores: Stores;
  /** Most devices one account may have connected at once (PARLEY_MAX_DEVICES). */
  maxDevices: number;
  /** True while this node is cut off from Redis past the node timeout (node-registry.ts): the others hold its sessions for ended. */
  cutOff: () => boolean;
}

export function handshakeAuth(deps: HandshakeDeps) {
  return async (socket: ParleySocket, next: (err?: ExtendedError) => void): Promise<void> => {
    const refuse = (code: ErrorCode, message: string) => {
      deps.metrics.rejected.inc({ code });
      next(refusal(code, message));
    };
    const given = socket.handshake.auth as Record<string, unknown>;
    if (typeof given.token !== 'string' || given.token === '') return refuse('unauthorized', 'No sign-in token: sign in first');
    const auth = handshakeAuthSchema.safeParse(given);
    if (!auth.success) return refuse('bad_request', `Handshake auth: ${describeIssues(auth.error)}`);
    let claims;
    try {
      claims = await deps.tokens.verify(auth.data.token);
    } catch (err) {
      if (err instanceof InvalidTokenError) return refuse('unauthorized', err.message);
      throw err;
    }
    // A session started here now could not be seen by the other nodes, nor outlive their cleanup of this node's.
    if (deps.cutOff()) return refuse('unavailable', sharedStateUnavailableMessage('Redis'));
    let account;
    let sessions;
    try {
      [account, sessions] = await Promise.all([deps.users.findSignedIn(claims.username, claims.sid), deps.stores.sessions.byUser(claims.username)]);
    } catch (err) {
      // The client retries a refusal; a dropped handshake would tell it nothing.
      const unavailable = unavailableMessage(err);
      if (unavailable) return refuse('unavailable', unavailable);
      throw err;
    }
    const allowed = accountAllows(account, claims);
    if (!allowed.ok) return refuse(allowed.code, allowed.message);
    const { user } = allowed;
    // Without a device id (older clients), each connection is a device of its own.
    const device = `${user.username}:${auth.data.device ?? socket.id}`;
    // Refused at once when the account is plainly full, before anything is written.
    if (otherDevices(sessions, device) >= deps.maxDevices) return refuse('too_many_devices', tooManyDevices(deps.maxDevices));
    const initialStatus = auth.data.status ?? 'available';
    // The place is reserved, then counted again: of devices connecting at the
    // same time (on any node), whichever counts after the others' records sees
    // them all and backs out, so the cap holds whatever the concurrency.
    // The session's start (socket-server.ts) finds the record in place.
    let reserved = false;
    let replaces: boolean;
    try {
      const after = await deps.stores.sessions.reserve({
        sessionId: socket.id,
        device,
        username: user.username,
        displayName: user.displayName,
        status: initialStatus,
        connectedAt: Date.now(),
        ...(auth.data.transfer === true && { transfer: true }),
      });
      reserved = true;
      if (otherDevices(after, device) >= deps.maxDevices) {
        await deps.stores.sessions.remove(socket.id);
        return refuse('too_many_devices', tooManyDevices(deps.maxDevices));
      }
      replaces = after.some((s) => s.device === device && s.sessionId !== socket.id);
      // A connection that closed meanwhile never reaches 'connection' (nor 'disconnect'): its place is given back here.
      if (socket.conn.readyState !== 'open') {
        await deps.stores.sessions.remove(socket.id);
        return next(new Error('The connection closed during the handshake'));
      }
    } catch (err) {
      if (reserved) await deps.stores.sessions.remove(socket.id).catch(() => undefined);
      const unavailable = unavailableMessage(err);
      if (unavailable) return refuse('unavailable', unavailable);
      throw err;
    }
    socket.data = {
      userId: user.id,
      tokenVersion: claims.version,
      sid: claims.sid,
      tokenExpiresAt: claims.expiresAt,
      legacyToken: claims.legacy,
      username: user.username,
      displayName: user.displayName,
      missedSeenAt: user.missedSeenAt,
      accountCreatedAt: user.createdAt,
      device,
      replaces,
      presenceBatch: auth.data.presenceBatch === true,
      watch: others(auth.data.watch, user.username),
    };
    // The token is not kept once checked (nothing reads it again).
    socket.handshake.auth = {};
    next();
  };
}

/** The users a handshake names to watch, each once, the user left out (always watched). */
function others(usernames: readonly string[] | undefined, own: string): readonly string[] {
  if (!usernames || usernames.length === 0) return NOBODY;
  const names = new Set(usernames);
  names.delete(own);
  return [...names];
}

/** Devices of the account other than `device` (a device connecting again replaces itself, so it never counts against itself). */
function otherDevices(sessions: readonly DeviceSession[], device: string): number {
  return new Set(sessions.map((s) => s.device).filter((d) => d !== device)).size;
}

const tooManyDevices = (max: number) => `This account is connected on ${max} devices, the most this server allows: sign out on one of them`;
