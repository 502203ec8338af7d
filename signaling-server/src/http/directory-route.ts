/**
 * `GET /api/directory`: the signed-in user's contact list over HTTP, the same
 * listing as Socket.IO's `directory:list` (accounts/directory-listing.ts) but
 * watching nobody. A page fetches it while its code still loads, before its
 * socket exists (the web client's src/renderer/early.js), so a first visit lists
 * the team as soon as its shell is drawn. Unknown parameters are ignored.
 */
import type { RequestHandler } from 'express';
import type { UserRepository } from '../accounts/users.js';
import { listDirectory, type DirectoryListingDeps } from '../accounts/directory-listing.js';
import type { TokenService } from '../auth/tokens.js';
import { memoryLimiter, type MakeLimiter } from '../limits.js';
import { clientSchemas, describeIssues } from '../protocol/index.js';
import { requireUser, signedInUser } from './bearer-auth.js';
import { HttpFailure } from './http-failure.js';
import { withinLimit } from './http-limit.js';

/** `?limit=` and `?query=` as directory:list takes them; a repeated parameter is refused, not picked from. */
function listingQuery(raw: Record<string, unknown>) {
  const limit = raw.limit === undefined ? undefined : typeof raw.limit === 'string' && /^\d{1,4}$/.test(raw.limit) ? Number(raw.limit) : Number.NaN;
  const parsed = clientSchemas['directory:list'].safeParse({ query: raw.query, limit });
  if (!parsed.success) throw new HttpFailure(400, 'bad_request', describeIssues(parsed.error));
  return parsed.data;
}

/** Listings a user may ask for over HTTP a minute: a page asks once as it loads, its socket lists the rest. */
export const DIRECTORY_HTTP_PER_MINUTE = 60;

/** The route's handlers: the bearer token's check, then the listing, within the user's limit (shared between nodes with Redis). */
export function directoryRoute(deps: DirectoryListingDeps & { tokens: TokenService; users: UserRepository; limiter?: MakeLimiter | undefined }): RequestHandler[] {
  const listings = (deps.limiter ?? memoryLimiter)({ keyPrefix: 'directory-http', points: DIRECTORY_HTTP_PER_MINUTE, duration: 60 });
  return [
    requireUser(deps),
    async (req, res) => {
      const { username } = signedInUser(res);
      const query = listingQuery(req.query);
      await withinLimit(listings, username, 'Too many contact listings: wait and try again');
      const users = await listDirectory(deps, username, query);
      // Presence changes by the second, and the list is one person's: no cache keeps it.
      res.setHeader('Cache-Control', 'private, no-store');
      res.json({ users });
    },
  ];
}
