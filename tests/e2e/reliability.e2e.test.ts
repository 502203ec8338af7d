/**
 * Calls survive the signaling path going away: the server restarting, its
 * port blocked, and a hang-up made while offline. The media is peer to peer,
 * so audio must flow throughout, and afterwards the call must still be
 * known to the server (mute is relayed, hang-up ends it at the peer). A
 * window reloaded mid-call rejoins it as the person left it.
 */
import path from 'node:path';
import { describe, expect } from 'vitest';
import { ARTIFACTS, closeEnded, e2eTest, inboundAudio, type User } from './harness.js';
import { expectChat, expectNoTile, expectTile, expectVideoFlowing, sendChat } from './media.js';
import { answerCall, banner, endedText, establishCall, expectAudioFlowing, expectAudioThroughout, expectBackInCall, expectCallKnownToServer, poll, waitState } from './steps.js';
import { checkScreen, shoot } from './ui-checks.js';

const it = e2eTest({
  world: { proxy: true },
  team: ['alice', 'bob'],
  afterEach: async ({ team: { alice, bob }, world }) => {
    world.proxy?.restore();
    await closeEnded(alice, bob);
  },
});

/** Both sides show that the server is unreachable while the call goes on. */
async function expectOfflineInCall(...users: User[]): Promise<void> {
  for (const u of users) {
    await expect.poll(() => banner(u).textContent(), poll).toBe('Reconnecting to the server… the call goes on.');
    expect(await u.page.locator('section.call').getAttribute('data-state')).toMatch(/^(active|reconnecting)$/);
  }
}


