/**
 * `parley-server backup` and `restore` on the SQLite store, run as the real
 * binary against real servers: a backup taken while a server writes restores
 * into a working data dir; a restore refuses a running server and files that
 * are no Parley database, and keeps the database it replaces.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { inspectDatabase } from '../src/cli/backup-commands.js';
import { DATABASE_FILE } from '../src/db/database.js';
import { MIGRATION_NAMES } from '../src/db/migrations.js';
import { exitWithin, runCli, startChildServer } from './cli-helpers.js';
import { connect, establishCall, expectOk, postJson, register, tempDir } from './harness.js';
import { sqliteFileOnly } from './test-stores.js';

const login = (url: string, username: string) => postJson(`${url}/api/login`, { username, password: `${username}-password` });

describe.skipIf(sqliteFileOnly('backup and restore work on the SQLite file'))('parley-server backup and restore (SQLite)', () => {
  it('a backup taken while the server writes restores into a fresh data dir with the same users and history', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    // Each writer registers from an address of its own (behind a trusted proxy): fast sign-ups from
    // one address would meet the registration limit before the backup ends.
    const server = await startChildServer({ dataDir, env: { PARLEY_TRUST_PROXY: 'loopback' } });
    const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob') };
    const alice = await connect(server, logins.alice);
    const bob = await connect(server, logins.bob);
    const callId = await establishCall(alice, bob);
    expectOk(await bob.emit('call:hangup', { callId }));
    await alice.next('call:ended');

    // Accounts keep being created while the backup runs.
    const made: string[] = [];
    const stop = new AbortController();
    const writer = (async () => {
      for (let i = 0; !stop.signal.aborted; i++) {
        const username = `writer-${i}`;
        const res = await postJson(`${server.url}/api/register`, { username, password: `${username}-password`, displayName: `Writer ${i}` }, { 'x-forwarded-for': `198.51.100.${i % 250}` });
        if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
        made.push(username);
      }
    })();
    while (made.length < 3) await new Promise((r) => setTimeout(r, 50));
    const before = [...made];
    const file = path.join(tempDir(), 'nightly.sqlite');
    const backup = await runCli(['backup', file], { dataDir });
    stop.abort();
    await writer;
    const after = [...made];
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(/^backed up \d+ users and 1 call to .*nightly\.sqlite \(schema [^)]+\)/);
    expect(backup.stdout).toContain(`(schema ${MIGRATION_NAMES.at(-1)})`);
    expect(backup.stdout).toMatch(/token-secret/);
    expect(readdirSync(path.dirname(file))).toEqual(['nightly.sqlite']); // no partial file left

    // Consistent: every account made before the backup began is in it, none made after it ended.
    const names = new Set(
      (new SQLite(file, { readonly: true }).prepare('select username from users').all() as { username: string }[]).map((u) => u.username),
    );
    for (const u of ['alice', 'bob', ...before]) expect(names.has(u), u).toBe(true);
    expect(names.has(after.at(-1) as string)).toBe(false);

    const restoredDir = tempDir();
    const restore = await runCli(['restore', file], { dataDir: restoredDir });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^restored \d+ users and 1 call from .*nightly\.sqlite into /);
    expect(restore.stdout).not.toMatch(/previous database/);

    const restored = await startChildServer({ dataDir: restoredDir });
    const alice2 = await login(restored.url, 'alice');
    expect(alice2.status).toBe(200);
    const device = await connect(restored, alice2.body as never, {}, []);
    const calls = expectOk(await device.emit('history:list', {})).calls;
    expect(calls.map((c) => [c.callId, c.outcome, c.peer.username])).toEqual([[callId, 'hangup', 'bob']]);
    expect((await login(restored.url, before[0] as string)).status).toBe(200);
  });

  it('restore refuses while a server runs on the data dir; once it is gone, it swaps the file, keeps the old one aside and drops its WAL', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    const server = await startChildServer({ dataDir });
    await register(server, 'alice');
    const file = path.join(tempDir(), 'alice-only.sqlite');
    expect((await runCli(['backup', file], { dataDir })).code).toBe(0);
    await register(server, 'bob');

    const refused = await runCli(['restore', file], { dataDir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`a parley-server \\(pid ${server.child.pid}\\) is running on .*: stop it first`));

    // Killed, not stopped: its pid file and its WAL (holding bob) stay behind.
    server.child.kill('SIGKILL');
    await exitWithin(server, 10_000);
    expect(existsSync(path.join(dataDir, `${DATABASE_FILE}-wal`))).toBe(true);

    const restore = await runCli(['restore', file], { dataDir });
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    const kept = /the previous database is kept as (\S+)/.exec(restore.stdout)?.[1] as string;
    expect(kept).toMatch(new RegExp(`${DATABASE_FILE}\\.before-restore-`));
    expect(existsSync(path.join(dataDir, `${DATABASE_FILE}-wal`))).toBe(false);
    expect(existsSync(path.join(dataDir, `${DATABASE_FILE}.restoring`))).toBe(false);
    // The copy kept aside is complete on its own: bob, from the old WAL, is in it.
    expect(inspectDatabase(kept).users).toBe(2);

    const again = await startChildServer({ dataDir });
    expect((await login(again.url, 'alice')).status).toBe(200);
    expect((await login(again.url, 'bob')).status).toBe(401);
  });

  it('restore refuses, with a clear message, a file that is missing, not SQLite, not Parley, or from a newer version, and leaves the database alone', { timeout: 90_000 }, async () => {
    const dataDir = tempDir();
    const server = await startChildServer({ dataDir });
    await register(server, 'alice');
    const good = path.join(tempDir(), 'good.sqlite');
    expect((await runCli(['backup', good], { dataDir })).code).toBe(0);
    server.child.kill('SIGTERM');
    await exitWithin(server, 15_000);

    const dir = tempDir();
    const garbage = path.join(dir, 'garbage.sqlite');
    writeFileSync(garbage, 'this is not a database, just some text that is long enough to have a header'.repeat(20));
    const other = path.join(dir, 'other-app.sqlite');
    const otherDb = new SQLite(other);
    otherDb.exec('create table notes (body text)');
    otherDb.close();
    const newer = path.join(dir, 'newer.sqlite');
    const future = new SQLite(good, { readonly: true });
    await future.backup(newer);
    future.close();
    const newerDb = new SQLite(newer);
    newerDb.prepare('insert into kysely_migration (name, timestamp) values (?, ?)').run('9999-from-the-future', new Date().toISOString());
    newerDb.close();

    const cases: [string, RegExp][] = [
      [path.join(dir, 'missing.sqlite'), /missing\.sqlite does not exist/],
      [garbage, /garbage\.sqlite is not a SQLite database/],
      [other, /other-app\.sqlite is not a Parley database \(no users, calls, account_events, kysely_migration table\)/],
      [newer, /newer\.sqlite was written by a newer parley-server \(schema 9999-from-the-future\): upgrade parley-server first/],
    ];
    for (const [file, message] of cases) {
      const res = await runCli(['restore', file], { dataDir });
      expect(res.code, file).toBe(1);
      expect(res.stderr, file).toMatch(message);
      expect(res.stdout, file).toBe('');
    }
    expect(readdirSync(dataDir).filter((f) => f.startsWith(DATABASE_FILE)).sort()).toEqual([DATABASE_FILE]);
    expect(inspectDatabase(path.join(dataDir, DATABASE_FILE)).users).toBe(1);

    const usage = await runCli(['restore'], { dataDir });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/restore: which file\?/);
  });

  it('with PARLEY_DATABASE_URL set, backup and restore point to pg_dump and pg_restore and exit non-zero', async () => {
    const env = { PARLEY_DATABASE_URL: 'postgres://parley:secret@127.0.0.1:1/parley' };
    for (const command of ['backup', 'restore']) {
      const res = await runCli([command, path.join(tempDir(), 'x.sqlite')], { dataDir: tempDir(), env });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(new RegExp(`${command} works on the SQLite store; .*use pg_dump and pg_restore`));
      expect(res.stderr).not.toMatch(/secret/);
    }
  });
});
