/**
 * A node whose sessions the other nodes ended, because they took it for dead,
 * must not keep its clients on a connection where nothing works any more: it
 * closes their transports, and the clients reconnect (through the load
 * balancer) to a node that can reach Redis and resume their calls there.
 * Two ways a node ends up there: it stalled longer than the node timeout
 * while the others ran, and finds out when it goes on; or it is cut off
 * from Redis (a partition) and, unable to renew its key, must assume it.
 * Redis away from every node past the timeout sends every client away until
 * it is back; away for less, nothing moves.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { BlackHole } from './black-hole.js';
import { connectError, disconnected, startChildServer, type ChildServer } from './cli-helpers.js';
import { connect, type Device, establishCall, expectOk, expectRelay, openSocket, register, settle, tempDir } from './harness.js';
import { RedisServer } from './redis-server.js';
import { testRedis } from './test-stores.js';

const TIMEOUT_MS = 2000;
const HEARTBEAT_MS = TIMEOUT_MS / 4;
const GRACE_S = 3;
const ALICE_DEVICE = 'alice-laptop-01';
const BOB_DEVICE = 'bob-desktop-01';
/** What a node cut off from Redis past the timeout logs as it sends its clients away. */
const CUT_OFF = 'cut off from Redis for longer than the node timeout: the other nodes take this node for dead, so its clients are sent to reconnect elsewhere';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const logged = (node: ChildServer, msg: string) => node.logs().some((l) => l.msg === msg);

/** alice on node `one`, bob on node `two`, in an answered call. */
async function callAcross(
  one: ChildServer,
  two: ChildServer,
): Promise<{ alice: Device; bob: Device; callId: string; login: LoginResponse; bobLogin: LoginResponse }> {
  const login = await register(two, 'alice');
  const bobLogin = await register(two, 'bob');
  const alice = await connect(one, login, { device: ALICE_DEVICE }, []);
  const bob = await connect(two, bobLogin, { device: BOB_DEVICE }, []);
  return { alice, bob, callId: await establishCall(alice, bob), login, bobLogin };
}

/** Two nodes on one Redis, node `one` through a proxy the test can cut. */
async function oneBehindHole(env: Record<string, string>): Promise<{ one: ChildServer; two: ChildServer; hole: BlackHole }> {
  const redis = await testRedis();
  const redisUrl = await redis.freshUrl();
  const hole = await BlackHole.start({ host: '127.0.0.1', port: redis.port });
  onTestFinished(() => hole.close());
  const throughHole = new URL(redisUrl);
  throughHole.port = String(hole.port);
  const dataDir = tempDir();
  const one = await startChildServer({ dataDir, env: { ...env, PARLEY_REDIS_URL: throughHole.toString() } });
  const two = await startChildServer({ dataDir, env: { ...env, PARLEY_REDIS_URL: redisUrl } });
  return { one, two, hole };
}

async function healthz(node: ChildServer): Promise<number> {
  return (await fetch(`${node.url}/healthz`)).status;
}

const REDIS_REFUSAL = { message: "The server's shared state (Redis) is unreachable: try again shortly", code: 'unavailable' };

/** The refusal a device connecting to `node` gets. */
async function refusal(node: ChildServer, login: LoginResponse): Promise<{ message: string; code: string | undefined }> {
  const err = await connectError(openSocket(node.url, { token: login.token, device: ALICE_DEVICE }));
  return { message: err.message, code: err.data?.code };
}

/** alice's client, back through the load balancer on node `two`, resumes the call; it carries on and bob never hears it end. */
async function resumesOn(two: ChildServer, login: LoginResponse, bob: Device, callId: string): Promise<void> {
  const alice = await connect(two, login, { device: ALICE_DEVICE }, []);
  expect(expectOk(await alice.emit('call:resume', { callId }))).toMatchObject({ state: 'active', polite: false });
  await expectRelay(alice, bob, callId);
  await expectRelay(bob, alice, callId);
  // Node two ends the old node's sessions (alice's old one among them); her resumed call is left alone, past the grace period too.
  await expect.poll(() => logged(two, 'sessions of a dead node ended'), { timeout: 10_000, interval: 100 }).toBe(true);
  await sleep(GRACE_S * 1000 + 1000);
  await settle(alice, bob);
  expect(bob.events('call:ended')).toEqual([]);
  expect(alice.events('call:ended')).toEqual([]);
  await expectRelay(bob, alice, callId);
}