describe('calls survive the loss of the signaling server', () => {
  it('the server restarts mid-call: audio flows throughout and the call is intact afterwards', async ({ team: { alice, bob }, world }) => {
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

  it("the server's port is blocked mid-call: audio flows throughout, mute works offline, and the call is intact afterwards", async ({ team: { alice, bob }, world }) => {
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

  it('a hang-up made while offline reaches the peer once the connection is back', async ({ team: { alice, bob }, world }) => {
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

  it('a window reloaded mid-call rejoins it: audio back both ways within 5 s of the reload, the peer sees it reconnecting and never an end, history holds one answered call', async ({ team: { alice, bob } }) => {
    const historyRows = (u: User) => u.page.locator('section[aria-labelledby="history-title"] li');
    const before = new Map<User, number>();
    for (const u of [alice, bob]) {
      await u.page.getByRole('button', { name: /^History/ }).click();
      // History's screen is in a chunk loaded on demand: counted once it is shown.
      await u.page.locator('section[aria-labelledby="history-title"]').waitFor();
      before.set(u, await historyRows(u).count());
      await u.page.getByRole('button', { name: 'Contacts' }).click();
    }
    await establishCall(alice, bob, 'Bob');
    const callId = await alice.page.evaluate(() => sessionStorage.getItem('parley.call.v1'));
    expect(callId).toContain('callId');
    // What bob's screen says about alice while she is gone, sampled every 50 ms.
    const bobPcs = await bob.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length);
    await bob.page.evaluate(() => {
      const w = window as unknown as { __seen: string[]; __watch: number };
      w.__seen = [];
      w.__watch = window.setInterval(() => {
        const call = document.querySelector('section.call');
        const words = [...(call?.querySelectorAll('[role="status"], .stage-header, [data-username="alice"]') ?? [])].map((e) => e.textContent.replace(/\s+/g, ' ').trim()).join(' / ');
        const seen = call ? `${call.getAttribute('data-state')}: ${words}` : 'no call';
        if (w.__seen.at(-1) !== seen) w.__seen.push(seen);
      }, 50);
    });
    const reloadAt = Date.now();
    await alice.page.reload();
    // Rejoined: the same call (its timer goes on), media back both ways, bob on his new connection to her.
    await expect.poll(() => bob.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length), poll).toBeGreaterThan(bobPcs);
    await expect
      .poll(async () => ((await inboundAudio(alice.page))?.audioLevel ?? 0) > 0.01 && ((await inboundAudio(bob.page))?.audioLevel ?? 0) > 0.01, { ...poll, interval: 100 })
      .toBe(true);
    const backMs = Date.now() - reloadAt;
    console.info(`reload rejoin: audio both ways ${backMs} ms after the reload`);
    expect(backMs).toBeLessThanOrEqual(5000);
    expect(await alice.page.locator('section.call').getAttribute('data-state')).toMatch(/^(active|reconnecting)$/);
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(bob.page);
    const seen = await bob.page.evaluate(() => {
      const w = window as unknown as { __seen: string[]; __watch: number };
      clearInterval(w.__watch);
      return w.__seen;
    });
    console.info(`what bob saw: ${seen.join(' | ')}`);
    // Never an end or a closed call; alice's tile says she is reconnecting while she is away.
    expect(seen.every((s) => /^(active|reconnecting): /.test(s)), seen.join(' | ')).toBe(true);
    expect(seen.some((s) => /Reconnecting…/.test(s)), seen.join(' | ')).toBe(true);
    await expectCallKnownToServer(bob, alice, 'Bob');
    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(alice.page)).toBe('Bob hung up');
    await closeEnded(alice, bob);
    for (const u of [alice, bob]) {
      await u.page.getByRole('button', { name: /^History/ }).click();
      // Exactly one entry for the call, answered (the reload left no failed or second entry).
      await expect.poll(() => historyRows(u).count(), poll).toBe(before.get(u)! + 1);
      expect(await historyRows(u).first().locator('.outcome').textContent()).toBe('Answered');
      await u.page.getByRole('button', { name: 'Contacts' }).click();
    }
  });

  it('a window reloaded in a video call comes back as it was: camera on and reaching the peer, still muted (the peer hears nothing and sees it), the chat kept; the screen share stopped, says so, and shares again in one click', async ({ team: { alice, bob } }) => {
    const pcs = (u: User) => u.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length);
    await alice.page.getByRole('button', { name: 'Contacts' }).click();
    await alice.page.getByRole('button', { name: 'Video call Bob', exact: true }).click();
    await answerCall(bob);
    await waitState(alice.page, 'active');
    await expectTile([bob], 'Alice', 'camera');
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(() => bob.page.locator('.peer-muted').textContent(), poll).toBe('Alice muted their microphone');
    await sendChat(alice, 'before the reload');
    await sendChat(bob, 'got it');
    const lines: [string, string][] = [['You', 'before the reload'], ['Bob', 'got it']];
    await expectChat([[alice, lines]]);
    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    await expectTile([bob], 'Alice', 'screen');
    const bobPcs = await pcs(bob);

    await alice.page.reload();
    // Back on a new connection, which bob offers.
    await expect.poll(() => pcs(bob), poll).toBeGreaterThan(bobPcs);
    await waitState(alice.page, 'active');
    // The camera came back on by itself and reaches bob.
    await expect.poll(() => alice.page.locator('figure.tile.self video').count(), poll).toBe(1);
    await expectVideoFlowing([bob.page], 'camera');
    await expectTile([bob], 'Alice', 'camera');
    // Still muted: her button says so, bob is told, and what reaches him on the new connection is silence.
    await alice.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).waitFor({ timeout: poll.timeout });
    await expect.poll(() => bob.page.locator('.peer-muted').textContent(), poll).toBe('Alice muted their microphone');
    await expect.poll(async () => (await inboundAudio(bob.page))?.bytesReceived ?? 0, poll).toBeGreaterThan(0);
    for (let i = 0; i < 3; i++) expect((await inboundAudio(bob.page))?.audioLevel ?? 0, 'alice, muted, is not heard').toBeLessThan(0.01);
    // The chat as it was (its panel open, as she left it).
    await expect.poll(() => alice.page.locator('section.chat').count(), poll).toBe(1);
    await expectChat([[alice, lines]]);
    // The share ended cleanly on bob's side; alice is told, with the click that starts it again.
    await expectNoTile([bob], 'Alice', 'screen');
    const note = alice.page.locator('section.call .share-stopped');
    await note.waitFor({ timeout: poll.timeout });
    expect((await note.locator('p').textContent())?.trim()).toBe('Your screen share stopped when Parley reloaded.');
    await shoot(alice.page, 'reload-restored-chat');
    await alice.page.getByRole('button', { name: 'Close chat' }).click();
    await checkScreen('reload-restored', alice.page);
    await note.getByRole('button', { name: 'Share again' }).click();
    await expectTile([bob], 'Alice', 'screen');
    await expect.poll(() => note.count(), poll).toBe(0);

    await bob.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(alice.page)).toBe('Bob hung up');
    // Kept only while the call lives.
    expect(await alice.page.evaluate(() => [sessionStorage.getItem('parley.call.v1'), sessionStorage.getItem('parley.call-chat.v1')])).toEqual([null, null]);
  });
});
