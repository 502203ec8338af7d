/**
 * A room of three on two nodes behind nginx (two-nodes.ts) survives the loss
 * of the node that held it, and then Redis losing its data: alice opens the
 * room and she and carol are on node 1, bob on node 2. Node 1 is killed
 * (SIGKILL) mid-call: every pair's audio flows throughout, alice's and
 * carol's apps reconnect through nginx to node 2 and resume the room within
 * 5 s, and once node 2 has ended what node 1's devices left behind, the room
 * is still everyone's. Then Redis restarts without its data: node 2 asks every
 * app to reconnect, each claims the room again and the server rebuilds it
 * from the claims, audio on every pair throughout. Afterwards a mute is
 * relayed, a leave is told, the others go on.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { callPanel, e2eTest, user, type User } from './harness.js';
import { expectEveryoneBack, expectHearsEveryone, expectMeshAudioThroughout, expectReceivesEveryone, joinRoom, leave } from './rooms.js';
import { banner, eachOf, poll } from './steps.js';
import { startTwoNodes, type TwoNodes } from './two-nodes.js';

const title = (n: string) => n[0]!.toUpperCase() + n.slice(1);

let cluster: TwoNodes;
const users: User[] = [];

beforeAll(async () => {
  cluster = await startTwoNodes(['alice', 'bob', 'carol']);
}, 60_000);

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
  await cluster?.close();
});

/** Its own servers, nginx and browser (two-nodes.ts): only the failure pictures are the shared fixtures', with nginx's log. */
const it = e2eTest({ onFailure: () => console.error(`nginx error log:\n${cluster.nginx.errorLog()}`) });

it('a room of three survives the death of the node that held it (everyone back on the other node within 5 s), then Redis losing its data; audio on every pair throughout', async () => {
  const { nginx, browser, nodes, nodeOf } = cluster;
  for (const [name, listener] of [['alice', 0], ['bob', 1], ['carol', 0]] as const) users.push(await user({ url: nginx.urls[listener]!, browser }, name));
  const [alice, bob, carol] = users as [User, User, User];
  await expect.poll(() => users.map((u) => nodeOf(u.name)), poll).toEqual([0, 1, 0]);
  const others = (u: User) => users.filter((o) => o !== u).map((o) => title(o.name));
  for (const u of users) await joinRoom(u, 'standup');
  await eachOf(users, (u) => expectHearsEveryone(u, others(u)));

  const throughout = expectMeshAudioThroughout(8000, ...users);
  throughout.catch(() => undefined); // awaited below
  nodes[0]!.child.kill('SIGKILL');
  const killed = Date.now();
  await nodes[0]!.exited;
  const deadline = { timeout: killed + 5000 - Date.now(), interval: 100 };
  await Promise.all(
    users.map(async (u) => {
      await expect.poll(() => nodeOf(u.name), deadline).toBe(1);
      await expect.poll(() => banner(u).count(), deadline).toBe(0);
      await expectEveryoneBack(u, others(u), deadline);
    }),
  );
  expect(Date.now() - killed).toBeLessThanOrEqual(5000);
  expect(await throughout).toBeGreaterThanOrEqual(8);

  // Node 2 takes node 1 for dead (its key runs out) and ends the sessions it left: the room is untouched.
  await expect.poll(() => nodes[1]!.logs().some((l) => l.msg === 'sessions of a dead node ended'), { timeout: 20_000, interval: 500 }).toBe(true);
  for (const u of users) {
    await expectEveryoneBack(u, others(u));
    await expectReceivesEveryone(u, 2);
  }

  // Redis loses everything: the room is claimed back from history.
  const again = expectMeshAudioThroughout(8000, ...users);
  again.catch(() => undefined); // awaited below
  await cluster.redis.stop('nosave');
  await cluster.redis.restart();
  await expect.poll(() => nodes[1]!.logs().some((l) => l.msg === 'call restored from its claims after a restart'), poll).toBe(true);
  for (const u of users) {
    await expect.poll(() => banner(u).count(), poll).toBe(0);
    await expectEveryoneBack(u, others(u));
  }
  expect(await again).toBeGreaterThanOrEqual(8);
  await carol.page.getByRole('button', { name: 'Mute', exact: true }).click();
  for (const u of [alice, bob]) {
    await expect.poll(() => callPanel(u.page).locator('.participant', { hasText: 'Carol' }).getAttribute('data-muted'), poll).toBe('true');
  }
  await leave(carol);
  for (const u of [alice, bob]) await callPanel(u.page).locator('.participant', { hasText: 'Carol' }).waitFor({ state: 'detached' });
  await expectHearsEveryone(alice, ['Bob']);
  await expectHearsEveryone(bob, ['Alice']);
});
