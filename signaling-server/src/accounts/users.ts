/** The users table: accounts, credentials and the token version that revokes sessions. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { UsersTable } from '../db/schema.js';
import type { UserRef } from '../protocol/index.js';
import { displayNameKey } from './display-name-key.js';
import { assertStrongPassword } from './password-policy.js';
import { decoyHash, hashPassword, needsRehash, verifyPassword } from './passwords.js';

export interface User {
  id: string;
  username: string;
  displayName: string;
  disabled: boolean;
  tokenVersion: number;
  missedSeenAt: number;
  createdAt: number;
}

/** Changes that end the account's older sessions (signed-out: one sign-in's), as `session:revoked` names them. */
export type RevokingKind = 'disabled' | 'removed' | 'password-changed' | 'signed-out';
/** Every account change: those that revoke, and those that only change what the directory shows. */
export type AccountEventKind = RevokingKind | 'created' | 'renamed' | 'enabled';

export const revokes = (kind: AccountEventKind): kind is RevokingKind =>
  kind === 'disabled' || kind === 'removed' || kind === 'password-changed' || kind === 'signed-out';

/**
 * An account change. A revoking one: sessions of `userId` on a token older
 * than `minVersion` must end (all, if removed). Every one: the directory
 * shows `username` as the account now is.
 */
export interface AccountEvent {
  seq: number;
  username: string;
  userId: string;
  minVersion: number;
  kind: AccountEventKind;
  /** The sign-in a signed-out event ends; null for the other kinds. */
  sid: string | null;
}

function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    disabled: row.disabled === 1,
    tokenVersion: row.token_version,
    missedSeenAt: row.missed_seen_at,
    createdAt: row.created_at,
  };
}

export class UsernameTakenError extends Error {
  override name = 'UsernameTakenError';
}

/** Another account's display name looks the same (see display-name-key.ts). */
export class DisplayNameTakenError extends Error {
  override name = 'DisplayNameTakenError';
  constructor(displayName: string) {
    super(`The display name "${displayName}" is taken, or looks like one that is: choose another`);
  }
}

/** The unique index on display_name_key refused a row (SQLite names the column, PostgreSQL the index). */
function isDisplayNameConflict(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  const unique = code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
  return unique && typeof message === 'string' && message.includes('display_name_key');
}

/** Every handshake asks it (findSignedIn). */
const signedInQuery = prepared(['username', 'sid'], (db, p: { username: string; sid: string }) =>
  db
    .selectFrom('users')
    .selectAll('users')
    .select((eb) => eb.exists(eb.selectFrom('token_revocations').select('sid').where('sid', '=', p.sid)).as('signed_out'))
    .where('username', '=', p.username),
);

export class UserRepository {
  constructor(private readonly db: Database) {}

  /** Throws WeakPasswordError, UsernameTakenError or DisplayNameTakenError. */
  async create(input: { username: string; displayName: string; password: string }): Promise<User> {
    await assertStrongPassword(input.password, input);
    const row: UsersTable = {
      id: randomUUID(),
      username: input.username,
      display_name: input.displayName,
      display_name_key: displayNameKey(input.displayName),
      password_hash: await hashPassword(input.password),
      disabled: 0,
      token_version: 0,
      missed_seen_at: 0,
      created_at: Date.now(),
    };
    // Recorded like any account change, so every running node tells its devices.
    const created = await this.change(input.username, 'created', (db) =>
      db
        .insertInto('users')
        .values(row)
        .onConflict((oc) => oc.column('username').doNothing())
        .returning(['id', 'token_version'])
        .executeTakeFirst(),
    ).catch((err: unknown) => {
      throw isDisplayNameConflict(err) ? new DisplayNameTakenError(input.displayName) : err;
    });
    if (!created) throw new UsernameTakenError(`username "${input.username}" is taken`);
    return toUser(row);
  }

  async find(username: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return row && toUser(row);
  }

  /**
   * The account a connection signs in to, and whether its sign-in (`sid`) was
   * signed out (sign-outs.ts): one query, as every handshake asks both.
   */
  async findSignedIn(username: string, sid: string): Promise<{ user: User; signedOut: boolean } | undefined> {
    const [row] = await signedInQuery(this.db, { username, sid });
    // SQLite answers 0 or 1, PostgreSQL a boolean.
    return row && { user: toUser(row), signedOut: Boolean(row.signed_out) };
  }

