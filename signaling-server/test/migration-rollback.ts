/**
 * Takes a database made by this version back to an older schema, for the
 * tests that open a database from before a migration: how to undo each
 * migration since 0003, in one place. A new migration adds its undo here
 * (migrations.test.ts checks that every one has it).
 */
import { sql, type Kysely } from 'kysely';
import { MIGRATION_NAMES } from '../src/db/migrations.js';
import type { DatabaseSchema } from '../src/db/schema.js';

type Undo = (db: Kysely<DatabaseSchema>) => Promise<unknown>;

/** Newest first: each undone after those made later. */
export const UNDO: ReadonlyArray<readonly [name: string, undo: Undo]> = [
  ['0011-call-sfu', (db) => sql`alter table calls drop column sfu`.execute(db)],
  ['0010-call-room-code', (db) => sql`alter table calls drop column room_code`.execute(db)],
  ['0009-failure-cause', (db) => sql`alter table calls drop column failure_cause`.execute(db)],
  ['0008-rooms', (db) => sql`drop table rooms`.execute(db)],
  [
    '0007-token-revocations',
    async (db) => {
      await sql`drop table token_revocations`.execute(db);
      await sql`alter table account_events drop column sid`.execute(db);
    },
  ],
  [
    '0006-display-name-key',
    async (db) => {
      await sql`drop index users_display_name_key`.execute(db);
      await sql`alter table users drop column display_name_key`.execute(db);
    },
  ],
  [
    '0005-call-attempts',
    async (db) => {
      await sql`drop index calls_started_at`.execute(db);
      await sql`alter table calls drop column attempts`.execute(db);
    },
  ],
  [
    '0004-group-calls',
    async (db) => {
      await sql`drop table call_participants`.execute(db);
      await sql`alter table calls drop column room`.execute(db);
    },
  ],
  ['0003-call-chat', (db) => sql`alter table calls drop column chat`.execute(db)],
];

/** Undoes every migration after `last`, newest first, and forgets that they ran: the database is as `last` left it. */
export async function rollBackTo(db: Kysely<DatabaseSchema>, last: string): Promise<void> {
  const later = MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf(last) + 1);
  if (!MIGRATION_NAMES.includes(last) || later.some((name) => !UNDO.some(([n]) => n === name))) throw new Error(`rollBackTo: cannot undo back to ${last}`);
  for (const [name, undo] of UNDO.filter(([n]) => later.includes(n))) {
    await undo(db);
    await sql`delete from kysely_migration where name = ${name}`.execute(db);
  }
}
