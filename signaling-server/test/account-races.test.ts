/**
 * Admin commands changing one account at the same moment, as real
 * `parley-server user` processes on one store: a PostgreSQL cluster of this
 * test's own (always, so it runs in every configuration), and the SQLite
 * file. The test holds the account's row (or SQLite's write lock) while the
 * commands start, so they really meet there: both password changes count
 * (the token version goes up by two and each change revokes what it made
 * old), and a password change that loses to a removal says the user is gone.
 * And on PostgreSQL a change can commit after a later-numbered one was read:
 * the running server still acts on it.
 */
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../src/auth/tokens.js';
import { DATABASE_FILE } from '../src/db/database.js';
import type { LoginResponse } from '../src/protocol/index.js';
import { connectError, disconnected, runCli, type CliResult } from './cli-helpers.js';
import { connect, openSocket, postJson, register, serverTokenSecret, startTestServer, tempDir } from './harness.js';
import { postgresMissing, startPostgres, type PostgresServer } from './postgres-server.js';
import { sqliteFileOnly } from './test-stores.js';

const missing = postgresMissing();
if (missing) process.stdout.write(`account-races.test.ts: the PostgreSQL part is skipped: ${missing}\n`);

const passwd = (dataDir: string, username: string, password: string, env: Record<string, string> = {}) =>
  runCli(['user', 'passwd', username], { dataDir, env, stdin: `${password}\n`, timeoutMs: 60_000 });

