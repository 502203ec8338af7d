/**
 * Schema migrations, applied in order at open, the same for SQLite and
 * PostgreSQL. Never edit what a shipped migration does to a database: add
 * the next one. Where the two engines need different column types, a
 * migration asks `types` (SQLite's integer is 64-bit, PostgreSQL's is not,
 * so instants in milliseconds are bigint there).
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { displayNameKey } from '../accounts/display-name-key.js';

export type SqlDialect = 'sqlite' | 'postgres';

interface ColumnTypes {
  /** A millisecond instant (Date.now()). */
  instant: 'integer' | 'bigint';
  /** An auto-numbered primary key. */
  serial: 'integer' | 'serial';
  /** Bytes stored in the row (voicemail audio). */
  bytes: 'blob' | 'bytea';
}

const TYPES: Record<SqlDialect, ColumnTypes> = {
  sqlite: { instant: 'integer', serial: 'integer', bytes: 'blob' },
  postgres: { instant: 'bigint', serial: 'serial', bytes: 'bytea' },
};

type DialectMigration = (db: Kysely<unknown>, types: ColumnTypes, dialect: SqlDialect) => Promise<void>;

const migrations: [name: string, up: DialectMigration][] = [
  [
    '0001-initial',
    async (db, t, dialect) => {
      // SQLite numbers rows with "integer primary key autoincrement"; PostgreSQL with serial.
      const serialKey = (c: ColumnDefinitionBuilder) => (dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey());
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('missed_seen_at', t.instant, (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', t.instant, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('calls')
        .addColumn('seq', t.serial, serialKey)
        .addColumn('call_id', 'text', (c) => c.notNull().unique())
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('callee', 'text', (c) => c.notNull())
        .addColumn('audio', 'integer', (c) => c.notNull())
        .addColumn('video', 'integer', (c) => c.notNull())
        .addColumn('started_at', t.instant, (c) => c.notNull())
        .addColumn('answered_at', t.instant)
        .addColumn('ended_at', t.instant)
        .addColumn('outcome', 'text')
        .execute();
      await db.schema.createIndex('calls_caller_seq').on('calls').columns(['caller', 'seq']).execute();
      await db.schema.createIndex('calls_callee_seq').on('calls').columns(['callee', 'seq']).execute();
      await db.schema
        .createTable('account_events')
        .addColumn('seq', t.serial, serialKey)
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('min_version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', t.instant, (c) => c.notNull())
        .execute();
    },
  ],
  [
    '0002-server-secrets',
    async (db) => {
      // Secrets every node must share, such as the token key. With SQLite the
      // token key stays in the data dir's token-secret file (one node, and
      // existing data dirs keep their sign-ins); several nodes on PostgreSQL
      // find it here.
      await db.schema
        .createTable('server_secrets')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
    },
  ],
  [
    '0003-call-chat',
    async (db) => {
      // Whether the call's in-call chat was used (never what was said): an integer flag like audio and video.
      await db.schema.alterTable('calls').addColumn('chat', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  ],
  [
    '0004-group-calls',
    async (db, t) => {
      // Group calls: a named room's name, and who took part in each group call.
      await db.schema.alterTable('calls').addColumn('room', 'text').execute();
      await db.schema
        .createTable('call_participants')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('joined_at', t.instant, (c) => c.notNull())
        .addColumn('left_at', t.instant)
        .addPrimaryKeyConstraint('call_participants_pk', ['call_id', 'username'])
        .execute();
      await db.schema.createIndex('call_participants_username').on('call_participants').columns(['username', 'call_id']).execute();
    },
  ],
  [
    '0005-call-attempts',
    async (db) => {
      // Refusals repeated to one callee are one row with a count; old rows are pruned by start time.
      await db.schema.alterTable('calls').addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(1)).execute();
      await db.schema.createIndex('calls_started_at').on('calls').column('started_at').execute();
    },
  ],
  [
    '0006-display-name-key',
    async (db) => {
      // Display names unique by look (accounts/display-name-key.ts). Existing
      // look-alikes must not stop the upgrade: the oldest account keeps the
      // key, later ones keep their name with a null key (a unique index
      // allows many nulls) until an admin renames them; new accounts and
      // renames can no longer take a name that looks like theirs or the first's.
      await db.schema.alterTable('users').addColumn('display_name_key', 'text').execute();
      await assignDisplayNameKeys(db);
      await db.schema.createIndex('users_display_name_key').on('users').column('display_name_key').unique().execute();
    },
  ],
  [
    '0007-token-revocations',
    async (db, t) => {
      // Signed-out sign-ins (auth/sign-outs.ts), refused at every handshake
      // until their last token would have expired, then pruned.
      await db.schema
        .createTable('token_revocations')
        .addColumn('sid', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('revoked_at', t.instant, (c) => c.notNull())
        .addColumn('expires_at', t.instant, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('token_revocations_expires_at').on('token_revocations').column('expires_at').execute();
      // A sign-out is an account event too, so every node ends that sign-in's live sessions: which one is in sid.
      await db.schema.alterTable('account_events').addColumn('sid', 'text').execute();
    },
  ],
  [
    '0008-rooms',
    async (db, t) => {
      // Rooms an admin keeps, so a name cannot be squatted: its owner and join code outlive each call.
      await db.schema
        .createTable('rooms')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('owner', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text')
        .addColumn('created_at', t.instant, (c) => c.notNull())
        .execute();
    },
  ],
  [
    '0009-failure-cause',
    async (db) => {
      // What made a failed call fail (protocol FAILURE_CAUSES); null for other outcomes and older rows.
      await db.schema.alterTable('calls').addColumn('failure_cause', 'text').execute();
    },
  ],
  [
    '0010-call-room-code',
    async (db) => {
      // An unkept room's join code (salted SHA-256), so a room restored after a restart keeps it.
      await db.schema.alterTable('calls').addColumn('room_code', 'text').execute();
    },
  ],
  [
    '0011-call-sfu',
    async (db) => {
      // A call on the SFU stays there: one restored after a restart must not come back as a mesh.
      await db.schema.alterTable('calls').addColumn('sfu', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    },
  ],
  [
    '0012-display-name-key-skeleton-first',
    async (db) => {
      // display-name-key.ts now takes the skeleton before folding case, and maps blank-looking characters
      // and small capitals: every key is made again, with 0006's rule for look-alikes that now meet (the
      // oldest account keeps the key, the later keep their name with no key until renamed).
      await sql`update users set display_name_key = null`.execute(db);
      await assignDisplayNameKeys(db);
    },
  ],
  [
    '0013-open-and-missed-calls',
    async (db) => {
      // Each start looks for the calls the last run left open (history.dangling), and each sign-in counts
      // the calls missed since a moment (missedCount): without these, both read a whole history.
      await sql`create index calls_open on calls (started_at) where ended_at is null`.execute(db);
      await db.schema.createIndex('calls_callee_ended').on('calls').columns(['callee', 'ended_at']).execute();
    },
  ],
  [
    '0014-voicemail',
    async (db, t) => {
      // Messages and greetings keep their audio in the row: one write stores a message whole or not at
      // all, every node of a PostgreSQL store reads it, and a backup of the database includes it.
      await db.schema
        .createTable('voicemails')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('callee', 'text', (c) => c.notNull())
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('created_at', t.instant, (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('heard_at', t.instant)
        .addColumn('audio', t.bytes, (c) => c.notNull())
        .execute();
      await db.schema.createIndex('voicemails_callee').on('voicemails').columns(['callee', 'created_at']).execute();
      await db.schema.createIndex('voicemails_created_at').on('voicemails').column('created_at').execute();
      await db.schema
        .createTable('voicemail_greetings')
        .addColumn('username', 'text', (c) => c.primaryKey())
        .addColumn('updated_at', t.instant, (c) => c.notNull())
        .addColumn('duration_ms', 'integer', (c) => c.notNull())
        .addColumn('mime', 'text', (c) => c.notNull())
        .addColumn('audio', t.bytes, (c) => c.notNull())
        .execute();
    },
  ],
  [
    '0015-call-transfer',
    async (db) => {
      // A transferred call: who transferred whom to whom (calls/transfer.ts, merge.ts), so every side's history says so.
      await db.schema.alterTable('calls').addColumn('transferred_by', 'text').execute();
      await db.schema.alterTable('calls').addColumn('transferred_from', 'text').execute();
      await db.schema.alterTable('calls').addColumn('transferred_to', 'text').execute();
    },
  ],
];

/** Each account's display_name_key, oldest first: a later look-alike of an earlier name keeps no key (a null is never taken). */
async function assignDisplayNameKeys(db: Kysely<unknown>): Promise<void> {
  const rows = await sql<{ id: string; display_name: string }>`select id, display_name from users order by created_at, id`.execute(db);
  const seen = new Set<string>();
  for (const { id, display_name } of rows.rows) {
    const key = displayNameKey(display_name);
    if (seen.has(key)) continue;
    seen.add(key);
    await sql`update users set display_name_key = ${key} where id = ${id}`.execute(db);
  }
}

/** Every migration this version knows, oldest first: a database that has applied others is newer than us. */
export const MIGRATION_NAMES: readonly string[] = migrations.map(([name]) => name);

export function migrationProvider(dialect: SqlDialect): MigrationProvider {
  const types = TYPES[dialect];
  const record: Record<string, Migration> = {};
  for (const [name, up] of migrations) record[name] = { up: (db) => up(db, types, dialect) };
  return { getMigrations: () => Promise.resolve(record) };
}
