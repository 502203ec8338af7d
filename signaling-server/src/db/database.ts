/**
 * Opens the store, migrated to the latest schema before use: by default one
 * SQLite file in the data dir (WAL, so readers never wait on the writer);
 * with a database URL, PostgreSQL (postgres.ts), shared by several nodes.
 * Both go through the same Kysely queries and migrations.
 *
 * SQLite: prepared
 * statements are kept and reused: Kysely prepares every query anew, and
 * compiling the SQL cost more than running it (a sign-in, a call and a
 * status change each run a few).
 *
 * Each write is its own transaction (or one explicit transaction), committed
 * before the server acknowledges the message that caused it. In WAL mode
 * `synchronous = NORMAL` (the default) survives a killed process; `FULL`
 * also survives power loss, at the price of an fsync per commit, which
 * blocks the event loop (better-sqlite3 is synchronous): PARLEY_DB_SYNC.
 */
import { chmodSync, existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, sql, SqliteDialect, type SqliteDatabase } from 'kysely';
import type { Logger } from '../logger.js';
import { migrationProvider, type SqlDialect } from './migrations.js';
import type { DatabaseSchema } from './schema.js';
import { isStoreUnavailable } from './store-errors.js';

export type Database = Kysely<DatabaseSchema>;

export const DATABASE_FILE = 'parley.sqlite';

export type DbSync = 'normal' | 'full';

/** Distinct statements kept; queries with `in (?, ?, …)` lists make one per list length. */
const STATEMENT_CACHE_SIZE = 256;

/**
 * The database as Kysely sees it, with a cache of prepared statements by SQL
 * text. Safe because Kysely runs one query at a time on SQLite and this
 * server never streams a query (an iterating statement cannot be reused).
 */
function withStatementCache(sqlite: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) return stmt;
      stmt = sqlite.prepare(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      cache.set(sql, stmt);
      return stmt;
    },
  };
}

/**
 * The data dir, created if missing (`create`), and ours only (0700) even when
 * it existed with looser rights: it holds the database, the token key and backups.
 */
export function privateDir(dir: string, create = true): void {
  if (create) mkdirSync(dir, { recursive: true, mode: 0o700 });
  else if (!existsSync(dir)) return;
  if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** The SQLite file in `dataDir`, created if missing. */
export async function openDatabase(dataDir: string, sync: DbSync = 'normal'): Promise<Database> {
  privateDir(dataDir);
  const file = path.join(dataDir, DATABASE_FILE);
  const sqlite = new SQLite(file);
  // It holds password hashes: ours only (SQLite gives its -wal/-shm files the same mode).
  chmodSync(file, 0o600);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${sync === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  try {
    await migrateLocked(db, sqlite);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/**
 * Kysely's migrator takes no lock on SQLite (it counts on the one connection
 * of one process), so two processes starting at once on a new data dir (two
 * nodes on one machine, a node and an admin command) both found no
 * migration applied and the second failed on `table "users" already exists`.
 * Here the whole run is one BEGIN IMMEDIATE transaction: the second process
 * waits for the write lock (busy_timeout), then finds the schema up to date.
 * SQLite's DDL is transactional, so a failed migration leaves nothing behind.
 */
async function migrateLocked(db: Database, sqlite: SQLite.Database): Promise<void> {
  sqlite.exec('BEGIN IMMEDIATE');
  try {
    await migrate(db, 'sqlite');
    sqlite.exec('COMMIT');
  } catch (err) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw err;
  }
}

/** The store could not be opened (PostgreSQL unreachable, refused the login, ...): a message for the admin. */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
}

export interface StoreLocation {
  dataDir: string;
  /** PostgreSQL; unset: the SQLite file in dataDir. */
  databaseUrl?: string | undefined;
  dbSync?: DbSync;
}

export interface OpenStore {
  db: Database;
  dialect: SqlDialect;
  /** Where it is, for logs: the file, or the URL without its password. */
  location: string;
}

/** The store a server or an admin command works on. */
export async function openStore(where: StoreLocation, log?: Logger): Promise<OpenStore> {
  if (!where.databaseUrl) {
    return { db: await openDatabase(where.dataDir, where.dbSync), dialect: 'sqlite', location: path.join(where.dataDir, DATABASE_FILE) };
  }
  // Not needed with PostgreSQL, so not made; but one that is there (backups, an earlier SQLite file) is ours only.
  privateDir(where.dataDir, false);
  // Loaded only when used: the SQLite default never pays for pg.
  const { createPostgresDatabase, redactDatabaseUrl } = await import('./postgres.js');
  const location = redactDatabaseUrl(where.databaseUrl);
  const db = createPostgresDatabase(where.databaseUrl, log);
  try {
    // Kysely's migrator holds an advisory lock on PostgreSQL: nodes starting at once apply each migration once.
    await migrate(db, 'postgres');
  } catch (err) {
    await db.destroy();
    const what = isStoreUnavailable(err) ? 'cannot reach PostgreSQL' : 'PostgreSQL';
    throw new StoreOpenError(`${what} at ${location}: ${(err as Error).message}`, { cause: err });
  }
  return { db, dialect: 'postgres', location };
}

/** Resolves when the database answers a trivial query. */
export async function pingDatabase(db: Database): Promise<void> {
  await sql`select 1`.execute(db);
}

/** Applies the migrations this version knows; the caller closes `db` if it throws. */
async function migrate(db: Database, dialect: SqlDialect): Promise<void> {
  // On SQLite the caller's transaction holds the lock: Kysely must not begin one of its own.
  // Names compared by code point: Kysely's default, localeCompare, loads ICU's collator on its first call
  // (about a tenth of a second of every start). The names' numbered prefixes order the same either way.
  const nameComparator = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const migrator = new Migrator({ db, provider: migrationProvider(dialect), disableTransactions: dialect === 'sqlite', nameComparator });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    if (!failed && error instanceof Error) throw error;
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
