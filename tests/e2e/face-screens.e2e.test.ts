/**
 * The face, screen by screen: each state of the app a person meets, checked
 * in six looks (360×640, 420×760 and 1280×800 windows, light and dark) on the
 * same pages without reloading: nothing wider than the window, every call
 * control on screen, no serious or critical axe-core violation, and a
 * screenshot of each look in test-results/e2e/screens/<screen>-<width>-<scheme>.png.
 *
 * One story through the screens: sign-in, contacts (a favourite and a name
 * of sixty characters), alice rings bob (outgoing, incoming), they talk
 * (audio, then both cameras, then alice holds the call), alice opens the chat, adds carol (a group
 * invitation), alice shares her screen to the three-person call, everyone
 * leaves, alice opens a room that bob joins and changes its join code (the
 * owner's Join code panel; bob sees who owns the room), and the server goes
 * away (the offline banner). Each `it` first
 * brings the pages to its screen, then checks the six looks; a look that
 * fails does not stop the other looks, and a screen that fails its checks
 * does not stop the next screens.
 */
import { Pause } from 'lucide';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { callPanel, closeEnded, e2eTest, openUser, type Team } from './harness.js';
import { expectTile, slotStats } from './media.js';
import { joinRoom } from './rooms.js';
import { controlFaces, expectStageInWords, iconShapes, unlabelledIconButtons } from './stage-checks.js';
import { answerCall, callState, dial, poll, registerAs, waitState } from './steps.js';
import { checkScreen, eachLook } from './ui-checks.js';

/** Sixty characters with no break opportunity near the end: a row, a card or a tile that does not truncate it overflows. */
const LONG_NAME = 'Maximiliana Bartholomea Featherstonehaugh-Cholmondeley-Smythe';
/** Six looks of a screen with two or three pages doing WebRTC on two cores: well over the suite's 90 s default is possible. */
const SCREEN_MS = 150_000;

const it = e2eTest({
  // Nobody answers for a while: the incoming and outgoing screens are checked while the call rings.
  world: { ringTimeoutS: 300 },
  team: ['alice', 'bob', 'carol'],
  alsoRegistered: ['dave'],
  beforeSignIn: (world) => registerAs(world, 'maxi', LONG_NAME),
});

/** Everyone leaves the call they are in, and the ended views close. */
async function leaveCalls({ alice, bob, carol }: Team<'alice' | 'bob' | 'carol'>): Promise<void> {
  for (const u of [alice, bob, carol]) {
    if (['active', 'connecting', 'reconnecting'].includes(await callState(u.page))) {
      await u.page.getByRole('button', { name: /^(Leave call|Hang up)$/ }).click();
    }
  }
  await closeEnded(alice, bob, carol);
}

/** Pages showing at least `count` playing videos in the call (a picture with frames, not paused). */
async function expectPlayingVideos(page: Page, count: number): Promise<void> {
  const playing = () =>
    callPanel(page)
      .locator('video')
      .evaluateAll((vs) => (vs as HTMLVideoElement[]).filter((v) => v.videoWidth > 0 && !v.paused).length);
  await expect.poll(playing, poll).toBeGreaterThanOrEqual(count);
}

