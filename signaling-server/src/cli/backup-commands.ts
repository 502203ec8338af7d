/**
 * `parley-server backup FILE` and `parley-server restore FILE` for the
 * SQLite store. A backup is taken with VACUUM INTO: one read transaction, so
 * a consistent snapshot while a server keeps writing (WAL readers never block
 * the writer). A restore checks the file is a Parley database this version
 * can open, keeps the current one aside, and swaps the file in with a rename,
 * removing the old file's -wal/-shm so SQLite never replays them onto it.
 * PostgreSQL has its own tools: pg_dump and pg_restore.
 */
import { copyFileSync, chmodSync, existsSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { DATABASE_FILE, type StoreLocation } from '../db/database.js';
import { MIGRATION_NAMES } from '../db/migrations.js';
import { runningServerPid } from '../db/pid-file.js';
import { SECRET_FILE } from '../auth/tokens.js';
import { UsageError } from './user-commands.js';

/** A refusal with a message for the admin: printed, exit code 1. */
export class BackupError extends Error {
  override name = 'BackupError';
}

const PARLEY_TABLES = ['users', 'calls', 'account_events', 'kysely_migration'];

interface Inspection {
  users: number;
  calls: number;
  voicemails: number;
  /** The latest migration the file has applied. */
  migration: string;
}

/** Checks that `file` is an intact Parley database this version can open; throws BackupError saying why not. */
export function inspectDatabase(file: string): Inspection {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(file, { fileMustExist: true, timeout: 5000 });
  } catch (err) {
    throw new BackupError(`${file} cannot be opened: ${(err as Error).message}`);
  }
  try {
    let integrity: unknown;
    try {
      integrity = sqlite.pragma('integrity_check', { simple: true });
    } catch (err) {
      const code = (err as { code?: string }).code;
      throw new BackupError(code === 'SQLITE_NOTADB' ? `${file} is not a SQLite database` : `${file} cannot be read: ${(err as Error).message}`);
    }
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged (integrity check: ${String(integrity)})`);
    const tables = new Set(
      (sqlite.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]).map((t) => t.name),
    );
    const missing = PARLEY_TABLES.filter((t) => !tables.has(t));
    if (missing.length > 0) throw new BackupError(`${file} is not a Parley database (no ${missing.join(', ')} table)`);
    const applied = (sqlite.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((m) => m.name);
    const unknown = applied.filter((m) => !MIGRATION_NAMES.includes(m));
    if (unknown.length > 0) {
      throw new BackupError(`${file} was written by a newer parley-server (schema ${unknown.join(', ')}): upgrade parley-server first`);
    }
    const count = (table: string) => (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    // Voicemail audio lives in the database too (migration 0014), so it is in every backup; older files have none.
    const voicemails = tables.has('voicemails') ? count('voicemails') : 0;
    return { users: count('users'), calls: count('calls'), voicemails, migration: applied.at(-1) ?? 'none' };
  } finally {
    sqlite.close();
  }
}

function oneFile(command: string, args: string[]): string {
  const [file, ...extra] = args;
  if (!file) throw new UsageError(`${command}: which file?`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return path.resolve(file);
}

function sqliteOnly(command: string, where: StoreLocation): void {
  if (where.databaseUrl) {
    throw new BackupError(
      `${command} works on the SQLite store; this server uses PostgreSQL (PARLEY_DATABASE_URL): ` +
        `use pg_dump and pg_restore instead (see "Backups" in docs/self-hosting.md)`,
    );
  }
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What a database holds, in words: `42 users and 1234 calls`, with its voicemail when it has some. */
const contents = (found: Inspection) =>
  found.voicemails === 0
    ? `${plural(found.users, 'user')} and ${plural(found.calls, 'call')}`
    : `${plural(found.users, 'user')}, ${plural(found.calls, 'call')} and ${plural(found.voicemails, 'voicemail message')}`;

export function runBackup(where: StoreLocation, args: string[]): number {
  const target = oneFile('backup', args);
  sqliteOnly('backup', where);
  const source = path.join(where.dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new BackupError(`there is no database at ${source}: is PARLEY_DATA_DIR (--data-dir) right?`);
  if (target === source) throw new BackupError('the backup must go to another file than the database itself');
  // Written beside the target and renamed over it: a failed backup never replaces a good one.
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  const sqlite = new SQLite(source, { fileMustExist: true, timeout: 5000 });
  try {
    sqlite.prepare('vacuum into ?').run(partial);
  } catch (err) {
    rmSync(partial, { force: true });
    throw new BackupError(`backup to ${target} failed: ${(err as Error).message}`);
  } finally {
    sqlite.close();
  }
  try {
    chmodSync(partial, 0o600); // password hashes
    const found = inspectDatabase(partial);
    renameSync(partial, target);
    process.stdout.write(
      `backed up ${contents(found)} to ${target} (schema ${found.migration})\n` +
        `sign-in tokens are signed with ${path.join(where.dataDir, SECRET_FILE)}, which is not in the backup: ` +
        `keep a copy of it too, or everyone signs in again after a restore\n`,
    );
    return 0;
  } finally {
    rmSync(partial, { force: true });
  }
}

export function runRestore(where: StoreLocation, args: string[]): number {
  const backup = oneFile('restore', args);
  sqliteOnly('restore', where);
  const pid = runningServerPid(where.dataDir);
  if (pid !== undefined) throw new BackupError(`a parley-server (pid ${pid}) is running on ${where.dataDir}: stop it first`);
  if (!existsSync(backup)) throw new BackupError(`${backup} does not exist`);
  const target = path.join(where.dataDir, DATABASE_FILE);
  if (backup === target) throw new BackupError('that is the database itself');
  if (!existsSync(where.dataDir)) throw new BackupError(`the data dir ${where.dataDir} does not exist: create it first`);

  // Checked as a copy on the data dir's file system, which then becomes the database by a rename.
  const incoming = `${target}.restoring`;
  rmSync(incoming, { force: true });
  copyFileSync(backup, incoming);
  chmodSync(incoming, 0o600);
  let found: Inspection;
  try {
    found = inspectDatabase(incoming);
  } catch (err) {
    removeWithJournal(incoming);
    if (err instanceof BackupError) throw new BackupError(err.message.replaceAll(incoming, backup));
    throw err;
  }
  removeJournal(incoming);

  let keptAs: string | undefined;
  if (existsSync(target)) {
    // Fold the WAL into the file first, so the copy kept aside is complete on its own.
    const current = new SQLite(target, { fileMustExist: true, timeout: 5000 });
    try {
      current.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      current.close();
    }
    keptAs = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, keptAs);
  }
  // A -wal/-shm left beside the new file would be replayed onto it.
  removeJournal(target);
  renameSync(incoming, target);
  process.stdout.write(
    `restored ${contents(found)} from ${backup} into ${target} (schema ${found.migration})\n` +
      (keptAs ? `the previous database is kept as ${keptAs}\n` : ''),
  );
  return 0;
}

function removeJournal(file: string): void {
  rmSync(`${file}-wal`, { force: true });
  rmSync(`${file}-shm`, { force: true });
}

function removeWithJournal(file: string): void {
  rmSync(file, { force: true });
  removeJournal(file);
}