  /**
   * Checks a password in constant time, also when the user does not exist.
   * A hash made with older scrypt parameters is replaced by one with the
   * current parameters, unless the password changed meanwhile.
   */
  async verify(username: string, password: string): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    const ok = await verifyPassword(password, row?.password_hash ?? (await decoyHash()));
    if (!row || !ok) return undefined;
    if (needsRehash(row.password_hash)) {
      const fresh = await hashPassword(password);
      await this.db
        .updateTable('users')
        .set({ password_hash: fresh })
        .where('username', '=', username)
        .where('password_hash', '=', row.password_hash)
        .execute();
    }
    return toUser(row);
  }

  async list(options: { query?: string; limit?: number; includeDisabled?: boolean } = {}): Promise<User[]> {
    let q = this.db.selectFrom('users').selectAll();
    if (!options.includeDisabled) q = q.where('disabled', '=', 0);
    if (options.query) {
      const like = `%${options.query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      q = q.where(sql<boolean>`(lower(username) like ${like} escape '\\' or lower(display_name) like ${like} escape '\\')`);
    }
    const rows = await q.orderBy('display_name').orderBy('username').limit(options.limit ?? 10_000).execute();
    return rows.map(toUser);
  }

  /** Display names for a set of usernames; removed users fall back to their username. */
  async refs(usernames: Iterable<string>): Promise<Map<string, UserRef>> {
    const names = [...new Set(usernames)];
    const refs = new Map(names.map((u) => [u, { username: u, displayName: u }]));
    if (names.length === 0) return refs;
    const rows = await this.db
      .selectFrom('users')
      .select(['username', 'display_name'])
      .where('username', 'in', names)
      .execute();
    for (const r of rows) refs.set(r.username, { username: r.username, displayName: r.display_name });
    return refs;
  }

  /** Throws WeakPasswordError; false: no such user. */
  async setPassword(username: string, password: string): Promise<boolean> {
    const user = await this.find(username);
    if (!user) return false;
    await assertStrongPassword(password, user);
    const hash = await hashPassword(password);
    return this.change(username, 'password-changed', (db) =>
      db
        .updateTable('users')
        .set((eb) => ({ password_hash: hash, token_version: eb('token_version', '+', 1) }))
        .where('username', '=', username)
        .returning(['id', 'token_version'])
        .executeTakeFirst(),
    );
  }

  /** Throws DisplayNameTakenError; false: no such user. */
  async setDisplayName(username: string, displayName: string): Promise<boolean> {
    const set = { display_name: displayName, display_name_key: displayNameKey(displayName) };
    return this.change(username, 'renamed', (db) =>
      db.updateTable('users').set(set).where('username', '=', username).returning(['id', 'token_version']).executeTakeFirst(),
    ).catch((err: unknown) => {
      throw isDisplayNameConflict(err) ? new DisplayNameTakenError(displayName) : err;
    });
  }

  async setDisabled(username: string, disabled: boolean): Promise<boolean> {
    if (!disabled) {
      // Enabling leaves tokens alone: the disable already revoked the old ones.
      return this.change(username, 'enabled', (db) =>
        db.updateTable('users').set({ disabled: 0 }).where('username', '=', username).returning(['id', 'token_version']).executeTakeFirst(),
      );
    }
    return this.change(username, 'disabled', (db) =>
      db
        .updateTable('users')
        .set((eb) => ({ disabled: 1, token_version: eb('token_version', '+', 1) }))
        .where('username', '=', username)
        .returning(['id', 'token_version'])
        .executeTakeFirst(),
    );
  }

  async remove(username: string): Promise<boolean> {
    return this.change(username, 'removed', async (db) => {
      const gone = await db.deleteFrom('users').where('username', '=', username).returning(['id', 'token_version']).executeTakeFirst();
      // Every token of a removed account is revoked, whatever its version.
      return gone && { id: gone.id, token_version: gone.token_version + 1 };
    });
  }

  async markMissedSeen(username: string, at: number): Promise<void> {
    await this.db.updateTable('users').set({ missed_seen_at: at }).where('username', '=', username).execute();
  }

  /**
   * Applies an account change and records it, in one transaction, for
   * running servers to act on. `apply` is one statement that changes the row
   * and returns it as changed (INSERT/UPDATE/DELETE … RETURNING), so the version the
   * event revokes below is the one this change made: a concurrent change of
   * the same account (another admin command, another node) waits for the row
   * lock (PostgreSQL) or the write lock (SQLite) and bumps the version after
   * it, never from the same value. false: no such user (also when a
   * concurrent `remove` took it first), or for `created`, the username is taken.
   */
  private async change(
    username: string,
    kind: AccountEventKind,
    apply: (db: Database) => Promise<{ id: string; token_version: number } | undefined>,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const changed = await apply(trx);
      if (!changed) return false;
      await trx
        .insertInto('account_events')
        .values({ username, user_id: changed.id, min_version: changed.token_version, kind, at: Date.now() })
        .execute();
      return true;
    });
  }

  /** Account changes after `seq`, and those of `also` (earlier ones still missing), oldest first. */
  async eventsSince(seq: number, also: readonly number[] = []): Promise<AccountEvent[]> {
    return this.db
      .selectFrom('account_events')
      .select(['seq', 'username', 'user_id as userId', 'min_version as minVersion', 'kind', 'sid'])
      .where((eb) => (also.length === 0 ? eb('seq', '>', seq) : eb.or([eb('seq', '>', seq), eb('seq', 'in', [...also])])))
      .orderBy('seq')
      .execute();
  }

  async lastEventSeq(): Promise<number> {
    const row = await this.db
      .selectFrom('account_events')
      .select((eb) => eb.fn.max('seq').as('seq'))
      .executeTakeFirst();
    return row?.seq ?? 0;
  }
}
