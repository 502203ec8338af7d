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
  it('0003-call-chat and 0004-group-calls: a database from before them opens, its calls without a chat note', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'parley-migrate-'));
    dirs.push(dir);
    // Made by this version, then taken back to 0002: what 0003 and 0004 did is undone, and their records removed.
    let db = await openDatabase(dir);
    await sql`drop table call_participants`.execute(db);
    await sql`alter table calls drop column room`.execute(db);
    await sql`alter table calls drop column chat`.execute(db);
    await sql`delete from kysely_migration where name in ('0003-call-chat', '0004-group-calls')`.execute(db);
    // A call as the older version recorded it: the columns it had.
    await sql`insert into calls (call_id, caller, callee, audio, video, started_at) values ('old', 'alice', 'bob', 1, 0, 1)`.execute(db);
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
