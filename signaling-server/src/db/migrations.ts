/**
 * Schema migrations, applied in order at open. Never edit a shipped
 * migration: add the next one.
 */
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001-initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('display_name', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('token_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('missed_seen_at', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('calls')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('call_id', 'text', (c) => c.notNull().unique())
        .addColumn('caller', 'text', (c) => c.notNull())
        .addColumn('callee', 'text', (c) => c.notNull())
        .addColumn('audio', 'integer', (c) => c.notNull())
        .addColumn('video', 'integer', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('answered_at', 'integer')
        .addColumn('ended_at', 'integer')
        .addColumn('outcome', 'text')
        .execute();
      await db.schema.createIndex('calls_caller_seq').on('calls').columns(['caller', 'seq']).execute();
      await db.schema.createIndex('calls_callee_seq').on('calls').columns(['callee', 'seq']).execute();
      await db.schema
        .createTable('account_events')
        .addColumn('seq', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('min_version', 'integer', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('at', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  /** Group calls: a named room's name, and who took part in each group call. */
  '0002-group-calls': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('calls').addColumn('room', 'text').execute();
      await db.schema
        .createTable('call_participants')
        .addColumn('call_id', 'text', (c) => c.notNull())
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('joined_at', 'integer', (c) => c.notNull())
        .addColumn('left_at', 'integer')
        .addPrimaryKeyConstraint('call_participants_pk', ['call_id', 'username'])
        .execute();
      await db.schema.createIndex('call_participants_username').on('call_participants').columns(['username', 'call_id']).execute();
    },
  },
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
