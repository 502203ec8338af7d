/**
 * A room of three survives its server crashing: the real parley-server in a
 * child process is killed with SIGKILL mid-call and started again on the same
 * port and data dir. The media is peer to peer, so every pair's audio flows
 * while it is down; once it is back, each app claims the call again and the
 * server rebuilds the room from the claims: within 5 s every page is back in
 * the call with everyone, audio on every pair, and the room is the server's
 * again (a mute is relayed, a leave is told, the others go on).
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { crashScene, type CrashScene } from './crashable-server.js';
import { callPanel, e2eTest, type User } from './harness.js';
import { expectEveryoneBack, expectHearsEveryone, expectMeshAudioThroughout, expectReceivesEveryone, joinRoom, leave } from './rooms.js';
import { banner, eachOf, poll } from './steps.js';

const NAMES = ['alice', 'bob', 'carol'] as const;
const title = (n: string) => n[0]!.toUpperCase() + n.slice(1);

let scene: CrashScene | undefined;
const users: User[] = [];

beforeAll(async () => {
  scene = await crashScene(NAMES);
  users.push(...scene.users);
}, 90_000);

afterAll(async () => {
  await scene?.close();
});

/** Its own server (one it can kill) and browser (crashScene): only the failure pictures are the shared fixtures'. */
const it = e2eTest();

it('three in a room, the server SIGKILLed and restarted: audio on every pair throughout, and within 5 s of it being back everyone is back in the room', async () => {
  const server = scene!.server;
  const [alice, bob, carol] = users as [User, User, User];
  const others = (u: User) => users.filter((o) => o !== u).map((o) => title(o.name));
  for (const u of users) await joinRoom(u, 'standup');
  await eachOf(users, (u) => expectHearsEveryone(u, others(u)));

  // Peer to peer: no pair's audio stops while the server is gone, nor while the apps come back.
  const throughout = expectMeshAudioThroughout(8000, ...users);
  throughout.catch(() => undefined); // awaited below
  await server.kill();
  for (const u of users) await expect.poll(() => banner(u).count(), poll).toBe(1);
  await server.restart();
  // Every page in the room again with everyone back, audio on every pair. The 5 s bound is read from the
  // server's own log below, not from when these polls of three pages on a loaded machine notice it.
  const settled = { timeout: 30_000, interval: 100 };
  await Promise.all(
    users.map(async (u) => {
      await expect.poll(() => banner(u).count(), settled).toBe(0);
      await expectEveryoneBack(u, others(u), settled);
    }),
  );
  // The server rebuilt the room from the claims: one restore, the last one back within 5 s of it listening.
  const logs = server.child.logs();
  const listening = logs.find((l) => l.msg === 'parley-server listening')?.time as number;
  const claimed = logs.filter((l) => l.msg === 'call restored from its claims after a restart' || l.msg === 'back in a call restored after a restart');
  expect(claimed.map((l) => l.msg)).toEqual(['call restored from its claims after a restart', 'back in a call restored after a restart']);
  expect((claimed.at(-1)?.time as number) - listening, 'the last claim, ms after the server listened').toBeLessThanOrEqual(5000);
  expect(await throughout).toBeGreaterThanOrEqual(8);
  await eachOf(users, (u) => expectReceivesEveryone(u, 2));

  // It stays the server's room: a mute is relayed to everyone, and a leave is told.
  await carol.page.getByRole('button', { name: 'Mute', exact: true }).click();
  for (const u of [alice, bob]) {
    await expect.poll(() => callPanel(u.page).locator('.participant', { hasText: 'Carol' }).getAttribute('data-muted'), poll).toBe('true');
  }
  await carol.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();
  await leave(carol);
  for (const u of [alice, bob]) await callPanel(u.page).locator('.participant', { hasText: 'Carol' }).waitFor({ state: 'detached' });
  await expectHearsEveryone(alice, ['Bob']);
  await expectHearsEveryone(bob, ['Alice']);
  for (const u of [alice, bob]) expect(await callPanel(u.page).getAttribute('data-state')).toBe('active');
});
