/**
 * Prepared queries (src/db/prepared.ts) on a real store: the SQLite file, or
 * PostgreSQL on a PostgreSQL run. Each run binds its own values to SQL
 * compiled once per database, and a query that would not bind a value fails
 * at once instead of running something else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Database } from '../src/db/database.js';
import { prepared } from '../src/db/prepared.js';
import { tempDir } from './harness.js';
import { testDatabaseUrl } from './test-stores.js';

const open: Database[] = [];
afterEach(async () => {
  for (const db of open.splice(0)) await db.destroy();
});

async function store(): Promise<Database> {
  const dataDir = tempDir();
  const { db } = await openStore({ dataDir, databaseUrl: await testDatabaseUrl(dataDir) });
  open.push(db);
  for (const [username, n] of [['ann', 1], ['ben', 2], ['cid', 3]] as const) {
    await db
      .insertInto('users')
      .values({ id: `id-${username}`, username, display_name: username.toUpperCase(), display_name_key: username, password_hash: 'x', created_at: n, token_version: 0, disabled: 0, missed_seen_at: 0 })
      .execute();
  }
  return db;
}

describe('prepared queries', () => {
  it('binds each run’s values, builds once per database (a transaction is one of its own), and keeps fixed values', async () => {
    let builds = 0;
    const q = prepared(['name', 'after'], (db, p: { name: string; after: number }) => {
      builds++;
      return db.selectFrom('users').select(['username', 'display_name']).where('username', '!=', p.name).where('created_at', '>', p.after).where('disabled', '=', 0).orderBy('username');
    });
    const db = await store();
    expect(await q(db, { name: 'ann', after: 0 })).toEqual([
      { username: 'ben', display_name: 'BEN' },
      { username: 'cid', display_name: 'CID' },
    ]);
    expect(await q(db, { name: 'cid', after: 1 })).toEqual([{ username: 'ben', display_name: 'BEN' }]);
    expect(builds).toBe(1);
    await db.transaction().execute(async (trx) => {
      expect(await q(trx, { name: 'ben', after: 2 })).toEqual([{ username: 'cid', display_name: 'CID' }]);
    });
    expect(builds).toBe(2);
    // The same query on another store is compiled for it (its dialect may differ).
    expect(await q(await store(), { name: 'ann', after: 2 })).toEqual([{ username: 'cid', display_name: 'CID' }]);
    expect(builds).toBe(3);
  });

  it('writes with it: an update binds its values, a null among them too', async () => {
    const db = await store();
    const rename = prepared(['name', 'display', 'key'], (d, p: { name: string; display: string; key: string | null }) =>
      d.updateTable('users').set({ display_name: p.display, display_name_key: p.key }).where('username', '=', p.name),
    );
    await rename(db, { name: 'ben', display: 'Benjamin', key: 'benjamin' });
    await rename(db, { name: 'cid', display: 'Cid', key: null });
    const rows = await db.selectFrom('users').select(['display_name', 'display_name_key']).orderBy('username').execute();
    expect(rows).toEqual([
      { display_name: 'ANN', display_name_key: 'ann' },
      { display_name: 'Benjamin', display_name_key: 'benjamin' },
      { display_name: 'Cid', display_name_key: null },
    ]);
  });

  it('refuses a query that reads a value it was not given, or does not pass one as a parameter', async () => {
    const db = await store();
    const unlisted = prepared(['name'], (d, p: { name: string; also: string }) => d.selectFrom('users').selectAll().where('username', '=', p.name).where('display_name', '=', p.also));
    await expect(unlisted(db, { name: 'ann', also: 'ANN' })).rejects.toThrow('also is not among its values');
    const unused = prepared(['name', 'spare'], (d, p: { name: string; spare: string }) => d.selectFrom('users').selectAll().where('username', '=', p.name));
    await expect(unused(db, { name: 'ann', spare: 'x' })).rejects.toThrow('a value is not a parameter');
  });
});
