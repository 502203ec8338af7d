/**
 * Takes a database made by this version back to an older schema, for the
 * tests that open a database from before a migration: how to undo each
 * migration since 0003, in one place. A new migration adds its undo here
 * (migrations.test.ts checks that every one has it).
 */
import { sql, type Kysely } from 'kysely';
import { MIGRATION_NAMES } from '../src/db/migrations.js';
import type { DatabaseSchema } from '../src/db/schema.js';

/** Newest first: the statements that undo each migration, run after those of the migrations made later. */
export const UNDO: ReadonlyArray<readonly [name: string, statements: readonly string[]]> = [
  ['0015-call-transfer', ['alter table calls drop column transferred_to', 'alter table calls drop column transferred_from', 'alter table calls drop column transferred_by']],
  ['0014-voicemail', ['drop table voicemail_greetings', 'drop table voicemails']],
  ['0013-open-and-missed-calls', ['drop index calls_open', 'drop index calls_callee_ended']],
  // Keys made again by the newer rule: the column stays, and an older version compares them as they are.
  ['0012-display-name-key-skeleton-first', []],
  ['0011-call-sfu', ['alter table calls drop column sfu']],
  ['0010-call-room-code', ['alter table calls drop column room_code']],
  ['0009-failure-cause', ['alter table calls drop column failure_cause']],
  ['0008-rooms', ['drop table rooms']],
  ['0007-token-revocations', ['drop table token_revocations', 'alter table account_events drop column sid']],
  ['0006-display-name-key', ['drop index users_display_name_key', 'alter table users drop column display_name_key']],
  ['0005-call-attempts', ['drop index calls_started_at', 'alter table calls drop column attempts']],
  ['0004-group-calls', ['drop table call_participants', 'alter table calls drop column room']],
  ['0003-call-chat', ['alter table calls drop column chat']],
];

/** Undoes every migration after `last`, newest first, and forgets that they ran: the database is as `last` left it. */
export async function rollBackTo(db: Kysely<DatabaseSchema>, last: string): Promise<void> {
  const later = MIGRATION_NAMES.slice(MIGRATION_NAMES.indexOf(last) + 1);
  if (!MIGRATION_NAMES.includes(last) || later.some((name) => !UNDO.some(([n]) => n === name))) throw new Error(`rollBackTo: cannot undo back to ${last}`);
  for (const [name, statements] of UNDO.filter(([n]) => later.includes(n))) {
    for (const statement of statements) await sql.raw(statement).execute(db);
    await sql`delete from kysely_migration where name = ${name}`.execute(db);
  }
}
