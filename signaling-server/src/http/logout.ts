/**
 * `POST /api/logout` with `Authorization: Bearer <token>`: signs out the
 * sign-in (device) the token belongs to, on every node (auth/sign-outs.ts).
 * 204 also when it was signed out already, so an app may retry; 401 for a
 * token that is invalid or expired (it opens nothing any more).
 */
import type { Request, Response } from 'express';
import type { SignOuts } from '../auth/sign-outs.js';
import { InvalidTokenError, type TokenService, type VerifiedToken } from '../auth/tokens.js';
import type { Logger } from '../logger.js';

/** Thrown for a missing or refused token; app.ts answers it with 401. */
export class LogoutRefused extends Error {
  override name = 'LogoutRefused';
}

export function logoutHandler(deps: { tokens: TokenService; signOuts: SignOuts; log: Logger }) {
  return async (req: Request, res: Response): Promise<void> => {
    const header = req.headers.authorization;
    const match = header === undefined ? null : /^Bearer +(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw new LogoutRefused('Sign out needs "Authorization: Bearer <token>"');
    let token: VerifiedToken;
    try {
      token = await deps.tokens.verify(match[1]);
    } catch (err) {
      if (err instanceof InvalidTokenError) throw new LogoutRefused(`Cannot sign out: ${err.message}`);
      throw err;
    }
    await deps.signOuts.signOut(token);
    deps.log.info({ username: token.username }, 'device signed out');
    res.status(204).end();
  };
}