describe('a node the other nodes took for dead', () => {
  it('stalled longer than the timeout while the other node ran: when it goes on it closes its clients\' transports, and they resume on the other node', async () => {
    const redisUrl = await (await testRedis()).freshUrl();
    const dataDir = tempDir();
    const env = { PARLEY_REDIS_URL: redisUrl, PARLEY_NODE_TIMEOUT_MS: String(TIMEOUT_MS), PARLEY_CALL_GRACE_S: '20' };
    const one = await startChildServer({ dataDir, env });
    const two = await startChildServer({ dataDir, env });
    const { alice, bob, callId, login } = await callAcross(one, two);

    one.child.kill('SIGSTOP');
    // Node two takes it for dead and ends alice's session there: bob hears her gone.
    await expect.poll(() => logged(two, 'sessions of a dead node ended'), { timeout: 15_000, interval: 100 }).toBe(true);
    expect(await bob.next('call:peer-connection', (p) => p.callId === callId)).toEqual({ callId, connected: false, username: 'alice' });
    const gone = disconnected(alice.socket, 2 * HEARTBEAT_MS + 3000);
    one.child.kill('SIGCONT');
    expect(await gone).toBe('transport close');
    await expect.poll(() => logged(one, 'the other nodes took this node for dead: clients reconnect'), { timeout: 5000, interval: 50 }).toBe(true);

    const alice2 = await connect(two, login, { device: ALICE_DEVICE }, []);
    expect(expectOk(await alice2.emit('call:resume', { callId }))).toMatchObject({ state: 'active', polite: false });
    expect(await bob.next('call:peer-connection', (p) => p.callId === callId && p.connected)).toEqual({ callId, connected: true, username: 'alice' });
    await expectRelay(alice2, bob, callId);
    await expectRelay(bob, alice2, callId);
    await settle(bob);
    expect(bob.events('call:ended')).toEqual([]);
  }, 60_000);

  // cut: the path to Redis refuses (RST); vanish: packets are dropped and Redis's connection looks open, its commands never answered.
  it.each(['cut', 'vanish'] as const)(
    'cut off from Redis (%s): within the timeout and a heartbeat it closes its clients\' transports, refuses them while cut off, and they resume on the other node',
    async (how) => {
      const { one, two, hole } = await oneBehindHole({ PARLEY_NODE_TIMEOUT_MS: String(TIMEOUT_MS), PARLEY_CALL_GRACE_S: String(GRACE_S) });
      const { alice, bob, callId, login } = await callAcross(one, two);

      const gone = disconnected(alice.socket, TIMEOUT_MS + HEARTBEAT_MS + 5000);
      const cutAt = Date.now();
      hole[how]();
      expect(await gone).toBe('transport close');
      // Its last renewal was at most a heartbeat before the cut.
      expect(Date.now() - cutAt).toBeLessThan(TIMEOUT_MS + HEARTBEAT_MS + 1000);
      // The log is written asynchronously: its line can reach this pipe after the clients' sockets closed.
      await expect.poll(() => logged(one, CUT_OFF), { timeout: 5000, interval: 50 }).toBe(true);

      // A client reconnecting to it while it is cut off is refused, and retries (through the balancer: elsewhere).
      expect(await refusal(one, login)).toEqual(REDIS_REFUSAL);
      await resumesOn(two, login, bob, callId);
    },
    60_000,
  );
});

describe('Redis away from every node for longer than the node timeout', () => {
  it('every node sends its clients away and refuses them; once Redis is back (with its data) they reconnect and both sides resume the call', async () => {
    const own = await RedisServer.start();
    onTestFinished(() => own.close());
    const dataDir = tempDir();
    const env = { PARLEY_REDIS_URL: own.url(0), PARLEY_NODE_TIMEOUT_MS: String(TIMEOUT_MS), PARLEY_CALL_GRACE_S: String(GRACE_S) };
    const one = await startChildServer({ dataDir, env });
    const two = await startChildServer({ dataDir, env });
    const { alice, bob, callId, login, bobLogin } = await callAcross(one, two);
    const gone = [disconnected(alice.socket, TIMEOUT_MS + HEARTBEAT_MS + 5000), disconnected(bob.socket, TIMEOUT_MS + HEARTBEAT_MS + 5000)];
    await own.stop('save');
    expect(await Promise.all(gone)).toEqual(['transport close', 'transport close']);
    expect(await refusal(one, login)).toEqual(REDIS_REFUSAL);

    await own.restart();
    const back = 'Redis reachable again: this node accepts connections again';
    await expect.poll(() => logged(one, back) && logged(two, back), { timeout: 15_000, interval: 100 }).toBe(true);
    const alice2 = await connect(one, login, { device: ALICE_DEVICE }, []);
    const bob2 = await connect(two, bobLogin, { device: BOB_DEVICE }, []);
    expect(expectOk(await alice2.emit('call:resume', { callId })).state).toBe('active');
    expect(expectOk(await bob2.emit('call:resume', { callId })).state).toBe('active');
    await expectRelay(alice2, bob2, callId);
    await sleep(GRACE_S * 1000 + 1000);
    await settle(alice2, bob2);
    expect([...alice2.events('call:ended'), ...bob2.events('call:ended')]).toEqual([]);
    await expectRelay(bob2, alice2, callId);
  }, 60_000);
});

describe('a node cut off from Redis for less than the node timeout', () => {
  it('keeps its clients and their calls; a device connecting meanwhile is refused `unavailable` and retries; all carries on when Redis is back', async () => {
    const { one, two, hole } = await oneBehindHole({ PARLEY_NODE_TIMEOUT_MS: '30000', PARLEY_CALL_GRACE_S: String(GRACE_S) });
    const { alice, bob, callId, login } = await callAcross(one, two);
    hole.cut();
    await expect.poll(() => healthz(one), { timeout: 10_000, interval: 100 }).toBe(503);
    expect(await alice.emit('call:mute', { callId, muted: true })).toMatchObject({ ok: false, code: 'unavailable' });
    expect(await refusal(one, login)).toEqual(REDIS_REFUSAL);

    hole.restore();
    await expect.poll(() => healthz(one), { timeout: 10_000, interval: 100 }).toBe(200);
    expect(alice.socket.connected).toBe(true);
    expectOk(await alice.emit('call:mute', { callId, muted: true }));
    expect(await bob.next('call:muted')).toEqual({ callId, username: 'alice', muted: true });
    await expectRelay(bob, alice, callId);
    expect(logged(one, CUT_OFF)).toBe(false);
    // A second device of alice's connects there again.
    await connect(one, login, { device: 'alice-phone-001' }, []);
  }, 60_000);
});