describe('the face, screen by screen, in six looks', () => {
  it('sign-in', async ({ world }) => {
    const visitor = await openUser(world, 'visitor');
    await visitor.page.getByLabel('Username').waitFor();
    await checkScreen('sign-in', visitor.page);
    // Create account says the password rule before the first try, tied to the field, not after a refusal.
    await visitor.page.getByRole('button', { name: 'Create account' }).click();
    const rule = visitor.page.locator('#password-rules');
    await rule.waitFor();
    expect(await rule.textContent()).toMatch(/^At least 8 characters/);
    expect(await visitor.page.getByLabel('Password').getAttribute('aria-describedby')).toBe('password-rules');
    expect(await visitor.page.getByRole('alert').count()).toBe(0);
    await checkScreen('create-account', visitor.page);
    await visitor.context.close();
  }, SCREEN_MS);

  it('contacts: a favourite and a sixty-character name', async ({ team: { alice } }) => {
    const { page } = alice;
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('button', { name: 'Contacts' }).click();
    const bobRow = page.locator('li[data-username="bob"]');
    const favourite = bobRow.getByRole('button', { name: /favou?rite/i });
    // An unset star takes no room until its row is hovered, as a user reaches it.
    expect(await favourite.getAttribute('aria-pressed')).toBe('false');
    expect((await favourite.boundingBox())?.width ?? 0).toBe(0);
    await bobRow.hover();
    await favourite.click();
    await expect.poll(() => favourite.getAttribute('aria-pressed'), poll).toBe('true');
    await page.mouse.move(0, 0);
    await expect.poll(() => page.locator('li[data-username="maxi"]').textContent(), poll).toContain(LONG_NAME);
    await checkScreen('contacts', page);
  }, SCREEN_MS);

  it('outgoing: alice rings bob', async ({ team: { alice } }) => {
    await dial(alice, 'Bob');
    await waitState(alice.page, 'outgoing');
    await expect.poll(() => callPanel(alice.page).textContent(), poll).toContain('Bob');
    await checkScreen('outgoing', alice.page);
  }, SCREEN_MS);

  it('incoming: bob sees who calls', async ({ team: { bob } }) => {
    await waitState(bob.page, 'incoming');
    await expect.poll(() => callPanel(bob.page).textContent(), poll).toContain('Alice');
    await checkScreen('incoming', bob.page);
  }, SCREEN_MS);

  it('1:1 audio call, active', async ({ team: { alice, bob } }) => {
    await answerCall(bob);
    await waitState(alice.page, 'active');
    await waitState(bob.page, 'active');
    await checkScreen('call-audio', alice.page);
    // What a screen reader reads of the stage: each tile by name and state in words, never a meter's raw
    // value ("Bob 0.8934932152935158"), and the controls by what they do.
    await expectStageInWords(alice.page, /figure "Bob[^"]*"/, ['Mute', 'Turn camera on', 'Share screen', 'Chat', 'Hold', 'Transfer', 'Record call', 'Add person', 'Hang up']);
  }, SCREEN_MS);

  it('1:1 video call, both cameras on', async ({ team: { alice, bob } }) => {
    for (const u of [alice, bob]) await u.page.getByRole('button', { name: 'Turn camera on' }).click();
    for (const u of [alice, bob]) {
      await expect.poll(async () => (await slotStats(u.page, 'camera')).some((s) => s.framesDecoded > 0), poll).toBe(true);
      await expectPlayingVideos(u.page, 1);
    }
    await checkScreen('call-video', alice.page);
    const controls = ['Mute', 'Turn camera off', 'Share screen', 'Chat', 'Hold', 'Transfer', 'Record call', 'Add person', 'Hang up'];
    await expectStageInWords(alice.page, /figure "Bob[^"]*"/, controls);
    await expectStageInWords(bob.page, /figure "Alice[^"]*"/, controls);
    // Icon controls: each named in words with that name as its tooltip, in every look; its word under it where
    // the stage has room (wide), none where it has not (the name and tooltip remain).
    await eachLook(alice.page, async (_label, look) => {
      const faces = await controlFaces(alice.page);
      expect(faces.map((f) => f.name)).toEqual(controls);
      for (const f of faces) expect(f.title, f.name).toBe(f.name);
      expect(faces.filter((f) => f.caption).map((f) => f.name)).toEqual(look.width >= 1280 ? controls : []);
      expect(await unlabelledIconButtons(alice.page)).toEqual([]);
    });
  }, SCREEN_MS);

  it('1:1 video call on hold: the holder and the held', async ({ team: { alice, bob } }) => {
    const hold = alice.page.getByRole('toolbar', { name: 'Call controls' }).getByRole('button', { name: 'Hold', exact: true });
    await hold.click();
    try {
      // Held, the button keeps its name and pause icon and is pressed (not a play icon announced as "Hold").
      await expect.poll(() => hold.getAttribute('aria-pressed'), poll).toBe('true');
      expect(await iconShapes(hold)).toEqual(Pause);
      await expectStageInWords(alice.page, /figure "Bob, on hold[^"]*"/, ['Mute', 'Turn camera off', 'Hold', 'Hang up']);
      await expectStageInWords(bob.page, /figure "Alice, on hold[^"]*"/, ['Mute', 'Turn camera off', 'Hold', 'Hang up']);
      await checkScreen('call-held', { holder: alice.page, held: bob.page });
    } finally {
      await hold.click(); // off hold for the screens that follow
    }
    await expect.poll(() => hold.getAttribute('aria-pressed'), poll).toBe('false');
    await expectTile([bob], 'Alice', 'camera');
  }, SCREEN_MS);

  it('chat open in the call', async ({ team: { alice } }) => {
    const toggle = alice.page.locator('button.chat-toggle');
    await expect.poll(() => toggle.getAttribute('aria-label').then((l) => l ?? toggle.textContent()), poll).toMatch(/^\s*Chat/);
    await toggle.click();
    const box = alice.page.getByRole('textbox', { name: /message/i });
    await box.fill('Can everyone see the slides? This line is long enough to wrap on a phone.');
    await box.press('Enter');
    await expect.poll(() => alice.page.getByText('Can everyone see the slides?').count(), poll).toBeGreaterThan(0);
    try {
      await checkScreen('chat', alice.page);
    } finally {
      await toggle.click(); // closed again for the screens that follow
    }
  }, SCREEN_MS);

  it('incoming group invitation: alice adds carol', async ({ team: { alice, carol } }) => {
    await alice.page.getByRole('button', { name: 'Add person' }).click();
    // The picker's button for carol (not her row's favourite button).
    await alice.page.getByRole('button', { name: /^Add Carol(?! to favou?rites)/ }).click();
    await waitState(carol.page, 'incoming');
    await expect.poll(() => callPanel(carol.page).textContent(), poll).toContain('Alice');
    await checkScreen('incoming-group', carol.page);
  }, SCREEN_MS);

  it('group of three with a shared screen', async ({ team: { alice, bob, carol } }) => {
    await answerCall(carol);
    await waitState(carol.page, 'active');
    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    // Bob's connection from alice decodes her screen, and his call shows it with the cameras.
    await expect.poll(async () => (await slotStats(bob.page, 'screen')).some((s) => s.framesDecoded > 0), poll).toBe(true);
    await expectPlayingVideos(bob.page, 2);
    await expect.poll(() => alice.page.getByRole('button', { name: 'Stop sharing' }).count(), poll).toBe(1);
    await checkScreen('group-share', { viewer: bob.page, sharer: alice.page });
  }, SCREEN_MS);

  it("a room's owner changes its join code; a member sees who owns it", async ({ team }) => {
    const { alice, bob } = team;
    await leaveCalls(team);
    await joinRoom(alice, 'standup', 'sesame-4242');
    await waitState(alice.page, 'active');
    await joinRoom(bob, 'standup', 'sesame-4242');
    await waitState(bob.page, 'active');
    await callPanel(alice.page).getByRole('button', { name: 'Join code', exact: true }).click();
    await alice.page.getByLabel('New join code').fill('weekly-5678');
    await alice.page.getByRole('button', { name: 'Change code' }).click();
    await expect.poll(() => callPanel(alice.page).locator('.room-code .result').textContent(), poll).toContain('Join code changed');
    await expect.poll(() => callPanel(bob.page).locator('.stage-header .owner').textContent(), poll).toContain('Owner: Alice');
    await checkScreen('room-join-code', { owner: alice.page, member: bob.page });
  }, SCREEN_MS);

  it('offline: the server is unreachable', async ({ team, world }) => {
    const { alice } = team;
    await leaveCalls(team);
    await world.stopServer();
    try {
      // The screens are shot even without the banner, so the failure shows what is there instead.
      const banner = alice.page.locator('[data-testid="connection-banner"]');
      const missing = await banner.waitFor({ timeout: 15_000 }).then(
        () => null,
        () => new Error('no [data-testid="connection-banner"] within 15 s of the server stopping'),
      );
      const looks = await checkScreen('offline', alice.page).then(
        () => null,
        (err: unknown) => err as Error,
      );
      const problems = [missing, looks].filter((e) => e !== null);
      if (problems.length > 0) throw new Error(problems.map((e) => e.message).join('\n'));
    } finally {
      await world.startServer();
    }
  }, SCREEN_MS);
});
