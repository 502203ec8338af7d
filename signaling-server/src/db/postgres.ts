/**
 * The PostgreSQL store (PARLEY_DATABASE_URL): a pg pool behind Kysely's
 * PostgresDialect, with the same migrations and queries as SQLite. While the
 * server is unreachable, queries fail (store-errors.ts names those failures)
 * and the pool reconnects by itself once it is back: nothing here may take
 * the process down, so every client gets an 'error' listener.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import type { DatabaseSchema } from './schema.js';

/** How long a query waits for a connection before it fails as unavailable. */
const CONNECT_TIMEOUT_MS = 5000;
const POOL_SIZE = 10;

/** pg returns int8 (bigint columns, count(*)) as strings; every such value here is a count or a millisecond instant, safe as a number. */
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/** The URL without its password, for logs and messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

export function createPostgresDatabase(url: string, log?: Logger): Kysely<DatabaseSchema> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POOL_SIZE,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    keepAlive: true,
    application_name: 'parley-server',
    types,
  });
  // One message per outage, not one per broken connection.
  let reported = false;
  const lost = (err: Error) => {
    if (reported) return;
    reported = true;
    log?.error({ err: { message: err.message, code: (err as { code?: unknown }).code } }, 'PostgreSQL connection lost');
  };
  // An idle client's connection broke: the pool drops it.
  pool.on('error', lost);
  pool.on('connect', (client) => {
    reported = false;
    // A checked-out client whose connection breaks emits 'error' too; its query fails on its own.
    client.on('error', lost);
  });
  return new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool }) });
}
