/**
 * Two parley-server nodes sharing a real Redis and one data dir, behind a
 * real nginx: alice's browser reaches node 1 and bob's node 2 (each nginx
 * listener prefers one node and fails over to the other). A call between
 * them works as on one node; then node 1 is killed (SIGKILL) mid-call: audio
 * keeps flowing throughout, alice's app reconnects through nginx to node 2
 * and resumes the call, which both sides and the server still know.
 */
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { closeEnded, e2eTest, user, type User } from './harness.js';
import { endedText, establishCall, expectAudioFlowing, expectAudioThroughout, expectBackInCall, expectCallKnownToServer, poll } from './steps.js';
import { startTwoNodes, type TwoNodes } from './two-nodes.js';

let cluster: TwoNodes;
let alice: User | undefined;
let bob: User | undefined;

beforeAll(async () => {
  cluster = await startTwoNodes(['alice', 'bob']);
}, 60_000);

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
  await cluster?.close();
});

/** Its own servers, nginx and browser (two-nodes.ts): only the failure pictures are the shared fixtures', with nginx's log. */
const it = e2eTest({ onFailure: () => console.error(`nginx error log:\n${cluster.nginx.errorLog()}`) });

describe('two nodes behind nginx', () => {
  it('a call between users on different nodes survives the death of one node: audio throughout, the call resumed on the other', async () => {
    const { nginx, browser, nodes, nodeOf } = cluster;
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
    await expect.poll(() => nodes[1]!.logs().some((line) => line.msg === 'sessions of a dead node ended'), { ...poll, timeout: 30_000 }).toBe(true);
    await expectAudioFlowing(bob.page);
    await expectCallKnownToServer(bob, alice, 'Bob');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(bob.page)).toBe('Alice hung up');
    await closeEnded(alice, bob);
  });
});
