/**
 * Several nodes sharing state through a real Redis (redis-server started by
 * the test) and one data dir: a user on one node calls a user on another and
 * everything behaves as on one node; an answer race across nodes has one
 * winner; Redis restarting mid-call; and a node killed (SIGKILL) mid-call,
 * whose clients resume on the other node while the survivor ends what the
 * dead node's devices left behind.
 */
import { describe, expect, it } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { disconnected, startChildServer } from './cli-helpers.js';
import { RedisServer } from './redis-server.js';
import { connect, type Device, establishCall, expectOk, register, settle, startTestServer, tempDir, type TestServer } from './harness.js';
import { testRedis } from './test-stores.js';

const audio = { audio: true, video: false };

/** Two in-process nodes on one fresh Redis database and one data dir. */
async function twoNodes(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<[TestServer, TestServer]> {
  const redisUrl = await (await testRedis()).freshUrl();
  const dataDir = tempDir();
  const one = await startTestServer({ dataDir, redisUrl, ...overrides });
  const two = await startTestServer({ dataDir, redisUrl, ...overrides });
  return [one, two];
}

async function expectRelay(from: Device, to: Device, callId: string): Promise<void> {
  const candidate = { candidate: `candidate:${Math.random()} 1 udp 1 10.0.0.1 9 typ host`, sdpMid: '0' };
  const arrived = to.next('call:signal', (p) => p.callId === callId && p.candidate?.candidate === candidate.candidate);
  expectOk(await from.emit('call:signal', { callId, candidate }));
  await arrived;
}

async function healthz(server: { url: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('two nodes sharing state through Redis', () => {
  it('a user on node 1 calls a user on node 2: presence, ringing, accept, relay, mute, hang-up and history as on one node', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob') };
    const alice = await connect(one, logins.alice, {}, ['bob']);
    const bob = await connect(two, logins.bob, {}, ['alice']);
    // Each sees the other online, though they are on different nodes.
    expect(expectOk(await alice.emit('presence:watch', { usernames: ['bob'] })).presence).toEqual([{ username: 'bob', status: 'available' }]);
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'away');
    expectOk(await bob.emit('presence:set', { status: 'available' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');

    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    expect(await bob.next('call:incoming')).toMatchObject({ callId, from: { username: 'alice', displayName: 'Alice' }, polite: true });
    await alice.next('call:ringing', (p) => p.callId === callId);
    expect(expectOk(await bob.emit('call:accept', { callId }))).toMatchObject({ polite: true });
    expect(await alice.next('call:accepted')).toEqual({ callId, polite: false });
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'busy');
    await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'busy');

    await expectRelay(alice, bob, callId);
    await expectRelay(bob, alice, callId);
    expectOk(await bob.emit('call:mute', { callId, muted: true }));
    expect(await alice.next('call:muted')).toEqual({ callId, username: 'bob', muted: true });

    expectOk(await alice.emit('call:hangup', { callId }));
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'available');
    // Both nodes serve the same history.
    for (const d of [alice, bob]) {
      const [entry] = expectOk(await d.emit('history:list', {})).calls;
      expect(entry).toMatchObject({ callId, outcome: 'hangup' });
      expect(entry?.answeredAt).not.toBeNull();
    }
    // Signing off on node 2 reaches the watcher on node 1.
    bob.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'offline');
  });

  it('a caller already in a call on one node is refused on the other, and a busy callee is busy from everywhere', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob'), carol: await register(one, 'carol') };
    const alice = await connect(one, logins.alice);
    const bob = await connect(two, logins.bob);
    const alice2 = await connect(two, logins.alice);
    const carol = await connect(two, logins.carol);
    await establishCall(alice, bob);
    expect(await alice2.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    expect(await carol.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: false, code: 'busy' });
  });

  it('two devices answering at the same moment on different nodes: exactly one wins, every time', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob') };
    const alice = await connect(one, logins.alice, {}, []);
    const bobOne = await connect(one, logins.bob, { device: 'bob-desk-0001' }, []);
    const bobTwo = await connect(two, logins.bob, { device: 'bob-phone-001' }, []);
    const ROUNDS = 25;
    const winners = { one: 0, two: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
      await Promise.all([bobOne.next('call:incoming', (p) => p.callId === callId), bobTwo.next('call:incoming', (p) => p.callId === callId)]);
      const [a, b] = await Promise.all([bobOne.emit('call:accept', { callId }), bobTwo.emit('call:accept', { callId })]);
      expect([a.ok, b.ok].filter(Boolean), `round ${i}: ${JSON.stringify([a, b])}`).toHaveLength(1);
      const [winner, loser] = a.ok ? [bobOne, bobTwo] : [bobTwo, bobOne];
      winners[a.ok ? 'one' : 'two']++;
      expect((a.ok ? b : a).ok).toBe(false);
      expect(await loser.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'answered-elsewhere' });
      await alice.next('call:accepted', (p) => p.callId === callId);
      expect(alice.events('call:accepted').filter((p) => p.callId === callId)).toHaveLength(1);
      expectOk(await winner.emit('call:hangup', { callId }));
      await alice.next('call:ended', (p) => p.callId === callId);
    }
    expect(winners.one + winners.two).toBe(ROUNDS);
    const history = expectOk(await alice.emit('history:list', { limit: ROUNDS })).calls;
    expect(history).toHaveLength(ROUNDS);
    expect(history.every((c) => c.outcome === 'hangup' && c.answeredAt !== null)).toBe(true);
  });

  it('the ring timeout of a call is enforced and cleared across nodes', async () => {
    const [one, two] = await twoNodes({ ringTimeoutS: 1 });
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob') };
    const alice = await connect(one, logins.alice, {}, []);
    const bob = await connect(two, logins.bob, {}, []);
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    expect(await bob.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'no-answer' });
    // Answered on node 2 within the timeout set on node 1: the call outlives the timeout.
    const answered = await establishCall(alice, bob);
    await new Promise((r) => setTimeout(r, 2500));
    await expectRelay(alice, bob, answered);
    expect(alice.events('call:ended').filter((p) => p.callId === answered)).toHaveLength(0);
  });
});

