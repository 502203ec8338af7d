/**
 * Several nodes sharing state through a real Redis and one data dir (or,
 * with PARLEY_TEST_STORES=postgres, one PostgreSQL database) when part of it
 * fails: Redis restarting mid-call (with its data, or without it: 1:1 calls
 * and rooms claimed back), and a node killed (SIGKILL) mid-call, whose
 * clients resume on the other node while the survivor ends what the dead
 * node's devices left behind. All up: multi-node.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { disconnected, startChildServer } from './cli-helpers.js';
import { RedisServer } from './redis-server.js';
import { connect, establishCall, expectOk, expectPairRelay, expectRelay, register, settle, startTestServer, tempDir } from './harness.js';
import { testRedis } from './test-stores.js';

const audio = { audio: true, video: false };

async function healthz(server: { url: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Two nodes on one data dir and `redis`, a Redis of the test's own (these tests restart it). */
async function twoNodesOn(redis: RedisServer) {
  const redisUrl = redis.url(0);
  const dataDir = tempDir();
  return [await startTestServer({ dataDir, redisUrl }), await startTestServer({ dataDir, redisUrl })] as const;
}

describe('Redis going away and coming back', () => {
  it('while Redis is down requests get `unavailable` and /healthz fails naming it; after it restarts the call goes on and new calls work', async () => {
    // This test restarts Redis, so it gets one of its own.
    const own = await RedisServer.start();
    try {
      const [one, two] = await twoNodesOn(own);
      const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob'), carol: await register(one, 'carol') };
      const alice = await connect(one, logins.alice, { device: 'alice-laptop-01' }, ['bob']);
      const bob = await connect(two, logins.bob, { device: 'bob-desktop-01' }, ['alice']);
      const callId = await establishCall(alice, bob);
      expect((await healthz(one)).status).toBe(200);

      await own.stop('save');
      const down = await healthz(one);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'error', down: ['redis'], message: 'unreachable: redis' });
      expect(await alice.emit('call:mute', { callId, muted: true })).toMatchObject({ ok: false, code: 'unavailable' });
      // Sign-in still works (its throttle falls back to this node's memory); the session waits for Redis.
      const res = await fetch(`${one.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'carol', password: 'carol-password' }),
      });
      expect(res.status).toBe(200);

      await own.restart();
      await expect.poll(async () => (await healthz(one)).status, { timeout: 10_000, interval: 200 }).toBe(200);
      await expect.poll(async () => (await healthz(two)).status, { timeout: 10_000, interval: 200 }).toBe(200);
      // The clients never noticed: the same connections carry on with the same call.
      expect(alice.socket.connected && bob.socket.connected).toBe(true);
      expectOk(await alice.emit('call:mute', { callId, muted: true }));
      expect(await bob.next('call:muted')).toEqual({ callId, username: 'alice', muted: true });
      await expectRelay(bob, alice, callId);
      expectOk(await bob.emit('call:hangup', { callId }));
      expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
      const next = await establishCall(bob, alice);
      await expectRelay(alice, bob, next);
      await connect(one, logins.carol, {}, []);
      // Still in it, as far as both nodes know: alice cannot place another.
      expect(await alice.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    } finally {
      await own.close();
    }
  }, 60_000);

  it('Redis restarting without its data: clients are asked to reconnect, both sides claim the call and it goes on', async () => {
    const own = await RedisServer.start();
    try {
      const [one, two] = await twoNodesOn(own);
      const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob') };
      const alice = await connect(one, logins.alice, { device: 'alice-laptop-01' }, ['bob']);
      const bob = await connect(two, logins.bob, { device: 'bob-desktop-01' }, ['alice']);
      const callId = await establishCall(alice, bob);
      const gone = [disconnected(alice.socket, 20_000), disconnected(bob.socket, 20_000)];
      await own.stop('nosave');
      await own.restart();
      expect(await Promise.all(gone)).toEqual(['transport close', 'transport close']);

      const alice2 = await connect(one, logins.alice, { device: 'alice-laptop-01' }, ['bob']);
      const bob2 = await connect(two, logins.bob, { device: 'bob-desktop-01' }, ['alice']);
      const first = expectOk(await alice2.emit('call:resume', { callId }));
      expect(first.state).toBe('waiting');
      expect(expectOk(await bob2.emit('call:resume', { callId })).state).toBe('active');
      await expectRelay(alice2, bob2, callId);
      expectOk(await alice2.emit('call:hangup', { callId }));
      expect(await bob2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    } finally {
      await own.close();
    }
  }, 60_000);
  it('Redis restarting without its data: a room of three on two nodes is claimed back from both nodes and goes on, every pair relaying', async () => {
    const own = await RedisServer.start();
    try {
      const [one, two] = await twoNodesOn(own);
      // alice and carol on node 1, bob on node 2.
      const node = (i: number) => (i % 2 === 0 ? one : two);
      const names = ['alice', 'bob', 'carol'];
      const logins = await Promise.all(names.map((n, i) => register(node(i), n)));
      const join = (i: number) => connect(node(i), logins[i] as LoginResponse, { device: `${names[i]}-device-01` }, []);
      const before = [await join(0), await join(1), await join(2)];
      let callId = '';
      for (const d of before) callId = expectOk(await d.emit('room:join', { name: 'standup' })).callId;
      const gone = before.map((d) => disconnected(d.socket, 20_000));
      await own.stop('nosave');
      await own.restart();
      expect(await Promise.all(gone)).toEqual(before.map(() => 'transport close'));

      const after = [await join(0), await join(1), await join(2)];
      const states = [];
      for (const d of after) states.push(expectOk(await d.emit('call:resume', { callId })).state);
      expect(states).toEqual(['waiting', 'active', 'active']);
      for (const from of after) for (const to of after) if (from !== to) await expectPairRelay(callId, from, to, []);
      expectOk(await after[1]!.emit('call:hangup', { callId }));
      for (const d of [after[0]!, after[2]!]) expect(await d.next('room:left')).toEqual({ callId, username: 'bob', reason: 'hangup' });
    } finally {
      await own.close();
    }
  }, 60_000);

  it('Redis restarting without its data: calls that were ringing end `failed` for the caller and every ringing device before they are asked to reconnect', async () => {
    const own = await RedisServer.start();
    try {
      const [one, two] = await twoNodesOn(own);
      const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob'), carol: await register(two, 'carol'), dave: await register(one, 'dave') };
      // alice (node 1) rings bob's two devices, one on each node; carol (node 2) rings dave (node 1).
      const alice = await connect(one, logins.alice, { device: 'alice-laptop-01' }, []);
      const bobDesk = await connect(two, logins.bob, { device: 'bob-desktop-01' }, []);
      const bobPhone = await connect(one, logins.bob, { device: 'bob-phone-0001' }, []);
      const carol = await connect(two, logins.carol, { device: 'carol-laptop-1' }, []);
      const dave = await connect(one, logins.dave, { device: 'dave-desktop-1' }, []);
      // alice's second device, idle, and an answered call beside the ringing ones.
      const { callId: first } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
      const { callId: second } = expectOk(await carol.emit('call:invite', { to: 'dave', media: audio }));
      for (const [d, id] of [[bobDesk, first], [bobPhone, first], [dave, second]] as const) await d.next('call:incoming', (p) => p.callId === id);
      const everyone = [alice, bobDesk, bobPhone, carol, dave];
      const gone = everyone.map((d) => disconnected(d.socket, 20_000));

      await own.stop('nosave');
      await own.restart();
      expect(await Promise.all(gone)).toEqual(everyone.map(() => 'transport close'));
      // Told before the connection closed, exactly once each.
      for (const [d, id] of [[alice, first], [bobDesk, first], [bobPhone, first], [carol, second], [dave, second]] as const) {
        expect(d.events('call:ended')).toEqual([{ callId: id, reason: 'failed' }]);
      }

      // Back on: the calls are over for the server too, and new calls ring.
      const alice2 = await connect(one, logins.alice, { device: 'alice-laptop-01' }, []);
      const bob2 = await connect(two, logins.bob, { device: 'bob-desktop-01' }, []);
      expect(await bob2.emit('call:accept', { callId: first })).toMatchObject({ ok: false, code: 'not_found' });
      // The hang-up the app sends when it is back closes the history row (else the restart sweep does).
      expectOk(await alice2.emit('call:hangup', { callId: first }));
      expect(expectOk(await bob2.emit('history:list', {})).calls[0]).toMatchObject({ callId: first, outcome: 'failed', answeredAt: null });
      const next = await establishCall(alice2, bob2);
      await expectRelay(bob2, alice2, next);
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe('a node killed mid-call', () => {
  it("its clients resume on the other node and the call goes on; the survivor ends what the dead node's devices left", async () => {
    const redisUrl = await (await testRedis()).freshUrl();
    const dataDir = tempDir();
    const env = { PARLEY_REDIS_URL: redisUrl, PARLEY_CALL_GRACE_S: '3', PARLEY_RING_TIMEOUT_S: '600' };
    const doomed = await startChildServer({ dataDir, env });
    const survivor = await startChildServer({ dataDir, env });
    const logins: Record<string, LoginResponse> = {};
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) logins[name] = await register(survivor, name);
    const l = (name: string) => logins[name] as LoginResponse;
    // alice (doomed) ↔ bob (survivor): alice comes back on the survivor.
    const alice = await connect(doomed, l('alice'), { device: 'alice-laptop-01' }, []);
    const bob = await connect(survivor, l('bob'), { device: 'bob-desktop-01' }, ['alice', 'carol']);
    // carol (doomed) ↔ dave (survivor): carol never comes back.
    const carol = await connect(doomed, l('carol'), { device: 'carol-laptop-1' }, []);
    const dave = await connect(survivor, l('dave'), { device: 'dave-desktop-1' }, []);
    // erin (doomed) rings frank (survivor) when the node dies.
    const erin = await connect(doomed, l('erin'), {}, []);
    const frank = await connect(survivor, l('frank'), {}, []);
    const callId = await establishCall(alice, bob);
    const lost = await establishCall(carol, dave);
    const { callId: ringing } = expectOk(await erin.emit('call:invite', { to: 'frank', media: audio }));
    await frank.next('call:incoming', (p) => p.callId === ringing);

    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await disconnected(alice.socket);

    // alice's client reconnects (through a load balancer: to the survivor) and resumes at once.
    const alice2 = await connect(survivor, l('alice'), { device: 'alice-laptop-01' }, []);
    expect(expectOk(await alice2.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'active', polite: false, iceServers: [] });
    await expectRelay(alice2, bob, callId);
    await expectRelay(bob, alice2, callId);
    expectOk(await alice2.emit('call:mute', { callId, muted: true }));
    expect(await bob.next('call:muted')).toEqual({ callId, username: 'alice', muted: true });

    // Once the dead node's key runs out the survivor ends its sessions: carol's
    // device counts as gone, so dave hears it and the call ends after the grace period.
    expect(await dave.next('call:peer-connection', (p) => p.callId === lost, 30_000)).toEqual({ callId: lost, connected: false, username: 'carol' });
    expect(await dave.next('call:ended', (p) => p.callId === lost, 15_000)).toEqual({ callId: lost, reason: 'failed', cause: 'signaling-lost' });
    expect(await frank.next('call:ended', (p) => p.callId === ringing, 15_000)).toEqual({ callId: ringing, reason: 'cancelled' });
    expect(await bob.next('presence:changed', (p) => p.username === 'carol' && p.status === 'offline', 15_000)).toBeTruthy();
    // alice's call was never disturbed by the cleanup.
    await settle(bob);
    expect(bob.events('call:peer-connection').filter((p) => p.callId === callId && !p.connected)).toEqual([]);
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await alice2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    const [entry] = expectOk(await alice2.emit('history:list', {})).calls;
    expect(entry).toMatchObject({ callId, outcome: 'hangup' });
  }, 90_000);
});