describe.skipIf(missing !== undefined)('account changes racing on PostgreSQL', () => {
  let cluster: PostgresServer;
  let n = 0;
  const admin = async <T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await fn(c);
    } finally {
      await c.end();
    }
  };
  const database = async () => {
    const name = `races_${++n}`;
    await admin(cluster.url(), (c) => c.query(`create database ${name}`));
    return cluster.url(name);
  };
  /** Holds `username`'s row (SELECT … FOR UPDATE in an open transaction) until release(). */
  const holdRow = async (url: string, username: string) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query('begin');
    await c.query('select id from users where username = $1 for update', [username]);
    return {
      release: async () => {
        await c.query('commit');
        await c.end();
      },
    };
  };
  /** Resolves once `count` sessions of that database wait for a lock. */
  const waitingOnLocks = (url: string, count: number) =>
    expect
      .poll(
        () =>
          admin(url, async (c) => {
            const r = await c.query<{ n: string }>(`select count(*) as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
            return Number(r.rows[0]?.n);
          }),
        { timeout: 45_000, interval: 100 },
      )
      .toBe(count);
  const events = (url: string, username: string) =>
    admin(url, async (c) => (await c.query<{ kind: string; min_version: number }>('select kind, min_version from account_events where username = $1 order by seq', [username])).rows);

  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster.destroy();
  }, 60_000);

  it('two `user passwd` at the same moment: both bumps count, each revokes what it made old, and every older token is refused', { timeout: 120_000 }, async () => {
    const url = await database();
    const dataDir = tempDir();
    const env = { PARLEY_DATABASE_URL: url };
    const server = await startTestServer({ dataDir, databaseUrl: url }, { accountPollMs: 60_000 });
    const login = await register(server, 'alice');
    const device = await connect(server, login, {}, []);

    const row = await holdRow(url, 'alice');
    const first = passwd(dataDir, 'alice', 'first new password', env);
    const second = passwd(dataDir, 'alice', 'second new password', env);
    // Both have read what they read and now wait for the row.
    await waitingOnLocks(url, 2);
    await row.release();
    const results: CliResult[] = await Promise.all([first, second]);
    for (const r of results) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('password changed for alice');
    }

    const version = await admin(url, async (c) => (await c.query<{ token_version: number }>(`select token_version from users where username = 'alice'`)).rows[0]?.token_version);
    expect(version).toBe(2);
    // Each change revokes the tokens older than the version it made: a sign-in
    // between the two (on version 1) is revoked by the second.
    expect((await events(url, 'alice')).map((e) => [e.kind, e.min_version])).toEqual([
      ['created', 0],
      ['password-changed', 1],
      ['password-changed', 2],
    ]);

    // The live session on the first token is revoked; tokens of version 0 and 1 are refused.
    await server.revocations.poll();
    await disconnected(device.socket);
    expect(device.events('session:revoked')).toEqual([{ reason: 'password-changed' }]);
    const tokens = new TokenService(await serverTokenSecret(server), 3600);
    const userId = await admin(url, async (c) => (await c.query<{ id: string }>(`select id from users where username = 'alice'`)).rows[0]?.id ?? '');
    for (const v of [0, 1]) {
      const { token } = await tokens.issue({ userId, username: 'alice', version: v });
      expect((await connectError(openSocket(server.url, { token }))).message).toBe('This sign-in was revoked: sign in again');
    }
    // The password of whichever change came last is the one that works.
    const attempts = await Promise.all(
      ['first new password', 'second new password'].map((password) => postJson(`${server.url}/api/login`, { username: 'alice', password })),
    );
    expect(attempts.map((a) => a.status).sort()).toEqual([200, 401]);
    const fresh = attempts.find((a) => a.status === 200)?.body as unknown as LoginResponse;
    expect((await connect(server, fresh, {}, [])).socket.connected).toBe(true);
  });

  it('`user passwd` losing the race to `user remove`: it says the user is gone, and only the removal is recorded after the registration', { timeout: 120_000 }, async () => {
    const url = await database();
    const dataDir = tempDir();
    const env = { PARLEY_DATABASE_URL: url };
    const server = await startTestServer({ dataDir, databaseUrl: url }, { accountPollMs: 60_000 });
    await register(server, 'bob');

    const row = await holdRow(url, 'bob');
    const remove = runCli(['user', 'remove', 'bob'], { dataDir, env, timeoutMs: 60_000 });
    await waitingOnLocks(url, 1);
    const change = passwd(dataDir, 'bob', 'a new password', env);
    await waitingOnLocks(url, 2);
    await row.release();
    const [removed, changed] = await Promise.all([remove, change]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(changed.code).toBe(1);
    expect(changed.stderr).toBe('parley-server: no user "bob"\n');
    expect((await events(url, 'bob')).map((e) => e.kind)).toEqual(['created', 'removed']);
  });

  it('a change numbered before another but committed after it is still acted on', { timeout: 120_000 }, async () => {
    const url = await database();
    const dataDir = tempDir();
    const server = await startTestServer({ dataDir, databaseUrl: url }, { accountPollMs: 60_000 });
    const alice = await connect(server, await register(server, 'alice'), {}, []);
    const bob = await connect(server, await register(server, 'bob'), {}, []);

    // An admin change of alice's takes its event number, then is slow to commit (a stalled
    // connection, a pause): the same statements as UserRepository.setPassword makes.
    const slow = new pg.Client({ connectionString: url });
    await slow.connect();
    await slow.query('begin');
    const { rows } = await slow.query<{ id: string; token_version: number }>(
      `update users set token_version = token_version + 1 where username = 'alice' returning id, token_version`,
    );
    const [changed] = rows;
    await slow.query(`insert into account_events (username, user_id, min_version, kind, at) values ('alice', $1, $2, 'password-changed', $3)`, [
      changed?.id,
      changed?.token_version,
      Date.now(),
    ]);
    // Meanwhile bob's password is changed, committed, and acted on.
    expect((await passwd(dataDir, 'bob', 'a new password', { PARLEY_DATABASE_URL: url })).code).toBe(0);
    await server.revocations.poll();
    await disconnected(bob.socket);
    expect(alice.socket.connected).toBe(true);

    await slow.query('commit');
    await slow.end();
    await server.revocations.poll();
    await disconnected(alice.socket);
    expect(alice.events('session:revoked')).toEqual([{ reason: 'password-changed' }]);
  });
});

describe('account changes racing on the SQLite file', () => {
  it('two `user passwd` at the same moment: both succeed and both bumps count', { timeout: 120_000 }, async () => {
    if (sqliteFileOnly('concurrent admin commands on the SQLite file')) return;
    const dataDir = tempDir();
    const add = await runCli(['user', 'add', 'alice'], { dataDir, stdin: 'alice-password\n' });
    expect(add.code, add.stderr).toBe(0);

    // The test holds the write lock while both commands start, so both wait for it.
    const file = new SQLite(path.join(dataDir, DATABASE_FILE));
    file.exec('begin immediate');
    const both = Promise.all([passwd(dataDir, 'alice', 'first new password'), passwd(dataDir, 'alice', 'second new password')]);
    await new Promise((r) => setTimeout(r, 2000));
    file.exec('commit');
    for (const r of await both) expect(r.code, r.stderr).toBe(0);

    expect(file.prepare(`select token_version from users where username = 'alice'`).get()).toEqual({ token_version: 2 });
    expect(file.prepare(`select kind, min_version from account_events where username = 'alice' order by seq`).all()).toEqual([
      { kind: 'created', min_version: 0 },
      { kind: 'password-changed', min_version: 1 },
      { kind: 'password-changed', min_version: 2 },
    ]);
    file.close();
  });
});
