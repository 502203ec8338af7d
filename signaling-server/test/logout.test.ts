/**
 * Signing out revokes: POST /api/logout ends the presenting token's sign-in
 * (that device, on every node, and every token refreshed from it) and
 * nothing else of the user; tokens are refreshed on use, so a copied token
 * that nobody uses runs out.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { SignOuts } from '../src/auth/sign-outs.js';
import { TokenService } from '../src/auth/tokens.js';
import { UserRepository } from '../src/accounts/users.js';
import type { LoginResponse } from '../src/protocol/index.js';
import { connect, type Device, openSocket, postJson, register, serverTokenSecret, settle, startTestServer, twoNodes, type TestServer } from './harness.js';

const DAY_MS = 24 * 3600_000;

async function logout(server: { url: string }, token: string | undefined): Promise<number> {
  const res = await fetch(`${server.url}/api/logout`, { method: 'POST', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return res.status;
}

async function signIn(server: { url: string }, username: string): Promise<LoginResponse> {
  const res = await postJson(`${server.url}/api/login`, { username, password: `${username}-password` });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status}`);
  return res.body as unknown as LoginResponse;
}

/** The handshake's refusal of `token`; fails when it connects instead. */
function refusal(server: { url: string }, token: string) {
  const socket = openSocket(server.url, { token });
  return new Promise<Error & { data?: { code?: string } }>((resolve, reject) => {
    socket.on('connect', () => reject(new Error('connected, but should have been refused')));
    socket.on('connect_error', resolve);
  });
}

const disconnected = (d: Device) =>
  new Promise<void>((resolve) => {
    if (!d.socket.connected) resolve();
    d.socket.on('disconnect', () => resolve());
  });

/** A token of alice's signed by the server's key as `ttlS` would make it: one near its end, or long expired. */
async function tokenLasting(server: TestServer, ttlS: number): Promise<string> {
  const user = await new UserRepository(server.db).find('alice');
  if (!user) throw new Error('no alice');
  const { token } = await new TokenService(await serverTokenSecret(server), ttlS).issue({ userId: user.id, username: 'alice', version: 0 });
  return token;
}

const as = (token: string, user = 'alice'): LoginResponse => ({ token, expiresAt: 0, user: { username: user, displayName: user } });

describe('POST /api/logout', () => {
  it('revokes that device: its live socket is told and disconnected, its token refused; the same user’s other device stays', async () => {
    const server = await startTestServer({}, { accountPollMs: 60_000 });
    const desk = await register(server, 'alice');
    const laptop = await signIn(server, 'alice');
    const onDesk = await connect(server, desk, { device: 'alice-desk-0001' }, []);
    const onLaptop = await connect(server, laptop, { device: 'alice-laptop-01' }, []);

    expect(await logout(server, desk.token)).toBe(204);
    // The handshake refuses the token at once, before any poll.
    const refused = await refusal(server, desk.token);
    expect(refused.data?.code).toBe('unauthorized');
    expect(refused.message).toBe('This device was signed out: sign in again');

    await server.revocations.poll();
    await disconnected(onDesk);
    await settle(onLaptop);
    expect(onDesk.events('session:revoked')).toEqual([{ reason: 'signed-out' }]);
    expect(onLaptop.socket.connected).toBe(true);
    expect(onLaptop.events('session:revoked')).toEqual([]);
    // The other sign-in still connects anew.
    expect((await connect(server, laptop, { device: 'alice-laptop-02' }, [])).socket.connected).toBe(true);

    // Idempotent: 204 again, and no second event for the nodes to act on.
    expect(await logout(server, desk.token)).toBe(204);
    const kinds = await server.db.selectFrom('account_events').select('kind').where('kind', '=', 'signed-out').execute();
    expect(kinds).toHaveLength(1);
  });

  it('answers 401 to no token, a forged one, and an expired one (which the handshake refuses too)', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    expect(await logout(server, undefined)).toBe(401);
    expect(await logout(server, 'not-a-token')).toBe(401);
    const forged = await new SignJWT({ usr: 'alice', ver: 0, sid: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer('parley-server')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('another key, not the server’s, long enough'));
    expect(await logout(server, forged)).toBe(401);
    const expired = await tokenLasting(server, -60);
    const res = await fetch(`${server.url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${expired}` } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ code: 'unauthorized', message: 'Cannot sign out: token expired: sign in again' });
    expect((await refusal(server, expired)).message).toBe('token expired: sign in again');
  });

  it('with two nodes, the device on the other node is disconnected within a poll (about a second)', async () => {
    const [one, two] = await twoNodes({}, { accountPollMs: 1000 });
    const desk = await register(one, 'alice');
    const laptop = await signIn(one, 'alice');
    const onTwo = await connect(two, desk, { device: 'alice-desk-0001' }, []);
    const otherOnTwo = await connect(two, laptop, { device: 'alice-laptop-01' }, []);

    const started = Date.now();
    expect(await logout(one, desk.token)).toBe(204);
    await disconnected(onTwo);
    expect(Date.now() - started).toBeLessThan(2500);
    expect(onTwo.events('session:revoked')).toEqual([{ reason: 'signed-out' }]);
    expect((await refusal(two, desk.token)).message).toBe('This device was signed out: sign in again');
    await settle(otherOnTwo);
    expect(otherOnTwo.socket.connected).toBe(true);
  });
});

