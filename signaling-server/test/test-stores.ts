/**
 * Which backing stores this run of the server suite uses, from
 * PARLEY_TEST_STORES, a comma-separated list:
 * - `postgres`: every server keeps users and history in PostgreSQL instead of
 *   the default SQLite file. Each data dir a test uses gets a database of its
 *   own, made on first use and dropped after the test, so a server restarted
 *   on the same data dir finds its data, as it would in its SQLite file.
 * - `redis`: every server shares its live state through a real redis-server
 *   this test file starts (redis-server.ts), each server on a fresh Redis
 *   database of its own.
 * `postgres,redis` is the configuration of several nodes in production.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { inject, onTestFinished } from 'vitest';
import { createLogger } from '../src/logger.js';
import { RedisConnection } from '../src/redis/connection.js';
import { afterEveryFile, afterEveryTest } from './cleanup.js';
import { RedisServer } from './redis-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export type TestStore = 'postgres' | 'redis';
const KNOWN: readonly TestStore[] = ['postgres', 'redis'];

export function testStores(): Set<TestStore> {
  const listed = (process.env.PARLEY_TEST_STORES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of listed) {
    if (!KNOWN.includes(s as TestStore)) throw new Error(`PARLEY_TEST_STORES: unknown store "${s}" (known: ${KNOWN.join(', ')})`);
  }
  return new Set(listed as TestStore[]);
}

export const onPostgres = testStores().has('postgres');
export const onRedis = testStores().has('redis');

const printed = new Set<string>();
/**
 * For tests of the SQLite file itself (its settings, backups, the benchmark of the default store):
 * true (skip) when this run is on PostgreSQL, after printing why.
 */
export function sqliteFileOnly(what: string): boolean {
  if (!onPostgres) return false;
  if (!printed.has(what)) {
    printed.add(what);
    process.stdout.write(`skipped on PostgreSQL (PARLEY_TEST_STORES=${process.env.PARLEY_TEST_STORES ?? ''}): ${what}; the default (SQLite) run covers it\n`);
  }
  return true;
}

let admin: pg.Pool | undefined;
const databases = new Map<string, Promise<string>>();

/** The database URL for a data dir in this run: undefined (its SQLite file) unless on PostgreSQL. */
export function testDatabaseUrl(dataDir: string): Promise<string | undefined> {
  if (!onPostgres) return Promise.resolve(undefined);
  const key = path.resolve(dataDir);
  let url = databases.get(key);
  if (!url) {
    const name = `parley_${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
    const adminUrl = inject('postgresAdminUrl');
    admin ??= new pg.Pool({ connectionString: adminUrl, max: 2 });
    const pool = admin;
    url = pool.query(`create database ${name}`).then(() => {
      const u = new URL(adminUrl);
      u.pathname = `/${name}`;
      return u.toString();
    });
    databases.set(key, url);
  }
  return url;
}

/** Drops the databases made for data dirs so far (their servers are stopped by then; any left are cut off). */
export async function dropTestDatabases(): Promise<void> {
  const made = [...databases.values()];
  databases.clear();
  for (const url of made) {
    const name = new URL(await url.catch(() => 'postgres://x/none')).pathname.slice(1);
    if (admin && name !== 'none') await admin.query(`drop database if exists ${name} with (force)`);
  }
}

let redis: Promise<RedisServer> | undefined;
/** This test file's redis-server, started on first use and stopped after the file. */
export function testRedis(): Promise<RedisServer> {
  return (redis ??= RedisServer.start());
}

/** Two connections to one fresh Redis database, standing for two nodes; closed when the test that made them ends. */
export async function redisPair(): Promise<[RedisConnection, RedisConnection]> {
  const url = await (await testRedis()).freshUrl();
  const pair: [RedisConnection, RedisConnection] = [new RedisConnection(url, createLogger('silent')), new RedisConnection(url, createLogger('silent'))];
  for (const c of pair) {
    onTestFinished(() => c.close());
    await c.connect();
  }
  return pair;
}

/** PARLEY_REDIS_URL for a new test server: a fresh Redis database when the run is on Redis, else none. */
export async function testRedisUrl(): Promise<string | undefined> {
  return onRedis ? (await testRedis()).freshUrl() : undefined;
}

// After each test its databases are dropped (its servers closed by then); after each file, the rest is stopped.
afterEveryTest(dropTestDatabases);
afterEveryFile(closeTestStores);

/** After a test file: its databases dropped, the admin connection closed, its redis-server stopped. */
export async function closeTestStores(): Promise<void> {
  const started = redis;
  redis = undefined;
  // The redis-server is stopped even when dropping the databases fails: else it outlives the run.
  try {
    await dropTestDatabases();
    await admin?.end();
  } finally {
    admin = undefined;
    if (started) await (await started).close();
  }
}
