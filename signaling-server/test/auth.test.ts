import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import { connect, openSocket, postJson, register, serverTokenSecret, startTestServer, type TestServer } from './harness.js';

/** Resolves with the connect_error a connection attempt ends in. */
function connectError(server: TestServer, auth: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) {
  const socket = openSocket(server.url, auth, extra);
  return new Promise<Error & { data?: { code?: string } }>((resolve, reject) => {
    socket.on('connect', () => reject(new Error('connected, but should have been refused')));
    socket.on('connect_error', resolve);
  });
}

async function signWithServerSecret(server: TestServer, claims: { username: string; ver: number; exp: number }) {
  const secret = await serverTokenSecret(server);
  const user = await new UserRepository(server.db).find(claims.username);
  return new SignJWT({ usr: claims.username, ver: claims.ver })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(user?.id ?? 'unknown')
    .setIssuer('parley-server')
    .setIssuedAt(claims.exp - 3600)
    .setExpirationTime(claims.exp)
    .sign(secret);
}

describe('registration', () => {
  it('is open on loopback: creates the account and signs in', async () => {
    const server = await startTestServer();
    const res = await postJson(`${server.url}/api/register`, { username: 'alice', password: 'correct horse', displayName: 'Alice' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ user: { username: 'alice', displayName: 'Alice' } });
    expect(typeof res.body.token).toBe('string');
    expect(res.body.expiresAt).toBeGreaterThan(Date.now());
    const info = await (await fetch(`${server.url}/api/info`)).json();
    expect(info).toMatchObject({ name: 'parley-server', protocol: 2, registration: 'open' });
  });

  it('refuses a taken username and invalid fields with clear codes', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const taken = await postJson(`${server.url}/api/register`, { username: 'alice', password: 'another one', displayName: 'A' });
    expect(taken).toMatchObject({ status: 409, body: { code: 'username_taken' } });
    for (const body of [
      { username: 'Alice', password: 'long enough', displayName: 'A' },
      { username: 'a', password: 'long enough', displayName: 'A' },
      { username: 'x'.repeat(33), password: 'long enough', displayName: 'A' },
      { username: 'bob', password: 'short', displayName: 'B' },
      { username: 'bob', password: 'long enough', displayName: 'B'.repeat(65) },
      { username: 'bob', password: 'long enough', displayName: '   ' },
      { username: 'bob', password: 'long enough', displayName: 'Bob\u0000' },
      { username: 'bob', password: 'long enough' },
      { username: 'bob', password: 'long enough', displayName: 'B', admin: true },
    ]) {
      const res = await postJson(`${server.url}/api/register`, body);
      expect(res, JSON.stringify(body)).toMatchObject({ status: 400, body: { code: 'bad_request' } });
      expect(String(res.body.message)).not.toBe('');
    }
    expect(await postJson(`${server.url}/api/register`, '{not json')).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    expect(await postJson(`${server.url}/api/register`, { pad: 'x'.repeat(20_000) })).toMatchObject({ status: 413 });
  });

  it('is refused when closed', async () => {
    const server = await startTestServer({ registration: 'closed' });
    const res = await postJson(`${server.url}/api/register`, { username: 'alice', password: 'long enough', displayName: 'A' });
    expect(res).toMatchObject({ status: 403, body: { code: 'registration_closed' } });
  });

  it('needs the invite code in invite mode', async () => {
    const server = await startTestServer({ registration: 'invite', inviteCode: 'welcome-to-the-team' });
    const body = { username: 'alice', password: 'long enough', displayName: 'A' };
    expect(await postJson(`${server.url}/api/register`, body)).toMatchObject({ status: 403, body: { code: 'invalid_invite' } });
    expect(await postJson(`${server.url}/api/register`, { ...body, inviteCode: 'guess' })).toMatchObject({ status: 403, body: { code: 'invalid_invite' } });
    expect(await postJson(`${server.url}/api/register`, { ...body, inviteCode: 'welcome-to-the-team' })).toMatchObject({ status: 201 });
  });
});

/** Tests of twenty-odd sign-ins: each costs one scrypt at N=2^17, about half a second of a core (three times that on a busy shared machine). */
const SIGN_INS = 120_000;

