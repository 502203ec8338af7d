/**
 * Nodes that stall (SIGSTOP, a paused VM, a machine too busy to run them)
 * for longer than the node timeout, then go on. The whole machine stalling
 * must not make each node end the other's sessions when it resumes; one node
 * stalling alone must not end the sessions of the node that kept running.
 */
import { describe, expect, it, onTestFailed, onTestFinished } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { startChildServer, type ChildServer } from './cli-helpers.js';
import { connect, type Device, establishCall, expectRelay, register, settle, tempDir } from './harness.js';
import { RedisServer } from './redis-server.js';
import { testRedis } from './test-stores.js';

const TIMEOUT_MS = 2000;

async function twoChildNodes(redisUrl: string): Promise<[ChildServer, ChildServer]> {
  const dataDir = tempDir();
  const env = { PARLEY_REDIS_URL: redisUrl, PARLEY_NODE_TIMEOUT_MS: String(TIMEOUT_MS), PARLEY_CALL_GRACE_S: '3' };
  const nodes: [ChildServer, ChildServer] = [await startChildServer({ dataDir, env }), await startChildServer({ dataDir, env })];
  // A failure here is a matter of timing across processes: what each node said of its heartbeats is the evidence.
  onTestFailed(() => {
    for (const [i, node] of nodes.entries()) console.error(`node ${i + 1}:\n${node.logs().filter((l) => l.level >= 40).map((l) => JSON.stringify(l)).join('\n')}`);
  });
  return nodes;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a stall must not have caused on a device: its call's peer counted gone, its call ended, its connection closed. */
function undisturbed(device: Device, callId: string) {
  return {
    connected: device.socket.connected,
    peerLost: device.events('call:peer-connection').filter((p) => p.callId === callId && !p.connected).length,
    ended: device.events('call:ended').length,
  };
}

describe('a node stalled longer than the node timeout', () => {
  it('both nodes stalled together (the machine stalled): neither ends the other one\'s sessions when they go on', async () => {
    // Its own Redis, which stalls with the nodes and answers a little after they resume (a machine catching up).
    const redis = await RedisServer.start();
    onTestFinished(() => redis.close());
    const [one, two] = await twoChildNodes(redis.url());
    const logins: Record<string, LoginResponse> = {};
    for (const name of ['alice', 'bob']) logins[name] = await register(one, name);
    const alice = await connect(one, logins.alice!, { device: 'alice-laptop-01' }, []);
    const bob = await connect(two, logins.bob!, { device: 'bob-desktop-01' }, ['alice']);
    const callId = await establishCall(alice, bob);
    redis.pause();
    // Redis first, past a heartbeat: each node's beat is waiting for it when the nodes stop, and has waited
    // only since they resumed (neither takes itself for cut off from Redis).
    await sleep(TIMEOUT_MS * 0.3);
    for (const node of [one, two]) node.child.kill('SIGSTOP');
    await sleep(TIMEOUT_MS * 2);
    for (const node of [one, two]) node.child.kill('SIGCONT');
    // Past a heartbeat: the nodes' first beats wait for Redis across their next tick.
    await sleep(TIMEOUT_MS * 0.3);
    redis.resume();
    // Long enough for each node to sweep twice over.
    await sleep(TIMEOUT_MS * 3);
    await settle(alice, bob);
    expect(undisturbed(alice, callId)).toEqual({ connected: true, peerLost: 0, ended: 0 });
    expect(undisturbed(bob, callId)).toEqual({ connected: true, peerLost: 0, ended: 0 });
    await expectRelay(alice, bob, callId);
    await expectRelay(bob, alice, callId);
    expect(bob.events('presence:changed').filter((p) => p.username === 'alice' && p.status === 'offline')).toEqual([]);
  }, 60_000);

  it("one node stalled alone: the node that kept running keeps its sessions and its own calls", async () => {
    const [one, two] = await twoChildNodes(await (await testRedis()).freshUrl());
    const logins: Record<string, LoginResponse> = {};
    for (const name of ['alice', 'bob', 'carol', 'dave']) logins[name] = await register(one, name);
    const alice = await connect(one, logins.alice!, { device: 'alice-laptop-01' }, []);
    const bob = await connect(two, logins.bob!, { device: 'bob-desktop-01' }, []);
    const carol = await connect(two, logins.carol!, { device: 'carol-desktop1' }, []);
    const dave = await connect(two, logins.dave!, { device: 'dave-desktop-1' }, []);
    // alice's call with bob crosses the nodes: what becomes of it depends on alice coming back (multi-node-outages.test.ts).
    await establishCall(alice, bob);
    const local = await establishCall(carol, dave);
    one.child.kill('SIGSTOP');
    await sleep(TIMEOUT_MS * 3);
    one.child.kill('SIGCONT');
    await sleep(TIMEOUT_MS * 3);
    await settle(carol, dave, bob);
    // Node two's own call never noticed.
    expect(undisturbed(carol, local)).toEqual({ connected: true, peerLost: 0, ended: 0 });
    expect(undisturbed(dave, local)).toEqual({ connected: true, peerLost: 0, ended: 0 });
    await expectRelay(carol, dave, local);
    // bob's session is whole: his connection was never closed.
    expect(bob.socket.connected).toBe(true);
  }, 60_000);
});