describe('refresh on use', () => {
  it('a token near its end gets a fresh one of the same sign-in, which works; signing out with it kills the whole chain', async () => {
    const server = await startTestServer({}, { accountPollMs: 60_000 });
    const login = await register(server, 'alice');
    // A fresh token is not due: nothing sent.
    const plain = await connect(server, login, { device: 'alice-fresh-001' }, []);
    await settle(plain);
    expect(plain.events('session:token')).toEqual([]);

    const old = await tokenLasting(server, 600);
    const device = await connect(server, as(old), { device: 'alice-desk-0001' }, []);
    const fresh = await device.next('session:token');
    expect(fresh.token).not.toBe(old);
    // A whole new lifetime (the default, 7 days).
    expect(fresh.expiresAt).toBeGreaterThan(Date.now() + 7 * DAY_MS - 60_000);
    expect(fresh.expiresAt).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS);
    const again = await connect(server, as(fresh.token), { device: 'alice-desk-0001' }, []);
    await settle(again);
    expect(again.events('session:token')).toEqual([]);

    // Signing out with the refreshed token revokes the old one of the same sign-in, and nothing of the first sign-in.
    expect(await logout(server, fresh.token)).toBe(204);
    expect((await refusal(server, old)).message).toBe('This device was signed out: sign in again');
    expect((await refusal(server, fresh.token)).message).toBe('This device was signed out: sign in again');
    await server.revocations.poll();
    await disconnected(again);
    expect(again.events('session:revoked')).toEqual([{ reason: 'signed-out' }]);
    await settle(plain);
    expect(plain.socket.connected).toBe(true);
  });

  it('a session that stays connected gets a fresh token when its token falls due, once, from the sweep', async () => {
    const server = await startTestServer({}, { accountPollMs: 60_000, tokenSweepMs: 100 });
    await register(server, 'alice');
    // Half the default lifetime (7 days) plus 2 s: not due at connect, due 2 s later (expiry is in whole seconds).
    const token = await tokenLasting(server, 3.5 * 24 * 3600 + 2);
    const device = await connect(server, as(token), { device: 'alice-desk-0001' }, []);
    await settle(device);
    expect(device.events('session:token')).toEqual([]);
    const fresh = await device.next('session:token');
    expect(fresh.expiresAt).toBeGreaterThan(Date.now() + 7 * DAY_MS - 60_000);
    // The fresh token is not due: later sweeps send nothing more.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(device.events('session:token')).toHaveLength(1);
    const again = await connect(server, as(fresh.token), { device: 'alice-desk-0001' }, []);
    await settle(again);
    expect(again.socket.connected).toBe(true);
  });

  it('a token from before sign-in ids is refreshed at once, and signing out with it revokes the refreshed one', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const user = await new UserRepository(server.db).find('alice');
    const legacy = await new SignJWT({ usr: 'alice', ver: 0 })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user?.id ?? '')
      .setIssuer('parley-server')
      .setIssuedAt()
      .setExpirationTime('30d')
      .sign(await serverTokenSecret(server));
    const device = await connect(server, as(legacy), {}, []);
    const fresh = await device.next('session:token');
    expect(await logout(server, legacy)).toBe(204);
    expect((await refusal(server, fresh.token)).message).toBe('This device was signed out: sign in again');
  });
});

describe('token revocations', () => {
  it('are kept while a token of the sign-in could be valid, then pruned', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const tokens = new TokenService(await serverTokenSecret(server), 3600);
    const signOuts = new SignOuts(server.db, 3600);
    // What the handshake reads (UserRepository.findSignedIn): a row for the sign-in.
    const isSignedOut = async (sid: string) => (await server.db.selectFrom('token_revocations').select('sid').where('sid', '=', sid).executeTakeFirst()) !== undefined;
    const live = await tokens.verify(await tokenLasting(server, 3600));
    const old = await tokens.verify(await tokenLasting(server, 3600));
    // Signed out two days ago, with a one-hour lifetime: every token of it has expired.
    await signOuts.signOut({ ...old, expiresAt: Date.now() - 2 * DAY_MS + 3600_000 }, Date.now() - 2 * DAY_MS);
    expect(await isSignedOut(old.sid)).toBe(true);
    await signOuts.signOut(live);
    // The sign-out above pruned the old one; the live one stays.
    expect(await isSignedOut(old.sid)).toBe(false);
    expect(await isSignedOut(live.sid)).toBe(true);
    expect(await signOuts.prune(Date.now() + 3600_000 + 11 * 60_000)).toBe(1);
    expect(await isSignedOut(live.sid)).toBe(false);
  });
});