describe('login', () => {
  it('returns a token for the right password and the same refusal for a wrong password or unknown user', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const ok = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' });
    expect(ok).toMatchObject({ status: 200, body: { user: { username: 'alice' } } });
    const wrong = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'nope' });
    const unknown = await postJson(`${server.url}/api/login`, { username: 'nobody', password: 'nope' });
    expect(wrong).toEqual({ status: 401, body: { code: 'invalid_credentials', message: 'Wrong username or password' } });
    expect(unknown).toEqual(wrong);
  });

  it('throttles failures per username with growing delays, even for the right password', { timeout: SIGN_INS }, async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const attempt = (password: string) => postJson(`${server.url}/api/login`, { username: 'alice', password });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong')).status).toBe(401);
    expect((await attempt('wrong')).status).toBe(401); // sixth failure: now a wait is set
    const blocked = await attempt('alice-password');
    expect(blocked).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(blocked.body.retryAfterMs).toBeGreaterThan(0);
    expect(blocked.body.retryAfterMs).toBeLessThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, Number(blocked.body.retryAfterMs) + 50));
    expect((await attempt('wrong')).status).toBe(401); // seventh failure doubles the wait
    const longer = await attempt('alice-password');
    expect(longer.status).toBe(429);
    expect(longer.body.retryAfterMs).toBeGreaterThan(1000);
  });

  it('throttles failures per IP across usernames', { timeout: SIGN_INS }, async () => {
    const server = await startTestServer();
    for (let i = 0; i < 21; i++) {
      const res = await postJson(`${server.url}/api/login`, { username: `user${i}`, password: 'wrong' });
      expect(res.status).toBe(401);
    }
    const res = await postJson(`${server.url}/api/login`, { username: 'someone-new', password: 'wrong' });
    expect(res).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
  });

  it('a successful sign-in does not reset the per-IP count', { timeout: SIGN_INS }, async () => {
    const server = await startTestServer();
    await register(server, 'mallory');
    const guess = (i: number) => postJson(`${server.url}/api/login`, { username: `victim${i}`, password: 'guess' });
    for (let i = 0; i < 15; i++) expect((await guess(i)).status).toBe(401);
    // Signing in to one's own account between guesses must not wipe the slate.
    expect((await postJson(`${server.url}/api/login`, { username: 'mallory', password: 'mallory-password' })).status).toBe(200);
    for (let i = 15; i < 21; i++) expect((await guess(i)).status).toBe(401);
    expect((await guess(99)).status).toBe(429);
  });

  it('throttling one username or one address leaves other users and other addresses alone', { timeout: SIGN_INS }, async () => {
    // Behind a trusted proxy, X-Forwarded-For gives each request its client address.
    const server = await startTestServer({ trustProxy: ['loopback'] });
    for (const name of ['alice', 'bob', 'carol']) await register(server, name);
    const login = async (username: string, ip: string, password = `${username}-password`) => {
      const res = await fetch(`${server.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
        body: JSON.stringify({ username, password }),
      });
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
    };
    const guesser = '203.0.113.7';
    // Guessing alice's password throttles alice, from any address...
    for (let i = 0; i < 6; i++) expect((await login('alice', guesser, 'guess')).status).toBe(401);
    const alice = await login('alice', '198.51.100.1');
    expect(alice).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(alice.retryAfter)).toBe(Math.ceil(Number(alice.body.retryAfterMs) / 1000));
    // ...but not bob, even from the guesser's address while it has failures to spare.
    expect((await login('bob', guesser)).status).toBe(200);
    // Guessing across usernames uses up the address's 20 free failures (6 so far).
    for (let i = 0; i < 15; i++) expect((await login(`user${i}`, guesser, 'guess')).status).toBe(401);
    expect(await login('carol', guesser)).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    // Carol from her own address is not affected, nor is bob from his.
    expect((await login('carol', '198.51.100.2')).status).toBe(200);
    expect((await login('bob', '198.51.100.3')).status).toBe(200);
  });

  it('refuses a disabled account', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    await new UserRepository(server.db).setDisabled('alice', true);
    const res = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' });
    expect(res).toMatchObject({ status: 403, body: { code: 'account_disabled' } });
  });
});

describe('socket handshake', () => {
  it('refuses a missing token', async () => {
    const server = await startTestServer();
    const err = await connectError(server, undefined);
    expect(err.message).toMatch(/sign in/i);
    expect(err.data?.code).toBe('unauthorized');
  });

  it('refuses a malformed token and one signed with another key', async () => {
    const server = await startTestServer();
    const other = await startTestServer();
    const foreign = await register(other, 'alice');
    await register(server, 'alice');
    for (const token of ['garbage', foreign.token, 42]) {
      const err = await connectError(server, { token });
      expect(err.data?.code).toBe('unauthorized');
    }
  });

  it('refuses an expired token, saying so', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const token = await signWithServerSecret(server, { username: 'alice', ver: 0, exp: Math.floor(Date.now() / 1000) - 10 });
    const err = await connectError(server, { token });
    expect(err.message).toMatch(/expired/);
    expect(err.data?.code).toBe('unauthorized');
    // The same token, unexpired, is accepted: the test's signing matches the server's.
    const fresh = await signWithServerSecret(server, { username: 'alice', ver: 0, exp: Math.floor(Date.now() / 1000) + 60 });
    const device = await connect(server, { token: fresh, expiresAt: 0, user: { username: 'alice', displayName: 'Alice' } });
    expect(device.ready.user.username).toBe('alice');
  });

  it('refuses the token of a removed account when the username is registered again', async () => {
    const server = await startTestServer();
    const old = await register(server, 'alice');
    await new UserRepository(server.db).remove('alice');
    await register(server, 'alice');
    const err = await connectError(server, { token: old.token });
    expect(err.data?.code).toBe('unauthorized');
  });

  it('refuses an invalid status in the handshake with bad_request', async () => {
    const server = await startTestServer();
    const alice = await register(server, 'alice');
    const err = await connectError(server, { token: alice.token, status: 'busy' });
    expect(err.data?.code).toBe('bad_request');
    expect(err.message).toMatch(/status/);
    // A contact list to watch that is not a list of usernames, or too long, is refused the same way.
    for (const watch of [['not a name!'], 'bob', Array.from({ length: 501 }, (_, i) => `user${i}`)]) {
      const bad = await connectError(server, { token: alice.token, watch });
      expect(bad.data?.code).toBe('bad_request');
      expect(bad.message).toMatch(/watch/);
    }
  });

  it('refuses a disabled user and a revoked token', async () => {
    const server = await startTestServer();
    const alice = await register(server, 'alice');
    const bob = await register(server, 'bob');
    const users = new UserRepository(server.db);
    await users.setDisabled('alice', true);
    expect((await connectError(server, { token: alice.token })).data?.code).toBe('account_disabled');
    await users.setPassword('bob', 'a brand new password');
    const err = await connectError(server, { token: bob.token });
    expect(err.data?.code).toBe('unauthorized');
    expect(err.message).toMatch(/revoked/);
  });

  it('refuses a browser origin that is not allowed, and accepts the server\'s own and listed ones', async () => {
    const server = await startTestServer({ allowedOrigins: ['https://parley.example.com'] });
    const alice = await register(server, 'alice');
    const err = await connectError(server, { token: alice.token }, { extraHeaders: { origin: 'https://evil.example' } });
    expect(err).toBeInstanceOf(Error);
    const polling = await connectError(server, { token: alice.token }, { transports: ['polling'], extraHeaders: { origin: 'https://evil.example' } });
    expect(JSON.stringify(polling)).toMatch(/403|Origin not allowed/);
    for (const origin of ['https://parley.example.com', server.url]) {
      const socket = openSocket(server.url, { token: alice.token }, { extraHeaders: { origin } });
      await new Promise<void>((resolve, reject) => {
        socket.on('connect', resolve);
        socket.on('connect_error', reject);
      });
    }
    const http = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'alice-password' }, { origin: 'https://evil.example' });
    expect(http).toMatchObject({ status: 403, body: { code: 'forbidden_origin' } });
    const allowed = await fetch(`${server.url}/api/info`, { headers: { origin: 'https://parley.example.com' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://parley.example.com');
  });
});
