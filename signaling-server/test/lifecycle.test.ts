import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SECRET_FILE } from '../src/auth/tokens.js';
import { DATABASE_FILE } from '../src/db/database.js';
import type { IceServer, LoginResponse } from '../src/protocol/index.js';
import { VERSION } from '../src/version.js';
import { CHILD_SERVER_TEST, connectError, disconnected, exitWithin, startChildServer } from './cli-helpers.js';
import { connect, establishCall, expectOk, openSocket, postJson, register, settle, startTestServer, team, tempDir } from './harness.js';
import { onPostgres } from './test-stores.js';

const audio = { audio: true, video: false };
/** Generous: the server gives itself 5 s and then exits with code 1, so code 0 means it made its own deadline. */
const EXIT_BOUND_MS = 15_000;

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('graceful shutdown of the parley-server process', () => {
  it('SIGTERM tells clients, keeps their answered call for them to resume, disconnects them, and exits 0', CHILD_SERVER_TEST, async () => {
    const dataDir = tempDir();
    const server = await startChildServer({ dataDir });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);

    const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob') };
    const alice = await connect(server, logins.alice, { device: 'alice-device-0001' });
    const bob = await connect(server, logins.bob, { device: 'bob-device-00001' });
    const callId = await establishCall(alice, bob);
    const closing = [alice.next('server:closing'), bob.next('server:closing')];
    const gone = [disconnected(alice.socket), disconnected(bob.socket)];

    expect(server.child.kill('SIGTERM')).toBe(true);
    expect(await Promise.all(closing)).toEqual([{ reason: 'shutdown' }, { reason: 'shutdown' }]);
    // A transport close, not a Socket.IO disconnect: clients reconnect by themselves.
    expect(await Promise.all(gone)).toEqual(['transport close', 'transport close']);
    // The media of an answered call is peer to peer: the restart does not end it.
    expect(alice.events('call:ended')).toEqual([]);
    expect(bob.events('call:ended')).toEqual([]);

    const exit = await exitWithin(server, EXIT_BOUND_MS);
    expect(exit, server.stderr()).toEqual({ code: 0, signal: null });
    const messages = server.logs().map((l) => l.msg);
    expect(messages).toContain('signal received');
    expect(messages).toContain('stopped');
    expect(messages).not.toContain('shutdown took too long: exiting');
    expect(server.stderr()).toBe('');

    // A new server on the same data dir: the old tokens work, and both sides
    // claim the call back.
    const second = await startTestServer({ dataDir });
    const alice2 = await connect(second, logins.alice, { device: 'alice-device-0001' });
    const bob2 = await connect(second, logins.bob, { device: 'bob-device-00001' });
    expect(expectOk(await alice2.emit('call:resume', { callId })).state).toBe('waiting');
    expect(expectOk(await bob2.emit('call:resume', { callId })).state).toBe('active');
    expectOk(await bob2.emit('call:hangup', { callId }));
    expect(await alice2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    const calls = expectOk(await alice2.emit('history:list', {})).calls;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ callId, direction: 'outgoing', peer: { username: 'bob' }, outcome: 'hangup' });
  });

  it('SIGINT stops the server the same way and exits 0', CHILD_SERVER_TEST, async () => {
    const dataDir = tempDir();
    const server = await startChildServer({ dataDir });
    const { alice, bob } = await team(server, 'alice', 'bob');
    // A call still ringing is ended too.
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming', (p) => p.callId === callId);
    const closing = alice.next('server:closing');
    const ended = bob.next('call:ended', (p) => p.callId === callId);
    const gone = disconnected(alice.socket);

    expect(server.child.kill('SIGINT')).toBe(true);
    expect(await closing).toEqual({ reason: 'shutdown' });
    expect(await ended).toEqual({ callId, reason: 'failed' });
    await gone;
    expect(await exitWithin(server, EXIT_BOUND_MS)).toEqual({ code: 0, signal: null });
    expect(server.logs().find((l) => l.msg === 'signal received')?.signal).toBe('SIGINT');
  });

  it('an idle server exits 0 on SIGTERM and refuses connections afterwards', CHILD_SERVER_TEST, async () => {
    const server = await startChildServer({ dataDir: tempDir() });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    server.child.kill('SIGTERM');
    expect(await exitWithin(server, EXIT_BOUND_MS)).toEqual({ code: 0, signal: null });
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('persistence across restarts', () => {
  it('users, history and the token secret written by one server are used by the next', async () => {
    const dataDir = path.join(tempDir(), 'nested', 'data'); // created by the server
    const first = await startTestServer({ dataDir });
    const secretFile = path.join(dataDir, SECRET_FILE);
    // The files are SQLite's: on PostgreSQL the database holds the data and the token key.
    const secret = onPostgres ? undefined : readFileSync(secretFile, 'utf8');
    if (onPostgres) {
      expect(existsSync(secretFile)).toBe(false);
    } else {
      expect(modeOf(dataDir)).toBe(0o700);
      expect(existsSync(path.join(dataDir, DATABASE_FILE))).toBe(true);
      expect(modeOf(secretFile)).toBe(0o600);
      expect(secret?.trim().length).toBeGreaterThanOrEqual(32);
    }

    const { alice, bob, logins } = await team(first, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:mute', { callId, muted: true }));
    expectOk(await bob.emit('call:hangup', { callId }));
    await alice.next('call:ended', (p) => p.callId === callId);
    // A second call refused at once (bob is away on do-not-disturb).
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'dnd');
    const dnd = await alice.emit('call:invite', { to: 'bob', media: { audio: true, video: true } });
    expect(dnd.ok).toBe(false);
    const before = expectOk(await alice.emit('history:list', {})).calls;
    expect(before.map((c) => c.outcome)).toEqual(['dnd', 'hangup']);
    await first.close();

    // Someone loosened the secret's mode between runs: the next start tightens it.
    if (!onPostgres) chmodSync(secretFile, 0o644);
    const second = await startTestServer({ dataDir });
    if (!onPostgres) {
      expect(readFileSync(secretFile, 'utf8')).toBe(secret);
      expect(modeOf(secretFile)).toBe(0o600);
    }

    // Tokens issued by the first server still connect.
    const alice2 = await connect(second, logins.alice);
    expect(alice2.ready.user).toEqual({ username: 'alice', displayName: 'Alice' });
    expect(expectOk(await alice2.emit('history:list', {})).calls).toEqual(before);
    const bob2 = await connect(second, logins.bob);
    const theirs = expectOk(await bob2.emit('history:list', {})).calls;
    expect(theirs.map((c) => [c.callId === callId, c.direction, c.outcome])).toEqual([
      [false, 'incoming', 'dnd'],
      [true, 'incoming', 'hangup'],
    ]);
    // The directory and the accounts are there.
    const dir = expectOk(await alice2.emit('directory:list', {})).users;
    expect(dir).toEqual([{ username: 'bob', displayName: 'Bob', status: 'available' }]);
    const signIn = await postJson(`${second.url}/api/login`, { username: 'bob', password: 'bob-password' });
    expect(signIn.status).toBe(200);
    expect((signIn.body as unknown as LoginResponse).user).toEqual({ username: 'bob', displayName: 'Bob' });
    const taken = await postJson(`${second.url}/api/register`, { username: 'alice', password: 'whatever-pass', displayName: 'Alice 2' });
    expect(taken.status).toBe(409);
    expect(taken.body.code).toBe('username_taken');
  });

  it('a data dir that exists with looser rights is made ours only (0700) at start, whatever the store', async () => {
    const dataDir = path.join(tempDir(), 'shared-data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    expect(modeOf(dataDir)).toBe(0o755);
    await startTestServer({ dataDir });
    expect(modeOf(dataDir)).toBe(0o700);
  });

  it('a server on another data dir does not know the users or accept the tokens', async () => {
    const first = await startTestServer();
    const login = await register(first, 'alice');
    const other = await startTestServer();
    expect(other.dataDir).not.toBe(first.dataDir);
    const err = await connectError(openSocket(other.url, { token: login.token }));
    expect(err.data?.code).toBe('unauthorized');
    expect((await postJson(`${other.url}/api/login`, { username: 'alice', password: 'alice-password' })).status).toBe(401);
  });
});

/** The value of one sample line (`name{labels} value`) of a Prometheus text exposition. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

describe('health and metrics', () => {
  it('GET /healthz answers 200 with status "ok"', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: 'ok', version: VERSION, sessions: 1 });
    expect(typeof body.uptimeS).toBe('number');
    alice.socket.disconnect();
  });

  it('GET /metrics exposes sessions, users, calls, outcomes, relayed and rejected messages, and event loop lag', async () => {
    const server = await startTestServer();
    let text = await scrape(server.url);
    expect(sample(text, 'parley_connected_sessions')).toBe(0);
    expect(sample(text, 'parley_online_users')).toBe(0);
    expect(sample(text, 'parley_calls{state="active"}')).toBe(0);
    expect(sample(text, 'parley_calls{state="ringing"}')).toBe(0);
    expect(text).toMatch(/^# TYPE parley_call_outcomes_total counter$/m);

    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    await connect(server, logins.alice); // a second device of alice
    const callId = await establishCall(alice, bob);
    text = await scrape(server.url);
    expect(sample(text, 'parley_connected_sessions')).toBe(3);
    expect(sample(text, 'parley_online_users')).toBe(2);
    expect(sample(text, 'parley_calls{state="active"}')).toBe(1);
    expect(sample(text, 'parley_calls{state="ringing"}')).toBe(0);

    expectOk(await alice.emit('call:mute', { callId, muted: true }));
    await bob.next('call:muted', (p) => p.callId === callId);
    const bad = await alice.emitRaw('call:mute', { callId, muted: 'yes' });
    expect(bad).toMatchObject({ ok: false, code: 'bad_request' });
    const unknown = await alice.emitRaw('call:teleport', { callId });
    expect(unknown).toMatchObject({ ok: false, code: 'bad_request' });
    expectOk(await bob.emit('call:hangup', { callId }));
    await alice.next('call:ended', (p) => p.callId === callId);
    await settle(alice, bob);

    text = await scrape(server.url);
    expect(sample(text, 'parley_calls{state="active"}')).toBe(0);
    expect(sample(text, 'parley_call_outcomes_total{reason="hangup"}')).toBe(1);
    expect(sample(text, 'parley_relayed_messages_total{event="call:mute"}')).toBe(1);
    expect(sample(text, 'parley_rejected_messages_total{code="bad_request"}')).toBe(2);
    const lag = sample(text, 'parley_nodejs_eventloop_lag_seconds');
    expect(lag).toBeDefined();
    expect(lag).toBeGreaterThanOrEqual(0);

    // Refusals over HTTP and at connect count too.
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: 'not-her-password' })).status).toBe(401);
    await connectError(openSocket(server.url, { token: 'not-a-token' }));
    text = await scrape(server.url);
    expect(sample(text, 'parley_rejected_messages_total{code="invalid_credentials"}')).toBe(1);
    expect(sample(text, 'parley_rejected_messages_total{code="unauthorized"}')).toBe(1);
  });

  it('two servers in one process keep separate metrics', async () => {
    const a = await startTestServer();
    const b = await startTestServer();
    await team(a, 'alice');
    expect(sample(await scrape(a.url), 'parley_connected_sessions')).toBe(1);
    expect(sample(await scrape(b.url), 'parley_connected_sessions')).toBe(0);
  });
});

describe('logs', () => {
  it('never contain passwords, tokens, invite codes, TURN secrets or credentials, SDP or ICE candidates, even at trace level', CHILD_SERVER_TEST, async () => {
    const inviteCode = 'invite-marker-7f3a9c';
    const turnSecret = 'turn-secret-marker-51d2e8b0';
    const server = await startChildServer({
      dataDir: tempDir(),
      env: {
        PARLEY_LOG_LEVEL: 'trace',
        PARLEY_REGISTRATION: 'invite',
        PARLEY_INVITE_CODE: inviteCode,
        PARLEY_STUN_URLS: 'stun:stun.example.org:3478',
        PARLEY_TURN_URLS: 'turn:turn.example.org:3478',
        PARLEY_TURN_SECRET: turnSecret,
      },
    });
    const passwords = { alice: 'pw-marker-alice-0c41', bob: 'pw-marker-bob-9e27' };
    const wrongPassword = 'pw-marker-wrong-33aa';
    for (const [username, password] of Object.entries(passwords)) {
      const res = await postJson(`${server.url}/api/register`, { username, password, displayName: username, inviteCode });
      expect(res.status).toBe(201);
    }
    const badInvite = await postJson(`${server.url}/api/register`, {
      username: 'carol',
      password: 'pw-marker-carol-1234',
      displayName: 'Carol',
      inviteCode: 'guess-marker-0000',
    });
    expect(badInvite.status).toBe(403);
    expect((await postJson(`${server.url}/api/login`, { username: 'alice', password: wrongPassword })).status).toBe(401);
    const aliceLogin = await postJson(`${server.url}/api/login`, { username: 'alice', password: passwords.alice });
    const bobLogin = await postJson(`${server.url}/api/login`, { username: 'bob', password: passwords.bob });
    expect(aliceLogin.status).toBe(200);
    expect(bobLogin.status).toBe(200);
    const aliceToken = aliceLogin.body as unknown as LoginResponse;
    const bobToken = bobLogin.body as unknown as LoginResponse;

    const alice = await connect(server, aliceToken);
    const bob = await connect(server, bobToken);
    // TURN credentials come with each call: the caller's in the invite's ack, the callee's in the accept's, and renewed.
    const credential = (grant: { iceServers?: IceServer[] }) => grant.iceServers?.find((s) => s.credential !== undefined)?.credential ?? '';
    const invited = expectOk(await alice.emit('call:invite', { to: 'bob', media: { audio: true, video: false } }));
    const { callId } = invited;
    await bob.next('call:incoming', (p) => p.callId === callId);
    const accepted = expectOk(await bob.emit('call:accept', { callId }));
    await alice.next('call:accepted', (p) => p.callId === callId);
    const renewed = expectOk(await bob.emit('call:ice', { callId }));
    for (const grant of [invited, accepted, renewed]) expect(credential(grant)).not.toBe('');

    const sdpMarker = 'SDP-MARKER-4b1e07';
    const candidateMarker = 'CANDIDATE-MARKER-88c2';
    const sdp = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=${sdpMarker}\r\nt=0 0\r\n`;
    expectOk(await alice.emit('call:signal', { callId, description: { type: 'offer', sdp } }));
    expectOk(
      await alice.emit('call:signal', {
        callId,
        candidate: { candidate: `candidate:${candidateMarker} 1 udp 2122260223 192.0.2.1 54400 typ host`, sdpMid: '0', sdpMLineIndex: 0 },
      }),
    );
    const relayed = await bob.next('call:signal', (p) => p.description?.sdp?.includes(sdpMarker) === true);
    expect(relayed.from).toBe('alice');
    await bob.next('call:signal', (p) => p.candidate?.candidate.includes(candidateMarker) === true);
    // Refused messages carrying the same material.
    const refused = await alice.emitRaw('call:signal', { callId: 'no-such-call', description: { type: 'offer', sdp } });
    expect(refused).toMatchObject({ ok: false });
    const malformed = await alice.emitRaw('call:signal', { callId, description: { type: 'bogus', sdp } });
    expect(malformed).toMatchObject({ ok: false, code: 'bad_request' });
    const forged = `${aliceToken.token.slice(0, -4)}AAAA`;
    await connectError(openSocket(server.url, { token: forged }));
    expectOk(await alice.emit('call:hangup', { callId }));
    await bob.next('call:ended', (p) => p.callId === callId);

    server.child.kill('SIGTERM'); // flushes the log before exiting
    expect(await exitWithin(server, EXIT_BOUND_MS)).toEqual({ code: 0, signal: null });

    const output = server.stdout() + server.stderr();
    // The log did record this session, so the checks below are not vacuous.
    const messages = server.logs().map((l) => l.msg);
    for (const m of ['account registered', 'sign-in failed', 'device connected', 'call ringing', 'call answered', 'call ended']) {
      expect(messages).toContain(m);
    }
    expect(output).toContain('alice');
    const secrets: Record<string, string> = {
      'alice password': passwords.alice,
      'bob password': passwords.bob,
      'wrong password': wrongPassword,
      'carol password': 'pw-marker-carol-1234',
      'alice token': aliceToken.token,
      'bob token': bobToken.token,
      'forged token': forged,
      'token signature': aliceToken.token.split('.')[2]!,
      'invite code': inviteCode,
      'guessed invite code': 'guess-marker-0000',
      'TURN secret': turnSecret,
      'TURN credential (call:invite)': credential(invited),
      'TURN credential (call:accept)': credential(accepted),
      'TURN credential (call:ice)': credential(renewed),
      SDP: sdpMarker,
      'ICE candidate': candidateMarker,
    };
    for (const [what, secret] of Object.entries(secrets)) {
      expect(output.includes(secret), `${what} appears in the log`).toBe(false);
    }
  });
});
