/**
 * ICE servers: STUN in session:ready, TURN REST credentials per call (in the
 * acks of call:invite, call:accept, room:join and call:resume, renewed with
 * call:ice), checked by OpenSSL's HMAC and, where coturn is installed,
 * against coturn itself.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import type { Config } from '../src/config.js';
import type { IceServer } from '../src/protocol/index.js';
import { NETWORK_CHECKS } from '../src/realtime/account-limits.js';
import { CHECK_TTL_S } from '../src/realtime/call-ice.js';
import { allocateWhenUp, missingTool, startCoturn } from './coturn.js';
import { connect, establishCall, expectOk, register, startTestServer, team, type Device } from './harness.js';
import { TurnClient } from './turn-client.js';

const SECRET = 'a-long-shared-coturn-secret';
const STUN = { urls: ['stun:stun.example.com:3478'] };
const TURN_URLS = ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'];
const withTurn = (overrides: Partial<Config> = {}): Partial<Config> => ({
  stunUrls: STUN.urls,
  turnUrls: TURN_URLS,
  turnSecret: SECRET,
  turnTtlS: 3600,
  ...overrides,
});
const audio = { audio: true, video: false };

/** HMAC-SHA1 by OpenSSL's command line: independent of the server's code path. */
function opensslHmacBase64(secret: string, message: string): string {
  const digest = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret, '-binary'], { input: message });
  return digest.toString('base64');
}

/**
 * The TURN entry of a grant, checked: valid for `ttlS` from about now
 * (`iceExpiresAt` is the second its username names), signed with `secret`,
 * named by the account's opaque id; and the STUN entry before it.
 */
function expectFreshTurn(grant: { iceServers?: IceServer[]; iceExpiresAt?: number }, ttlS: number, secret = SECRET, urls = TURN_URLS): IceServer {
  const servers = grant.iceServers ?? [];
  expect(servers.filter((s) => s.username === undefined)).toEqual([STUN]);
  const turn = servers.find((s) => s.username !== undefined);
  expect(turn?.urls).toEqual(urls);
  const [expiry, opaqueId] = (turn?.username ?? '').split(':');
  const nowS = Date.now() / 1000;
  expect(Number(expiry)).toBeGreaterThan(nowS + ttlS - 5);
  expect(Number(expiry)).toBeLessThanOrEqual(Math.ceil(nowS) + ttlS);
  expect(grant.iceExpiresAt).toBe(Number(expiry) * 1000);
  // Opaque: TURN logs do not learn the username.
  expect(opaqueId).toMatch(/^[0-9a-f-]{36}$/);
  expect(turn?.credential).toBe(opensslHmacBase64(secret, turn?.username ?? ''));
  return turn as IceServer;
}

async function invite(caller: Device, callee: Device) {
  const ack = expectOk(await caller.emit('call:invite', { to: callee.ready.user.username, media: audio }));
  await callee.next('call:incoming', (p) => p.callId === ack.callId);
  return ack;
}

describe('ICE servers in session:ready', () => {
  it('are STUN only: no TURN credentials, which would outlive a long session', async () => {
    const server = await startTestServer(withTurn());
    const device = await connect(server, await register(server, 'alice'));
    expect(device.ready.iceServers).toEqual([STUN]);
    expect(JSON.stringify(device.ready)).not.toContain('credential');
  });

  it('are empty when nothing is configured, and so is each call ack without TURN', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    expect(alice.ready.iceServers).toEqual([]);
    const ack = await invite(alice, bob);
    expect(ack.iceServers).toEqual([]);
    expect(ack).not.toHaveProperty('iceExpiresAt');
    expect(expectOk(await alice.emit('call:ice', { callId: ack.callId }))).toEqual({ ok: true, iceServers: [] });
  });
});

