import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { HistoryRepository } from '../src/history/history-repository.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('schema migrations', () => {
  it('0003-call-chat: a database from before chat notes opens, its calls without a note', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-migrate-'));
    dirs.push(dir);
    // Made by this version, then taken back to 0002: no chat column, no record of 0003.
    let db = await openDatabase(dir);
    await sql`alter table calls drop column chat`.execute(db);
    await sql`delete from kysely_migration where name = '0003-call-chat'`.execute(db);
    await new HistoryRepository(db).started({ callId: 'old', caller: 'alice', callee: 'bob', media: { audio: true, video: false }, startedAt: 1 });
    await db.destroy();

    db = await openDatabase(dir);
    try {
      const history = new HistoryRepository(db);
      const refs = (names: string[]) => Promise.resolve(new Map(names.map((n) => [n, { username: n, displayName: n }])));
      const [old] = await history.list('alice', { limit: 10, since: 0 }, refs);
      expect(old).toMatchObject({ callId: 'old', chat: false });
      await history.noteChat('old');
      expect((await history.list('alice', { limit: 10, since: 0 }, refs))[0]).toMatchObject({ callId: 'old', chat: true });
    } finally {
      await db.destroy();
    }
  });
});
