/**
 * Signed-out sign-ins: `POST /api/logout` records the presenting token's
 * sign-in (sid) here, durably, and every node refuses that sign-in's tokens
 * at the handshake from then on. The same transaction adds a `signed-out`
 * account event, so every node's account change feed ends the sign-in's live
 * sessions within a poll. A row is kept only while a token of the sign-in
 * could still be valid, then pruned.
 */
import type { Database } from '../db/database.js';
import type { VerifiedToken } from './tokens.js';

/** Room for a refresh that was under way when the sign-out was recorded, and for clocks a little apart. */
const SLACK_MS = 10 * 60_000;

export class SignOuts {
  constructor(
    private readonly db: Database,
    /** The lifetime of a new token, in seconds. */
    private readonly ttlS: number,
  ) {}

  /**
   * Revokes the token's sign-in. Idempotent: a second sign-out of the same
   * sign-in changes nothing and tells no node again.
   */
  async signOut(token: VerifiedToken, now = Date.now()): Promise<void> {
    // No token of this sign-in is made after now (the handshake refuses it),
    // so none outlives the newest one a refresh could have made just before.
    const expiresAt = Math.max(token.expiresAt, now + this.ttlS * 1000) + SLACK_MS;
    await this.db.transaction().execute(async (trx) => {
      const added = await trx
        .insertInto('token_revocations')
        .values({ sid: token.sid, user_id: token.userId, revoked_at: now, expires_at: expiresAt })
        .onConflict((oc) => oc.column('sid').doNothing())
        .returning('sid')
        .executeTakeFirst();
      if (!added) return;
      await trx
        .insertInto('account_events')
        .values({ username: token.username, user_id: token.userId, min_version: token.version, kind: 'signed-out', sid: token.sid, at: now })
        .execute();
    });
    // Each sign-out clears what has run out: no timer of its own, and the table holds live revocations only.
    await this.prune(now);
  }

  /** Deletes revocations whose tokens have all expired; returns how many. */
  async prune(now = Date.now()): Promise<number> {
    const result = await this.db.deleteFrom('token_revocations').where('expires_at', '<', now).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
