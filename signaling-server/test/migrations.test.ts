import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, openStore } from '../src/db/database.js';
import { MIGRATION_NAMES } from '../src/db/migrations.js';
import { HistoryRepository } from '../src/history/history-repository.js';
import { runCli, startChildServer } from './cli-helpers.js';
import { rollBackTo, UNDO } from './migration-rollback.js';
import { postJson, register, tempDir } from './harness.js';
import { testDatabaseUrl } from './test-stores.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('schema migrations', () => {
  it('every migration since 0003 has its undo for the upgrade tests (migration-rollback.ts)', () => {
    expect(UNDO.map(([name]) => name).reverse()).toEqual(MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf('0003-call-chat')));
  });

  it('0003-call-chat and later: a database from before them opens, its calls without a chat note or a count', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-migrate-'));
    dirs.push(dir);
    // Made by this version, then taken back to 0002: what 0003 and later did is undone, and their records removed.
    let db = await openDatabase(dir);
    await rollBackTo(db, '0002-server-secrets');
    // A call as the older version recorded it: the columns it had.
    await sql`insert into calls (call_id, caller, callee, audio, video, started_at) values ('old', 'alice', 'bob', 1, 0, 1)`.execute(db);
    await db.destroy();

    db = await openDatabase(dir);
    try {
      const history = new HistoryRepository(db);
      const refs = (names: string[]) => Promise.resolve(new Map(names.map((n) => [n, { username: n, displayName: n }])));
      const [old] = await history.list('alice', { limit: 10, since: 0 }, refs);
      expect(old).toMatchObject({ callId: 'old', chat: false });
      expect(old?.attempts).toBeUndefined();
      expect((await history.find('old'))?.sfu).toBe(false);
      await history.noteChat('old');
      expect((await history.list('alice', { limit: 10, since: 0 }, refs))[0]).toMatchObject({ callId: 'old', chat: true });
    } finally {
      await db.destroy();
    }
  });

  it('0013: finding the calls a run left open, and counting missed calls at sign-in, read an index, not the whole history', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-migrate-'));
    dirs.push(dir);
    const db = await openDatabase(dir);
    try {
      const plan = async (query: string) => (await sql<{ detail: string }>`explain query plan ${sql.raw(query)}`.execute(db)).rows.map((r) => r.detail).join('; ');
      // The shapes of history.dangling and of missedCount (history-repository.ts).
      expect(await plan(`select call_id from calls where ended_at is null and started_at < 5`)).toMatch(/USING (COVERING )?INDEX calls_open/);
      expect(await plan(`select count(*) from calls where callee = 'bob' and answered_at is null and outcome in ('missed') and ended_at > 5`)).toMatch(
        /USING INDEX calls_callee_ended \(callee=\? AND ended_at>\?\)/,
      );
    } finally {
      await db.destroy();
    }
  });
});

/** The migrations recorded in a data dir's store (its SQLite file, or its database on a PostgreSQL run). */
async function applied(dataDir: string): Promise<string[]> {
  const { db } = await openStore({ dataDir, databaseUrl: await testDatabaseUrl(dataDir) });
  try {
    return (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db)).rows.map((r) => r.name);
  } finally {
    await db.destroy();
  }
}

describe('several processes opening a new store at the same moment', () => {
  it('admin commands started together on an empty data dir all succeed, and each migration is applied once', { timeout: 180_000 }, async () => {
    for (let round = 0; round < 3; round++) {
      const dataDir = tempDir();
      const results = await Promise.all(Array.from({ length: 4 }, () => runCli(['user', 'list'], { dataDir, timeoutMs: 60_000 })));
      for (const r of results) expect(r.code, `round ${round}: ${r.stderr}`).toBe(0);
      expect(await applied(dataDir)).toEqual([...MIGRATION_NAMES]);
    }
  });

  it('two servers started together on an empty data dir both serve it', { timeout: 120_000 }, async () => {
    const dataDir = tempDir();
    const [one, two] = await Promise.all([startChildServer({ dataDir, timeoutMs: 60_000 }), startChildServer({ dataDir, timeoutMs: 60_000 })]);
    await register(one, 'alice');
    expect((await postJson(`${two.url}/api/login`, { username: 'alice', password: 'alice-password' })).status).toBe(200);
    for (const s of [one, two]) expect(s.stderr()).toBe('');
    expect(await applied(dataDir)).toEqual([...MIGRATION_NAMES]);
  });
});
