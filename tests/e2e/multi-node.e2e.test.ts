/**
 * Two parley-server nodes sharing a real Redis and one data dir, behind a
 * real nginx: alice's browser reaches node 1 and bob's node 2 (each nginx
 * listener prefers one node and fails over to the other). A call between
 * them works as on one node; then node 1 is killed (SIGKILL) mid-call: audio
 * keeps flowing throughout, alice's app reconnects through nginx to node 2
 * and resumes the call, which both sides and the server still know.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from '../../signaling-server/test/cli-helpers.js';
import { RedisServer } from '../../signaling-server/test/redis-server.js';
import { closeEnded, launchChromium, registerUser, screenshotAll, user, WEB_ROOT, writeToneWav, type User } from './harness.js';
import { Nginx } from './nginx.js';
import { endedText, establishCall, expectAudioFlowing, expectAudioThroughout, expectBackInCall, expectCallKnownToServer, poll } from './steps.js';

let dir: string;
let redis: RedisServer;
let nginx: Nginx;
let browser: Browser;
let alice: User | undefined;
let bob: User | undefined;
const nodes: ChildServer[] = [];

/** Where a user's device connected last, by the nodes' own logs. */
function nodeOf(username: string): number {
  let found = -1;
  let at = 0;
  nodes.forEach((node, i) => {
    for (const line of node.logs()) {
      if (line.msg === 'device connected' && line.username === username && (line.time as number) >= at) {
        found = i;
        at = line.time as number;
      }
    }
  });
  return found;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'parley-e2e-nodes-'));
  redis = await RedisServer.start();
  const env = {
    PARLEY_REDIS_URL: redis.url(0),
    PARLEY_WEB_ROOT: WEB_ROOT,
    PARLEY_MESSAGE_RATE: '1000',
    PARLEY_MESSAGE_BURST: '1000',
    PARLEY_TRUST_PROXY: 'loopback',
  };
  // One after the other: the first creates the database and the token secret, the second opens them.
  for (let i = 0; i < 2; i++) nodes.push(await startChildServer({ dataDir: path.join(dir, 'data'), env }));
  nginx = await Nginx.start(nodes.map((n) => Number(new URL(n.url).port)));
  const wav = path.join(dir, 'tone.wav');
  writeToneWav(wav);
  browser = await launchChromium(wav);
  for (const name of ['alice', 'bob']) await registerUser({ url: nginx.urls[0]! }, name);
}, 60_000);

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
  await browser?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
  await nginx?.close();
  for (const node of nodes) if (node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
  await redis?.close();
  rmSync(dir, { recursive: true, force: true });
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') {
    await screenshotAll(task.name, alice, bob);
    console.error(`nginx error log:\n${nginx.errorLog()}`);
  }
});

describe('two nodes behind nginx', () => {
  it('a call between users on different nodes survives the death of one node: audio throughout, the call resumed on the other', async () => {
    alice = await user({ url: nginx.urls[0]!, browser }, 'alice');
    bob = await user({ url: nginx.urls[1]!, browser }, 'bob');
    expect([nodeOf('alice'), nodeOf('bob')]).toEqual([0, 1]);

    await establishCall(alice, bob, 'Bob');
    // The signaling crosses nodes: mute on one side shows on the other, both ways.
    await expectCallKnownToServer(alice, bob, 'Alice');
    await expectCallKnownToServer(bob, alice, 'Bob');

    nodes[0]!.child.kill('SIGKILL');
    await nodes[0]!.exited;
    // Audio is peer to peer: it never stops while alice's app finds the other node.
    expect(await expectAudioThroughout(5000, alice, bob)).toBeGreaterThanOrEqual(8);
    await expect.poll(() => nodeOf('alice'), { ...poll, timeout: 25_000 }).toBe(1);
    await expectBackInCall(alice, bob);
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(bob.page);
    await expectCallKnownToServer(alice, bob, 'Alice');
    await expectCallKnownToServer(bob, alice, 'Bob');

    // After the dead node's sessions are ended by the survivor, the call is still there.
    await new Promise((r) => setTimeout(r, 10_000));
    await expectAudioFlowing(bob.page);
    await expectCallKnownToServer(bob, alice, 'Bob');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(bob.page)).toBe('Alice hung up');
    await closeEnded(alice, bob);
  });
});
