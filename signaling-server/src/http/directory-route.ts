/**
 * `GET /api/directory`: the signed-in user's contact list over HTTP, the same
 * listing as Socket.IO's `directory:list` (accounts/directory-listing.ts) but
 * watching nobody. A page fetches it while its code still loads, before its
 * socket exists (the web client's src/renderer/early.js), so a first visit lists
 * the team as soon as its shell is drawn.
 */
import type { RequestHandler } from 'express';
import type { UserRepository } from '../accounts/users.js';
import { listDirectory, type DirectoryListingDeps } from '../accounts/directory-listing.js';
import type { TokenService } from '../auth/tokens.js';
import { clientSchemas, describeIssues } from '../protocol/index.js';
import { requireUser, signedInUser } from './bearer-auth.js';
import { HttpFailure } from './http-failure.js';

/** `?limit=` and `?query=` as directory:list takes them; a repeated parameter is refused, not picked from. */
function listingQuery(raw: Record<string, unknown>) {
  const limit = raw.limit === undefined ? undefined : typeof raw.limit === 'string' && /^\d{1,4}$/.test(raw.limit) ? Number(raw.limit) : Number.NaN;
  const parsed = clientSchemas['directory:list'].safeParse({ query: raw.query, limit });
  if (!parsed.success) throw new HttpFailure(400, 'bad_request', describeIssues(parsed.error));
  return parsed.data;
}

/** The route's handlers: the bearer token's check, then the listing. */
export function directoryRoute(deps: DirectoryListingDeps & { tokens: TokenService; users: UserRepository }): RequestHandler[] {
  return [
    requireUser(deps),
    async (req, res) => {
      const users = await listDirectory(deps, signedInUser(res).username, listingQuery(req.query));
      // Presence changes by the second, and the list is one person's: no cache keeps it.
      res.setHeader('Cache-Control', 'private, no-store');
      res.json({ users });
    },
  ];
}
