/**
 * Calls survive the signaling path going away: the server restarting, its
 * port blocked, and a hang-up made while offline. The media is peer to peer,
 * so audio must flow throughout, and afterwards the call must still be
 * known to the server (mute is relayed, hang-up ends it at the peer).
 */
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, closeEnded, inboundAudio, registerUser, screenshotAll, startWorld, user, type User, type World } from './harness.js';
import { banner, endedText, establishCall, expectAudioFlowing, expectAudioThroughout, expectBackInCall, expectCallKnownToServer, poll } from './steps.js';

let world: World;
let alice: User;
let bob: User;

beforeAll(async () => {
  world = await startWorld({ proxy: true });
  for (const name of ['alice', 'bob']) await registerUser(world, name);
  alice = await user(world, 'alice');
  bob = await user(world, 'bob');
}, 60_000);

afterAll(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when beforeAll failed
  await world?.close();
});

afterEach(async ({ task }) => {
  if (task.result?.state === 'fail') await screenshotAll(task.name, alice, bob);
  world.proxy?.restore();
  await closeEnded(alice, bob);
});


/** Both sides show that the server is unreachable while the call goes on. */
async function expectOfflineInCall(...users: User[]): Promise<void> {
  for (const u of users) {
    await expect.poll(() => banner(u).textContent(), poll).toBe('Reconnecting to the server… the call goes on.');
    expect(await u.page.locator('section.call').getAttribute('data-state')).toMatch(/^(active|reconnecting)$/);
  }
}


describe('calls survive the loss of the signaling server', () => {
  it('the server restarts mid-call: audio flows throughout and the call is intact afterwards', async () => {
    await establishCall(alice, bob, 'Bob');
    await world.stopServer();
    await expectOfflineInCall(alice, bob);
    expect(await expectAudioThroughout(4000, alice, bob)).toBeGreaterThanOrEqual(6);
    await world.startServer();
    await expectBackInCall(alice, bob);
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(bob.page);
    await expectCallKnownToServer(alice, bob, 'Alice');
    await expectCallKnownToServer(bob, alice, 'Bob');
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(alice.page)).toBe('Bob hung up');
  });

  it("the server's port is blocked mid-call: audio flows throughout, mute works offline, and the call is intact afterwards", async () => {
    await establishCall(alice, bob, 'Bob');
    world.proxy?.cut();
    await expectOfflineInCall(alice, bob);
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'in-call-server-unreachable.png') });
    expect(await expectAudioThroughout(5000, alice, bob)).toBeGreaterThanOrEqual(8);
    // Mute works offline (the media is local and peer to peer); the peer learns of it on reconnect.
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(async () => (await inboundAudio(bob.page))?.audioLevel ?? 1, poll).toBeLessThan(0.01);
    world.proxy?.restore();
    await expectBackInCall(alice, bob);
    await expect.poll(() => bob.page.locator('.peer-muted').textContent(), poll).toBe('Alice muted their microphone');
    await alice.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();
    await expectAudioFlowing(bob.page);
    await expectAudioFlowing(alice.page);
    await expectCallKnownToServer(bob, alice, 'Bob');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(bob.page)).toBe('Alice hung up');
  });

  it('a hang-up made while offline reaches the peer once the connection is back', async () => {
    await establishCall(alice, bob, 'Bob');
    world.proxy?.cut();
    await expectOfflineInCall(alice, bob);
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(bob.page)).toBe('Call ended');
    // alice cannot know yet: her side still holds the call.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await alice.page.locator('section.call').getAttribute('data-state')).toMatch(/^(active|reconnecting)$/);
    world.proxy?.restore();
    expect(await endedText(alice.page)).toBe('Bob hung up');
  });

  it('a window reloaded mid-call rejoins it: audio back both ways within seconds, the peer never sees an end, history holds one answered call', async () => {
    await establishCall(alice, bob, 'Bob');
    const callId = await alice.page.evaluate(() => sessionStorage.getItem('parley.call.v1'));
    expect(callId).toContain('callId');
    await alice.page.reload();
    const loadedAt = Date.now();
    // Rejoined: the same call (its timer goes on), media back both ways.
    await expect.poll(() => alice.page.locator('section.call').getAttribute('data-state').catch(() => null), poll).toMatch(/^(active|reconnecting)$/);
    const back = { ...poll, timeout: 5000 };
    await expect.poll(async () => ((await inboundAudio(alice.page))?.audioLevel ?? 0) > 0.01 && ((await inboundAudio(bob.page))?.audioLevel ?? 0) > 0.01, back).toBe(true);
    console.info(`reload rejoin: audio both ways ${Date.now() - loadedAt} ms after the page loaded`);
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(bob.page);
    expect(await bob.page.locator('section.call').getAttribute('data-state')).toMatch(/^(active|reconnecting)$/);
    await expectCallKnownToServer(bob, alice, 'Bob');
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(alice.page)).toBe('Bob hung up');
    await closeEnded(alice, bob);
    for (const u of [alice, bob]) {
      await u.page.getByRole('button', { name: /^History/ }).click();
      const rows = u.page.locator('section[aria-labelledby="history-title"] li');
      await expect.poll(() => rows.first().locator('.outcome').textContent(), poll).toBe('Answered');
    }
    // The reload did not leave a failed entry behind: the newest two are this call and the one before it.
    expect(await alice.page.locator('section[aria-labelledby="history-title"] li .outcome', { hasText: /Failed|Connection lost/ }).count()).toBe(0);
    await alice.page.getByRole('button', { name: 'Contacts' }).click();
    await bob.page.getByRole('button', { name: 'Contacts' }).click();
  });
});
