import type { User } from '../accounts/users.js';
import type { ErrorCode } from '../protocol/index.js';
import type { VerifiedToken } from './tokens.js';

/**
 * Whether a checked token still opens its account: the same user (not a
 * removed and re-created username), enabled, at the token's version, from a
 * sign-in that has not signed out. Both the Socket.IO handshake and
 * token-authenticated HTTP requests ask this.
 */
export function accountAllows(
  account: { user: User; signedOut: boolean } | undefined,
  claims: VerifiedToken,
): { ok: true; user: User } | { ok: false; code: ErrorCode; message: string } {
  const user = account?.user;
  if (user?.id !== claims.userId) return { ok: false, code: 'unauthorized', message: 'This account no longer exists' };
  if (user.disabled) return { ok: false, code: 'account_disabled', message: 'This account is disabled' };
  if (user.tokenVersion !== claims.version) return { ok: false, code: 'unauthorized', message: 'This sign-in was revoked: sign in again' };
  if (account?.signedOut) return { ok: false, code: 'unauthorized', message: 'This device was signed out: sign in again' };
  return { ok: true, user };
}
