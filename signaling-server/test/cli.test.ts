import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../src/config.js';
import type { LoginResponse } from '../src/protocol/index.js';
import { VERSION } from '../src/version.js';
import { connectError, disconnected, runCli, startChildServer, type ChildServer } from './cli-helpers.js';
import { connect, openSocket, postJson, register, settle, startTestServer, tempDir } from './harness.js';

/** For tests that run the binary many times: each run starts a Node process. */
const SLOW = 60_000;

const USER_COMMANDS = ['user add', 'user list', 'user rename', 'user passwd', 'user disable', 'user enable', 'user remove'];

async function addUser(dataDir: string, username: string, password: string, displayName?: string) {
  const args = ['user', 'add', username, ...(displayName === undefined ? [] : ['--display-name', displayName])];
  return runCli(args, { dataDir, stdin: `${password}\n` });
}

async function listUsers(dataDir: string): Promise<string[][]> {
  const res = await runCli(['user', 'list'], { dataDir });
  expect(res.code, res.stderr).toBe(0);
  return res.stdout
    .trim()
    .split('\n')
    .filter((l) => l.includes('\t'))
    .map((l) => l.split('\t'));
}

async function login(url: string, username: string, password: string) {
  return postJson(`${url}/api/login`, { username, password });
}

describe('parley-server --help and settings', () => {
  it('--help lists every setting and every user command, and exits 0', async () => {
    const res = await runCli(['--help'], { dataDir: tempDir() });
    expect(res.code).toBe(0);
    expect(res.stderr).toBe('');
    for (const s of SETTINGS) {
      expect(res.stdout, s.env).toContain(s.env);
      expect(res.stdout, s.flag).toContain(s.flag);
    }
    for (const c of USER_COMMANDS) expect(res.stdout).toContain(c);
    expect(res.stdout).toContain('parley-server backup FILE');
    expect(res.stdout).toContain('parley-server restore FILE');
    expect(res.stdout).toContain('--display-name');
    expect(res.stdout).toContain(VERSION);
    const short = await runCli(['-h'], { dataDir: tempDir() });
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(res.stdout);
  });

  it('--version prints the version and exits 0', async () => {
    const res = await runCli(['--version'], { dataDir: tempDir() });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(VERSION);
  });

  it('a bad setting in the environment exits 2 naming the setting', async () => {
    const res = await runCli([], { dataDir: tempDir(), env: { PARLEY_PORT: 'abc' } });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('PARLEY_PORT');
    expect(res.stderr).toContain('--port');
    expect(res.stderr).toContain('"abc"');
    expect(res.stdout).toBe('');
  });

  it('a bad setting given as a flag exits 2 naming the setting', async () => {
    const res = await runCli(['--log-level', 'loud'], { dataDir: tempDir() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('PARLEY_LOG_LEVEL');
    expect(res.stderr).toContain('--log-level');
    const cross = await runCli([], { dataDir: tempDir(), env: { PARLEY_REGISTRATION: 'invite' } });
    expect(cross.code).toBe(2);
    expect(cross.stderr).toContain('PARLEY_INVITE_CODE');
  });

  it('an unknown argument exits 2 and points at --help', async () => {
    const res = await runCli(['serve-now'], { dataDir: tempDir() });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('serve-now');
    expect(res.stderr).toContain('--help');
    const sub = await runCli(['user', 'frobnicate', 'alice'], { dataDir: tempDir() });
    expect(sub.code).toBe(2);
    expect(sub.stderr).toContain('frobnicate');
    const none = await runCli(['user'], { dataDir: tempDir() });
    expect(none.code).toBe(2);
  });
});

/** The lines of stdout that are not JSON log lines, once the first has come. */
async function linesForPeople(server: ChildServer): Promise<string[]> {
  const plain = () => server.stdout().split('\n').filter((l) => l.trim() !== '' && !l.startsWith('{'));
  for (let waited = 0; plain().length === 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  return plain();
}

describe('parley-server serving: one line for people besides the JSON log', () => {
  it('with a web client (npm run web): where to open it, after the log lines', async () => {
    const webRoot = path.join(tempDir(), 'web');
    mkdirSync(webRoot);
    writeFileSync(path.join(webRoot, 'index.html'), '<!doctype html><title>Parley</title>');
    const server = await startChildServer({ dataDir: tempDir(), env: { PARLEY_WEB_ROOT: webRoot } });
    expect(await linesForPeople(server)).toEqual([`Parley is running: open ${server.url} in a browser`]);
    expect(server.stdout().trimEnd().split('\n').at(-1)).toBe(`Parley is running: open ${server.url} in a browser`);
    const page = await fetch(server.url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>Parley</title>');
    expect(server.stderr()).toBe('');
  });

  it('without one: the address for the app, and that no web client is served', async () => {
    const server = await startChildServer({ dataDir: tempDir() });
    expect(await linesForPeople(server)).toEqual([
      `Parley's signaling server is running: enter ${server.url} in the app's Server field (no web client here: PARLEY_WEB_ROOT is not set)`,
    ]);
  });

  it('names the public address when PARLEY_PUBLIC_URL gives one', async () => {
    const server = await startChildServer({ dataDir: tempDir(), env: { PARLEY_PUBLIC_URL: 'https://parley.example.com' } });
    expect((await linesForPeople(server))[0]).toContain('enter https://parley.example.com in');
  });
});

describe('parley-server user', () => {
  it('adds a user with the password from stdin and lists it', async () => {
    const dataDir = tempDir();
    const empty = await runCli(['user', 'list'], { dataDir });
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('no users yet');

    const res = await addUser(dataDir, 'alice', 'alice-secret-1', 'Alice Liddell');
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('added alice (Alice Liddell)');
    expect(res.stdout).not.toContain('alice-secret-1');
    const plain = await addUser(dataDir, 'bob', 'bob-secret-12');
    expect(plain.code, plain.stderr).toBe(0);

    const rows = await listUsers(dataDir);
    expect(rows).toEqual([
      ['alice', 'Alice Liddell', 'active'],
      ['bob', 'bob', 'active'],
    ]);
  });

  it('refuses to add a username that is taken, and keeps the first account', async () => {
    const dataDir = tempDir();
    expect((await addUser(dataDir, 'alice', 'alice-secret-1', 'Alice Liddell')).code).toBe(0);
    const dup = await addUser(dataDir, 'alice', 'other-secret-2', 'Impostor');
    expect(dup.code).not.toBe(0);
    expect(dup.stderr).toContain('alice');
    expect(dup.stderr).toMatch(/taken/);
    expect(await listUsers(dataDir)).toEqual([['alice', 'Alice Liddell', 'active']]);

    const server = await startTestServer({ dataDir });
    expect((await login(server.url, 'alice', 'alice-secret-1')).status).toBe(200);
    expect((await login(server.url, 'alice', 'other-secret-2')).status).toBe(401);
  });

  it('refuses an invalid username, a short or missing password, and a too long display name', async () => {
    const dataDir = tempDir();
    for (const bad of ['Alice', 'a', 'alice!']) {
      const res = await addUser(dataDir, bad, 'long-enough-pw');
      expect(res.code, bad).toBe(2);
      expect(res.stderr, bad).toContain('username');
    }
    const short = await addUser(dataDir, 'alice', 'short');
    expect(short.code).toBe(2);
    expect(short.stderr).toContain('password');
    expect(short.stderr).toContain('8');
    const none = await runCli(['user', 'add', 'alice'], { dataDir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('password');
    const longName = await addUser(dataDir, 'alice', 'long-enough-pw', 'A'.repeat(65));
    expect(longName.code).toBe(2);
    expect(longName.stderr).toContain('display name');
    const noName = await runCli(['user', 'add'], { dataDir });
    expect(noName.code).toBe(2);
    expect(await listUsers(dataDir)).toEqual([]);
  }, SLOW);

  it('refuses an unknown option with a usage message (exit 2), not a crash', async () => {
    const dataDir = tempDir();
    const res = await runCli(['user', 'add', 'alice', '--displayname', 'Alice'], { dataDir, stdin: 'long-enough-pw\n' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--displayname');
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(await listUsers(dataDir)).toEqual([]);
  });

  it('rename changes the display name as listed; it needs a valid --display-name', async () => {
    const dataDir = tempDir();
    expect((await addUser(dataDir, 'alice', 'alice-secret-1', 'Alice Liddell')).code).toBe(0);
    const res = await runCli(['user', 'rename', 'alice', '--display-name', '  Alice Hargreaves '], { dataDir });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('renamed alice to Alice Hargreaves');
    expect(await listUsers(dataDir)).toEqual([['alice', 'Alice Hargreaves', 'active']]);
    for (const args of [['alice'], ['alice', '--display-name', ' '], ['alice', '--display-name', 'A'.repeat(65)]]) {
      const bad = await runCli(['user', 'rename', ...args], { dataDir });
      expect(bad.code, args.join(' ')).toBe(2);
      expect(bad.stderr, args.join(' ')).toMatch(/display.name/);
    }
    expect(await listUsers(dataDir)).toEqual([['alice', 'Alice Hargreaves', 'active']]);
  }, SLOW);

  it('passwd, disable, enable and remove report a missing user with a non-zero exit', async () => {
    const dataDir = tempDir();
    expect((await addUser(dataDir, 'alice', 'alice-secret-1')).code).toBe(0);
    for (const command of ['passwd', 'disable', 'enable', 'remove']) {
      const res = await runCli(['user', command, 'ghost'], { dataDir, stdin: 'ghost-password-1\n' });
      expect(res.code, command).not.toBe(0);
      expect(res.stderr, command).toContain('no user "ghost"');
      // A usage error is told before the store is opened: even with no database to reach.
      const missingName = await runCli(['user', command], { dataDir, env: { PARLEY_DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' } });
      expect(missingName.code, `${command} without a name`).toBe(2);
      expect(missingName.stderr, `${command} without a name`).toContain(`user ${command}: which user?`);
    }
    expect(await listUsers(dataDir)).toEqual([['alice', 'alice', 'active']]);
  }, SLOW);

  it('disable, enable and remove change the account as listed and as seen by a server started afterwards', async () => {
    const dataDir = tempDir();
    expect((await addUser(dataDir, 'alice', 'alice-secret-1', 'Alice Liddell')).code).toBe(0);
    expect((await addUser(dataDir, 'bob', 'bob-secret-12', 'Bob')).code).toBe(0);

    const disable = await runCli(['user', 'disable', 'alice'], { dataDir });
    expect(disable.code, disable.stderr).toBe(0);
    expect(disable.stdout).toContain('disabled alice');
    expect(await listUsers(dataDir)).toEqual([
      ['alice', 'Alice Liddell', 'disabled'],
      ['bob', 'Bob', 'active'],
    ]);
    let server = await startTestServer({ dataDir });
    const refused = await login(server.url, 'alice', 'alice-secret-1');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('account_disabled');
    await server.close();

    const enable = await runCli(['user', 'enable', 'alice'], { dataDir });
    expect(enable.code, enable.stderr).toBe(0);
    expect(enable.stdout).toContain('enabled alice');
    expect((await listUsers(dataDir))[0]).toEqual(['alice', 'Alice Liddell', 'active']);
    server = await startTestServer({ dataDir });
    expect((await login(server.url, 'alice', 'alice-secret-1')).status).toBe(200);
    await server.close();

    const remove = await runCli(['user', 'remove', 'alice'], { dataDir });
    expect(remove.code, remove.stderr).toBe(0);
    expect(remove.stdout).toContain('removed alice');
    expect(await listUsers(dataDir)).toEqual([['bob', 'Bob', 'active']]);
    server = await startTestServer({ dataDir });
    expect((await login(server.url, 'alice', 'alice-secret-1')).status).toBe(401);
    expect((await login(server.url, 'bob', 'bob-secret-12')).status).toBe(200);
    const again = await runCli(['user', 'remove', 'alice'], { dataDir });
    expect(again.code).toBe(1);
  }, SLOW);

  it('a user added by the CLI signs in over HTTP and connects to a server started afterwards', async () => {
    const dataDir = tempDir();
    expect((await addUser(dataDir, 'alice', 'alice-secret-1', 'Alice Liddell')).code).toBe(0);
    const server = await startTestServer({ dataDir });
    const res = await login(server.url, 'alice', 'alice-secret-1');
    expect(res.status).toBe(200);
    const body = res.body as unknown as LoginResponse;
    expect(body.user).toEqual({ username: 'alice', displayName: 'Alice Liddell' });
    expect(typeof body.token).toBe('string');
    const alice = await connect(server, body);
    expect(alice.ready.user).toEqual({ username: 'alice', displayName: 'Alice Liddell' });
    expect((await login(server.url, 'alice', 'wrong-password')).status).toBe(401);
  });

  it('passwd sets a new password: the old one fails, the new one works', async () => {
    const dataDir = tempDir();
    expect((await addUser(dataDir, 'alice', 'old-password-1')).code).toBe(0);
    const short = await runCli(['user', 'passwd', 'alice'], { dataDir, stdin: 'short\n' });
    expect(short.code).toBe(2);
    const res = await runCli(['user', 'passwd', 'alice'], { dataDir, stdin: 'new-password-2\n' });
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('password changed for alice');
    expect(res.stdout).not.toContain('new-password-2');

    const server = await startTestServer({ dataDir });
    const old = await login(server.url, 'alice', 'old-password-1');
    expect(old.status).toBe(401);
    expect(old.body.code).toBe('invalid_credentials');
    const fresh = await login(server.url, 'alice', 'new-password-2');
    expect(fresh.status).toBe(200);
  });

  it('enable on an account that is not disabled leaves its sign-ins valid', async () => {
    const server = await startTestServer();
    const login1 = await register(server, 'alice');
    const res = await runCli(['user', 'enable', 'alice'], { dataDir: server.dataDir });
    expect(res.code, res.stderr).toBe(0);
    // Nothing was revoked, so the token from before still connects.
    const socket = openSocket(server.url, { token: login1.token });
    const outcome = await new Promise<string>((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('connect_error', (err) => resolve(`refused: ${err.message}`));
    });
    expect(outcome).toBe('connected');
  });
});

describe('revoking live sessions from the CLI', () => {
  async function liveServer() {
    const server = await startTestServer(); // polls account changes every 100 ms
    const aliceLogin = await register(server, 'alice');
    const bobLogin = await register(server, 'bob');
    const alice = await connect(server, aliceLogin);
    const bob = await connect(server, bobLogin);
    return { server, aliceLogin, alice, bob };
  }

  it('user disable: the device gets session:revoked "disabled", is disconnected, and the token is refused', async () => {
    const { server, aliceLogin, alice, bob } = await liveServer();

    const res = await runCli(['user', 'disable', 'alice'], { dataDir: server.dataDir });
    expect(res.code, res.stderr).toBe(0);
    // Waited for from the command's exit: starting a process on a busy machine can take seconds.
    expect(await alice.next('session:revoked')).toEqual({ reason: 'disabled' });
    await disconnected(alice.socket);
    expect(alice.socket.connected).toBe(false);

    // Others keep their session.
    await settle(bob);
    expect(bob.socket.connected).toBe(true);
    expect(bob.events('session:revoked')).toEqual([]);

    const err = await connectError(openSocket(server.url, { token: aliceLogin.token }));
    expect(err.data?.code).toBe('account_disabled');
  });

  it('user remove: the device gets session:revoked "removed", is disconnected, and the token is refused', async () => {
    const { server, aliceLogin, alice, bob } = await liveServer();

    const res = await runCli(['user', 'remove', 'alice'], { dataDir: server.dataDir });
    expect(res.code, res.stderr).toBe(0);
    expect(await alice.next('session:revoked')).toEqual({ reason: 'removed' });
    await disconnected(alice.socket);
    await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'offline');
    expect(bob.socket.connected).toBe(true);

    const err = await connectError(openSocket(server.url, { token: aliceLogin.token }));
    expect(err.data?.code).toBe('unauthorized');
    expect((await login(server.url, 'alice', 'alice-password')).status).toBe(401);
  });

  it('user passwd: every device gets session:revoked "password-changed", is disconnected, and the old token is refused', async () => {
    const { server, aliceLogin, alice, bob } = await liveServer();
    const phone = await connect(server, aliceLogin); // a second device of alice

    const res = await runCli(['user', 'passwd', 'alice'], { dataDir: server.dataDir, stdin: 'brand-new-password\n' });
    expect(res.code, res.stderr).toBe(0);
    expect(await Promise.all([alice, phone].map((d) => d.next('session:revoked')))).toEqual([{ reason: 'password-changed' }, { reason: 'password-changed' }]);
    await Promise.all([disconnected(alice.socket), disconnected(phone.socket)]);
    await settle(bob);
    expect(bob.socket.connected).toBe(true);

    const err = await connectError(openSocket(server.url, { token: aliceLogin.token }));
    expect(err.data?.code).toBe('unauthorized');
    // Signing in again with the new password gives a token that works.
    expect((await login(server.url, 'alice', 'alice-password')).status).toBe(401);
    const fresh = await login(server.url, 'alice', 'brand-new-password');
    expect(fresh.status).toBe(200);
    const back = await connect(server, fresh.body as unknown as LoginResponse);
    expect(back.ready.user.username).toBe('alice');
  });
});
