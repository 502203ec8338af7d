/**
 * PostgreSQL going away and coming back, on a cluster of this test's own
 * (stopped and started mid-test, so it runs in every configuration): the
 * node keeps running, /healthz fails naming the database, every request that
 * needs it is answered `unavailable` (HTTP 503), calls already decided still
 * end for both sides, and everything works again once PostgreSQL is back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectError, runCli, startChildServer } from './cli-helpers.js';
import { connect, establishCall, expectOk, openSocket, postJson, register, startTestServer, tempDir } from './harness.js';
import { postgresMissing, startPostgres, type PostgresServer } from './postgres-server.js';

const missing = postgresMissing();
if (missing) process.stdout.write(`postgres-outage.test.ts skipped: ${missing}\n`);

/** Waits (bounded) for the node to find PostgreSQL again: recovery, not speed, is what is checked. */
async function healthyAgain(url: string, withinMs = 30_000): Promise<Response> {
  const until = Date.now() + withinMs;
  for (;;) {
    const res = await fetch(`${url}/healthz`);
    if (res.status === 200 || Date.now() > until) return res;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe.skipIf(missing !== undefined)('while PostgreSQL is down', () => {
  let cluster: PostgresServer;
  let n = 0;
  /** A fresh database on the test's cluster. */
  const database = async () => {
    const name = `outage_${++n}`;
    const admin = new pg.Client({ connectionString: cluster.url() });
    await admin.connect();
    try {
      await admin.query(`create database ${name}`);
    } finally {
      await admin.end();
    }
    return cluster.url(name);
  };

  beforeAll(async () => {
    cluster = await startPostgres();
  }, 120_000);
  afterAll(async () => {
    await cluster.destroy();
  }, 60_000);

  it('the node answers unavailable (503), fails /healthz naming the database, and recovers when it is back', { timeout: 120_000 }, async () => {
    const server = await startTestServer({ databaseUrl: await database() });
    const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob') };
    const alice = await connect(server, logins.alice);
    const bob = await connect(server, logins.bob);
    const callId = await establishCall(alice, bob);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    await cluster.stop();

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'error', down: ['database'] });
    // Nothing that needs the database half-works.
    const login = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' });
    expect(login).toMatchObject({ status: 503, body: { code: 'unavailable' } });
    expect(String(login.body.message)).toMatch(/database/);
    const signUp = await postJson(`${server.url}/api/register`, { username: 'carol', password: 'carol-password', displayName: 'Carol' });
    expect(signUp).toMatchObject({ status: 503, body: { code: 'unavailable' } });
    const history = await alice.emit('history:list', {});
    expect(history).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await alice.emit('directory:list', {})).toMatchObject({ ok: false, code: 'unavailable' });
    // A new connection is refused with a code the app retries on, not dropped.
    const refused = await connectError(openSocket(server.url, { token: logins.bob.token }));
    expect(refused.data?.code).toBe('unavailable');
    // What needs no database still works: the answered call ends for both sides.
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await alice.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'hangup' });
    expect((await fetch(`${server.url}/api/info`)).status).toBe(200);

    await cluster.start();

    expect((await healthyAgain(server.url)).status).toBe(200);
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' })).status).toBe(200);
    expect(expectOk(await alice.emit('history:list', {})).calls.map((c) => c.callId)).toEqual([callId]);
    const bobAgain = await connect(server, logins.bob);
    expect(bobAgain.ready.user.username).toBe('bob');
    const carol = await postJson(`${server.url}/api/register`, { username: 'carol', password: 'carol-password', displayName: 'Carol' });
    expect(carol.status).toBe(201);
  });

  it('the parley-server process survives the outage (no unhandled pool errors) and serves again afterwards', { timeout: 120_000 }, async () => {
    const url = await database();
    const env = { PARLEY_DATABASE_URL: url };
    const server = await startChildServer({ dataDir: tempDir(), env });
    const login = await register(server, 'alice');
    // Connections in the pool, idle and in use, when PostgreSQL shuts down.
    await connect(server, login, {}, []);
    await cluster.stop();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(503);
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' })).status).toBe(503);

    // Admin commands and a new node say where they could not connect, without the password.
    const password = new URL(url).password;
    const list = await runCli(['user', 'list'], { dataDir: tempDir(), env });
    expect(list.code).toBe(1);
    expect(list.stderr).toMatch(/^parley-server: cannot reach PostgreSQL at postgres:\/\/parley:\*\*\*@127\.0\.0\.1:\d+\/outage_\d+: /);
    expect(list.stderr).not.toContain(password);
    const refused = await startChildServer({ dataDir: tempDir(), env }).then(
      () => 'started',
      (err: unknown) => String(err),
    );
    expect(refused).toMatch(/exited before listening \(code 1\)[\s\S]*cannot reach PostgreSQL at postgres:\/\/parley:\*\*\*@/);
    expect(refused).not.toContain(password);

    await cluster.start();
    expect((await healthyAgain(server.url)).status).toBe(200);
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' })).status).toBe(200);
    expect(server.child.exitCode).toBe(null);
    expect(server.stderr()).toBe('');
    // Errors were logged as such, and never as a crash.
    expect(server.logs().filter((l) => l.level >= 60)).toEqual([]);
    expect(server.logs().map((l) => l.msg)).toContain('PostgreSQL connection lost');
  });
});