describe('TURN credentials per call', () => {
  it('come fresh in the acks of call:invite, call:accept, room:join and call:resume', async () => {
    const server = await startTestServer(withTurn());
    const { alice, bob, carol, logins } = await team(server, 'alice', 'bob', 'carol');
    const invited = await invite(alice, bob);
    const aliceTurn = expectFreshTurn(invited, 3600);
    const accepted = expectOk(await bob.emit('call:accept', { callId: invited.callId }));
    const bobTurn = expectFreshTurn(accepted, 3600);
    // Each account its own opaque id.
    expect(bobTurn.username?.split(':')[1]).not.toBe(aliceTurn.username?.split(':')[1]);

    const opened = expectOk(await carol.emit('room:join', { name: 'standup' }));
    expectFreshTurn(opened, 3600);

    // A device back on a new connection resumes with credentials again, not those of its session.
    const laptop = await connect(server, logins.carol, { device: 'carol-laptop-0001' }, []);
    expectOk(await carol.emit('call:hangup', { callId: opened.callId }));
    const room = expectOk(await laptop.emit('room:join', { name: 'standup' }));
    laptop.socket.disconnect();
    const laptop2 = await connect(server, logins.carol, { device: 'carol-laptop-0001' }, []);
    const resumed = expectOk(await laptop2.emit('call:resume', { callId: room.callId }));
    if (resumed.state !== 'active') throw new Error(`resumed as ${resumed.state}`);
    expectFreshTurn(resumed, 3600);
    expect(laptop2.ready.iceServers).toEqual([STUN]);
  });

  it('a call placed after the first TURN credentials of the session expired gets fresh, valid ones', { timeout: 60_000 }, async () => {
    const server = await startTestServer(withTurn({ turnTtlS: 2 }));
    const { alice, bob } = await team(server, 'alice', 'bob');
    const first = await invite(alice, bob);
    const expired = expectFreshTurn(first, 2);
    expectOk(await alice.emit('call:cancel', { callId: first.callId }));

    // The desktop app left running: the next call comes after those credentials expired.
    await new Promise((resolve) => setTimeout(resolve, (first.iceExpiresAt ?? 0) - Date.now() + 1100));
    expect(Date.now()).toBeGreaterThan((first.iceExpiresAt ?? 0) + 1000);
    const second = await invite(alice, bob);
    const fresh = expectFreshTurn(second, 2);
    expect(second.iceExpiresAt).toBeGreaterThan(Date.now());
    expect(fresh.username).not.toBe(expired.username);
    // And the callee's answer, and a renewal during the call, are fresh too.
    expectFreshTurn(expectOk(await bob.emit('call:accept', { callId: second.callId })), 2);
    expectFreshTurn(expectOk(await alice.emit('call:ice', { callId: second.callId })), 2);
  });

  it.skipIf(missingTool('turnserver', 'coturn', 'ice-servers.test.ts'))(
    'coturn refuses the credentials of a call once expired, and accepts those of the call placed after',
    { timeout: 60_000 },
    async () => {
      const secret = 'a-shared-turn-secret-for-this-test';
      const coturn = await startCoturn(secret);
      const clients: TurnClient[] = [];
      const turnClient = () => {
        const c = new TurnClient('127.0.0.1', coturn.port);
        clients.push(c);
        return c;
      };
      try {
        const urls = [`turn:127.0.0.1:${coturn.port}`];
        const server = await startTestServer(withTurn({ turnUrls: urls, turnSecret: secret, turnTtlS: 2 }));
        const { alice, bob } = await team(server, 'alice', 'bob');
        const first = await invite(alice, bob);
        const old = expectFreshTurn(first, 2, secret, urls);
        // Valid while fresh (and coturn is up once it answers).
        const inTime = turnClient();
        expect(await allocateWhenUp(inTime, old.username ?? '', old.credential ?? ''), coturn.output()).toMatchObject({ ok: true });
        expectOk(await alice.emit('call:cancel', { callId: first.callId }));

        await new Promise((resolve) => setTimeout(resolve, (first.iceExpiresAt ?? 0) - Date.now() + 1100));
        expect(await turnClient().allocate(old.username ?? '', old.credential ?? '')).toMatchObject({ ok: false, code: 401 });
        // A relay allocated in time still serves its call (what PROTOCOL.md says of long calls).
        expect(await inTime.permit('8.8.8.8')).toMatchObject({ ok: true });
        const fresh = expectFreshTurn(await invite(alice, bob), 2, secret, urls);
        expect(await turnClient().allocate(fresh.username ?? '', fresh.credential ?? ''), coturn.output()).toMatchObject({ ok: true });
      } finally {
        for (const c of clients) c.close();
        coturn.stop();
      }
    },
  );

  it('call:ice renews them for a device in the call, and is refused to any other', async () => {
    const server = await startTestServer(withTurn());
    const { alice, bob, carol, logins } = await team(server, 'alice', 'bob', 'carol');
    const bobPhone = await connect(server, logins.bob, {}, []);
    const { callId } = await invite(alice, bob);
    // Ringing: the calling device may renew, and the devices it rings on ask for theirs (early-path.ts).
    expectFreshTurn(expectOk(await alice.emit('call:ice', { callId })), 3600);
    expectFreshTurn(expectOk(await bob.emit('call:ice', { callId })), 3600);
    expect(await carol.emit('call:ice', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await bob.emit('call:accept', { callId }));
    await alice.next('call:accepted');
    expectFreshTurn(expectOk(await bob.emit('call:ice', { callId })), 3600);
    expectFreshTurn(expectOk(await alice.emit('call:ice', { callId })), 3600);
    // Someone else, another device of a participant, a call that does not exist.
    expect(await carol.emit('call:ice', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await bobPhone.emit('call:ice', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await carol.emit('call:ice', { callId: 'made-up-call-id' })).toMatchObject({ ok: false, code: 'not_found' });
    // Once the call is over, nobody.
    expectOk(await alice.emit('call:hangup', { callId }));
    expect(await alice.emit('call:ice', { callId })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('outside a call (network:ice) live two minutes at most, and an account asks for them 20 times in 10 minutes', async () => {
    const server = await startTestServer(withTurn());
    const { alice } = await team(server, 'alice');
    expectFreshTurn(expectOk(await alice.emit('network:ice', {})), CHECK_TTL_S);
    for (let i = 1; i < NETWORK_CHECKS; i++) expectOk(await alice.emit('network:ice', {}));
    expect(await alice.emit('network:ice', {})).toMatchObject({ ok: false, code: 'rate_limited', message: 'You have checked the network too often: wait and try again' });
    // A shorter lifetime for calls is kept for checks too.
    const short = await startTestServer(withTurn({ turnTtlS: 60 }));
    const { bob } = await team(short, 'bob');
    expectFreshTurn(expectOk(await bob.emit('network:ice', {})), 60);
  });

  it("a test call's (testcall:start) come out of the same 20: spent by checks, the test call is refused too, and the other way round", async () => {
    const server = await startTestServer(withTurn({ testCall: 'on' }));
    const { alice, bob } = await team(server, 'alice', 'bob');
    for (let i = 1; i < NETWORK_CHECKS; i++) expectOk(await alice.emit('network:ice', {}));
    const started = expectOk(await alice.emit('testcall:start', {}));
    expectFreshTurn(started, CHECK_TTL_S);
    expectOk(await alice.emit('testcall:stop', { testId: started.testId }));
    expect(await alice.emit('testcall:start', {})).toMatchObject({ ok: false, code: 'rate_limited' });
    expect(await alice.emit('network:ice', {})).toMatchObject({ ok: false, code: 'rate_limited' });
    // Test calls spend the count as well; another account has its own.
    for (let i = 0; i < NETWORK_CHECKS; i++) expectOk(await bob.emit('testcall:start', {}));
    expect(await bob.emit('testcall:start', {})).toMatchObject({ ok: false, code: 'rate_limited' });
    expect(await bob.emit('network:ice', {})).toMatchObject({ ok: false, code: 'rate_limited' });
  }, 30_000);

  it('are not issued to a disabled account, even before its sessions are ended', async () => {
    // The revocation watcher polls once a minute here: the disabled account's devices stay connected.
    const server = await startTestServer(withTurn(), { accountPollMs: 60_000 });
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const callId = await establishCall(alice, bob);
    await new UserRepository(server.db).setDisabled('alice', true);

    expect(await alice.emit('call:ice', { callId })).toMatchObject({ ok: false, code: 'account_disabled' });
    expectFreshTurn(expectOk(await bob.emit('call:ice', { callId })), 3600);
    expectOk(await alice.emit('call:hangup', { callId }));
    // A call it places still goes through (its sessions end with the revocation), with STUN only.
    const placed = await invite(alice, carol);
    expect(placed.iceServers).toEqual([STUN]);
    expect(placed).not.toHaveProperty('iceExpiresAt');
  });
});