describe('Redis going away and coming back', () => {
  it('while Redis is down requests get `unavailable` and /healthz fails naming it; after it restarts the call goes on and new calls work', async () => {
    // This test restarts Redis, so it gets one of its own.
    const own = await RedisServer.start();
    try {
      const redisUrl = own.url(0);
      const dataDir = tempDir();
      const one = await startTestServer({ dataDir, redisUrl });
      const two = await startTestServer({ dataDir, redisUrl });
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
      const carol = await connect(one, logins.carol, {}, []);
      expect(await carol.emit('call:invite', { to: 'alice', media: audio })).toMatchObject({ ok: false, code: 'busy' });
    } finally {
      await own.close();
    }
  }, 60_000);

  it('Redis restarting without its data: clients are asked to reconnect, both sides claim the call and it goes on', async () => {
    const own = await RedisServer.start();
    try {
      const redisUrl = own.url(0);
      const dataDir = tempDir();
      const one = await startTestServer({ dataDir, redisUrl });
      const two = await startTestServer({ dataDir, redisUrl });
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
    expect(expectOk(await alice2.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'active', polite: false });
    await expectRelay(alice2, bob, callId);
    await expectRelay(bob, alice2, callId);
    expectOk(await alice2.emit('call:mute', { callId, muted: true }));
    expect(await bob.next('call:muted')).toEqual({ callId, username: 'alice', muted: true });

    // Once the dead node's key runs out the survivor ends its sessions: carol's
    // device counts as gone, so dave hears it and the call ends after the grace period.
    expect(await dave.next('call:peer-connection', (p) => p.callId === lost, 30_000)).toEqual({ callId: lost, connected: false, username: 'carol' });
    expect(await dave.next('call:ended', (p) => p.callId === lost, 15_000)).toEqual({ callId: lost, reason: 'failed' });
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
