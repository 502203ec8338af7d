/**
 * HTTP requests made with a session's sign-in token
 * (`Authorization: Bearer <token>`), held to what a Socket.IO handshake is
 * (realtime/handshake.ts): a valid, unexpired token of an enabled user whose
 * token version still matches, from a sign-in that has not signed out.
 * Every node answers alike: all of it is in the token and the database.
 */
import type { NextFunction, Request, Response } from 'express';
import type { User, UserRepository } from '../accounts/users.js';
import { accountAllows } from '../auth/account-check.js';
import { InvalidTokenError, type TokenService } from '../auth/tokens.js';
import { HttpFailure } from './http-failure.js';

const unauthorized = (message: string) => new HttpFailure(401, 'unauthorized', message);

/** The signed-in user of a request that passed `requireUser`. */
export const signedInUser = (res: Response): User => res.locals.user as User;

export function requireUser(deps: { tokens: TokenService; users: UserRepository }) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const match = /^Bearer +(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!match?.[1]) throw unauthorized('This needs "Authorization: Bearer <token>": sign in first');
    let claims;
    try {
      claims = await deps.tokens.verify(match[1]);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw unauthorized(err.message);
      throw err;
    }
    const allowed = accountAllows(await deps.users.findSignedIn(claims.username, claims.sid), claims);
    if (!allowed.ok) throw new HttpFailure(allowed.code === 'account_disabled' ? 403 : 401, allowed.code, allowed.message);
    res.locals.user = allowed.user;
    next();
  };
}
