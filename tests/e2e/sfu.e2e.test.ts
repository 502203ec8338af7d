/**
 * A meeting on the SFU in the browser: a real Janus (Debian package
 * "janus", deploy/janus/'s config), the server with PARLEY_SFU_FROM=3, and
 * three Chromium users in one room. Two people are a mesh (one connection
 * each); the third joining moves the call to the SFU, the first two hearing
 * each other all through the move: every page ends with
 * exactly its two SFU connections (publish: sends its microphone, receives
 * nothing; subscribe: the two others' audio, each flowing and above
 * silence, from Janus), no mesh connection left, and shows each other person
 * speaking. Mute and the camera work through the SFU; Janus restarting, the
 * pages publish again and are heard again; one leaving, the two others keep
 * hearing each other. The stage is checked and shot at the six looks.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { missingTool } from '../../signaling-server/test/coturn.js';
import { startJanus, type Janus } from '../../signaling-server/test/janus.js';
import { ARTIFACTS, closeEnded, e2eTest, type Team, type User } from './harness.js';
import { expectNoTile, expectTile, openChat } from './media.js';
import { expectHearsEveryone, expectSpeaking, expectStaysSilent, joinRoom, leave } from './rooms.js';
import { eachOf, poll, waitState } from './steps.js';
import { cameraReceived, connections, expectOnSfu, sfuAudioNegotiated, simulcastSent, videoPaths } from './sfu-checks.js';
import { checkScreen } from './ui-checks.js';

const noJanus = missingTool('janus', 'janus', 'sfu.e2e.test.ts');
const names = ['alice', 'bob', 'carol'] as const;
const title = (n: string) => n[0]!.toUpperCase() + n.slice(1);
const others = (u: User) => names.filter((n) => n !== u.name).map(title);
/** Three pages on two shared cores, each on Janus: a step takes longer than the suite's default. */
const STEP_MS = 180_000;

/** This file's Janus (test 5 starts it again, on the same port); stopped after the file. */
let janus: Janus | undefined;

const it = e2eTest({ team: names })
  // Janus first: the server is told where it is.
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its destructuring
  .extend('worldOptions', { scope: 'file' }, async ({}, { onCleanup }) => {
    const started = await startJanus();
    janus = started;
    onCleanup(() => janus?.stop());
    // The server's debug lines (each view applied to Janus) come with a failure.
    return { sfu: { sfu: { janusUrls: [started.url], adminKey: started.adminKey }, sfuFrom: 3 }, serverLogLevel: 'debug' as const };
  });
/** The three, in the order they join. */
const everyone = ({ alice, bob, carol }: Team<(typeof names)[number]>) => [alice, bob, carol];

/**
 * Starts watching, on `page`, `username`'s speaking ring (lit while their
 * audio arrives above speech level, held 400 ms); the function returned stops
 * and gives the longest time it was off, in ms.
 */
async function watchSpeaking(page: Page, username: string): Promise<() => Promise<number>> {
  await page.evaluate((username) => {
    const w = window as unknown as { __quiet: { longest: number; since: number | null; timer: number } };
    const state = { longest: 0, since: null as number | null, timer: 0 };
    state.timer = window.setInterval(() => {
      const lit = document.querySelector(`section.call .participant[data-username="${username}"]`)?.getAttribute('data-speaking') === 'true';
      const now = performance.now();
      if (lit) state.since = null;
      else state.since ??= now;
      if (state.since !== null) state.longest = Math.max(state.longest, now - state.since);
    }, 25);
    w.__quiet = state;
  }, username);
  return () =>
    page.evaluate(() => {
      const w = window as unknown as { __quiet: { longest: number; timer: number } };
      clearInterval(w.__quiet.timer);
      return w.__quiet.longest;
    });
}

describe.skipIf(noJanus)('a meeting on the SFU (Janus), from three people on', () => {
  it('1. two people are a mesh; the third joining moves everyone to the SFU, with no mesh connection left and everyone heard', async ({ team }) => {
    const users = everyone(team);
    const { alice, bob, carol } = team;
    await joinRoom(alice, 'standup');
    await joinRoom(bob, 'standup');
    for (const u of [alice, bob]) await waitState(u.page, 'active');
    await expectHearsEveryone(alice, ['Bob']);
    for (const u of [alice, bob]) expect((await connections(u.page)).map((c) => c.sfu)).toEqual([false]);

    await expectSpeaking(alice, ['Bob']);
    const quiet = await watchSpeaking(alice.page, 'bob');
    await joinRoom(carol, 'standup');
    await waitState(carol.page, 'active', 45_000);
    await eachOf(users, (u) => expectOnSfu(u, 2));
    await eachOf(users, (u) => expectSpeaking(u, names.filter((n) => n !== u.name).map(title)));
    // Alice heard Bob all through the move: his ring (held 400 ms after his level drops) never went off for long.
    expect(await quiet(), 'longest time Bob was not heard on Alice\'s page during the move, ms').toBeLessThan(600);
  }, STEP_MS);

  // Debian's Janus 1.1.2 relays RED in its EchoTest and VideoCall plugins but not in the VideoRoom: it answers a
  // publisher's RED offer with Opus alone. The page offers RED all the same (a Janus that takes it gets it) and
  // the audio then flows as Opus with in-band FEC, which the room turns on (opus_fec).
  it('1b. speech protection through the SFU: the pages offer RED and Opus FEC, Janus negotiates FEC both ways, and the audio flows in the codec negotiated', async ({ team }) => {
    for (const u of everyone(team)) {
      const negotiated = await sfuAudioNegotiated(u.page);
      expect(negotiated.map((n) => n.role).sort(), `${u.name}'s SFU connections`).toEqual(['publish', 'subscribe']);
      for (const n of negotiated) {
        const where = `${u.name}'s ${n.role} connection`;
        if (n.role === 'publish') expect(n.page, `what ${where} offered`).toEqual({ red: true, fec: true, dtx: false });
        expect(n.janus.fec, `Janus's side of ${where} has Opus in-band FEC`).toBe(true);
        expect(n.janus.dtx, `Janus's side of ${where} has DTX`).toBe(false);
        expect(n.codecs.length, `audio flowing on ${where}`).toBeGreaterThan(0);
        expect(new Set(n.codecs), `the audio codec in use on ${where}`).toEqual(new Set([n.janus.red && n.page.red ? 'audio/red' : 'audio/opus']));
      }
    }
  }, STEP_MS);

  it('2. the stage on the SFU at every look: each person shown, nothing cut off, accessible', async ({ team }) => {
    const { alice } = team;
    await checkScreen('sfu-call', alice.page);
  }, STEP_MS);

  it('3. mute goes through the SFU: the muted person goes silent on both other pages, and is heard again after', async ({ team }) => {
    const { alice, bob, carol } = team;
    await bob.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await eachOf([alice, carol], (o) => expectStaysSilent(o, 'Bob'));
    await expectSpeaking(alice, ['Carol']);
    await bob.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();
    await eachOf([alice, carol], (o) => expectSpeaking(o, ['Bob']));
  }, STEP_MS);

  it('4. a camera goes through the SFU: both others see its tile playing, everyone still heard; turned off, its tile goes; a shared screen reaches both as the large tile, beside the camera, and goes when sharing stops', async ({ team }) => {
    const users = everyone(team);
    const { alice, bob, carol } = team;
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expectTile([bob, carol], 'Alice', 'camera');
    await eachOf(users, (u) => expectOnSfu(u, 2));
    await bob.page.screenshot({ path: path.join(ARTIFACTS, 'sfu-camera.png') });
    // A screen shared with the camera on: one more stream on the SFU (published again), its own tile, the large one.
    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    await expectTile([bob, carol], 'Alice', 'screen');
    for (const o of [bob, carol]) await expect.poll(() => o.page.locator('section.call .video').getAttribute('data-layout'), poll).toBe('screen');
    await expectTile([bob, carol], 'Alice', 'camera');
    await eachOf(users, (u) => expectSpeaking(u, others(u)));
    // The shared screen on the stage at every look (360, 420, 1280 px; light and dark): shown, nothing cut off, accessible.
    await checkScreen('sfu-screen-share', bob.page);
    await alice.page.getByRole('button', { name: 'Stop sharing' }).click();
    await expectNoTile([bob, carol], 'Alice', 'screen');
    for (const o of [bob, carol]) await expect.poll(() => o.page.locator('section.call .video').getAttribute('data-layout'), poll).not.toBe('screen');
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await expectNoTile([bob, carol], 'Alice', 'camera');
    // Sharing again reuses the screen's place in the publication: no new negotiation, the tile comes back.
    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    await expectTile([bob, carol], 'Alice', 'screen');
    await alice.page.getByRole('button', { name: 'Stop sharing' }).click();
    await expectNoTile([bob, carol], 'Alice', 'screen');
    // Nor is chat (it rides the mesh's data channels): the panel says so, and its field takes nothing.
    await openChat(bob);
    await bob.page.locator('section.chat').getByText('Chat and files are not available in calls this large yet.').waitFor({ timeout: poll.timeout });
    expect(await bob.page.getByRole('textbox', { name: 'Message', exact: true }).isDisabled()).toBe(true);
    await bob.page.screenshot({ path: path.join(ARTIFACTS, 'sfu-chat.png') });
    await bob.page.getByRole('button', { name: 'Close chat' }).click();
  }, STEP_MS);

  it("4b. simulcast: a camera goes out in three layers; each page receives the one its tile needs, the smallest when the tile shrinks, and no video while the window is hidden, the sound going on", async ({ team }) => {
    const { alice, bob } = team;
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expectTile([bob], 'Alice', 'camera');
    // Alice sends three encodings of her camera (full, half, quarter); the two smaller ones encode frames at once
    // (the full one only once her bandwidth estimate has grown past the three together, or with CPU to spare).
    await expect.poll(async () => (await simulcastSent(alice.page)).map((l) => l.rid).sort(), { ...poll, timeout: 45_000 }).toEqual(['h', 'l', 'm']);
    await expect.poll(async () => (await simulcastSent(alice.page)).filter((l) => l.frames > 0 && l.rid !== 'h').length, poll).toBe(2);

    // What bob receives of her camera, beside the height of her quarter layer now: short of CPU, her encoder
    // scales every layer down alike (720p can become 360p, the quarter 90 lines), so layers are told apart by
    // what she sends at the moment, not by fixed heights.
    const layers = async () => ({ received: (await cameraReceived(bob.page)).height, quarter: (await simulcastSent(alice.page)).find((l) => l.rid === 'l')?.height ?? 0 });
    const receives = async (which: 'above the quarter' | 'the quarter') => {
      const holds = async () => {
        const { received, quarter } = await layers();
        return quarter > 0 && received > 0 && (which === 'the quarter' ? received <= quarter : received > quarter);
      };
      await expect
        .poll(holds, { ...poll, timeout: 45_000 })
        .toBe(true)
        .catch(async (err: unknown) => {
          throw new Error(`bob should receive ${which} layer (${String(err)}); ${JSON.stringify(await layers())}; bob's stage: ${await videoPaths(bob.page)}`);
        });
    };
    // Bob's window is large: her tile takes a layer above the quarter one.
    const size = bob.page.viewportSize();
    await bob.page.setViewportSize({ width: 1920, height: 1080 });
    await receives('above the quarter');
    // Narrowed to a phone's width, her tile is a strip of the grid: the quarter layer, still playing.
    await bob.page.setViewportSize({ width: 360, height: 740 });
    await receives('the quarter');
    const before = await cameraReceived(bob.page);
    await expect.poll(async () => (await cameraReceived(bob.page)).frames, poll).toBeGreaterThan(before.frames + 10);

    // Bob's window hidden (minimised, in the tray): no video comes at all, her voice does.
    await bob.page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    });
    // Once her video has stopped coming (what was on its way has arrived), none comes for two seconds.
    const stopped = async () => {
      const before = await cameraReceived(bob.page);
      await bob.page.waitForTimeout(500);
      return (await cameraReceived(bob.page)).bytes - before.bytes;
    };
    await expect.poll(stopped, poll).toBeLessThan(500);
    const hidden = await cameraReceived(bob.page);
    await bob.page.waitForTimeout(2000);
    expect((await cameraReceived(bob.page)).bytes - hidden.bytes, 'video bytes while hidden').toBeLessThan(2000);
    await expectOnSfu(bob, 2);
    // Shown again: her video comes back.
    await bob.page.evaluate(() => {
      delete (document as { visibilityState?: unknown }).visibilityState;
    });
    const shown = await cameraReceived(bob.page);
    await expect.poll(async () => (await cameraReceived(bob.page)).frames, { ...poll, timeout: 30_000 }).toBeGreaterThan(shown.frames + 10);
    if (size) await bob.page.setViewportSize(size);
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await expectNoTile([bob], 'Alice', 'camera');
  }, STEP_MS);

  it('5. Janus restarting: every page publishes again by itself and everyone is heard again, nobody leaving the call', async ({ team }) => {
    const users = everyone(team);
    const old = janus;
    if (!old) throw new Error('Janus did not start');
    const port = Number(new URL(old.url).port);
    await old.stop();
    janus = await startJanus(old.adminKey, port);
    await eachOf(users, (u) => expectOnSfu(u, 2));
    for (const u of users) await waitState(u.page, 'active');
  }, STEP_MS);

  it('6. one leaving, the two others keep hearing each other through the SFU; the last one out ends the room', async ({ team }) => {
    const users = everyone(team);
    const { alice, bob, carol } = team;
    await leave(carol);
    await eachOf([alice, bob], (u) => expectOnSfu(u, 1));
    await expectSpeaking(alice, ['Bob']);
    await expectSpeaking(bob, ['Alice']);
    await leave(bob);
    await leave(alice);
    await closeEnded(...users);
    // Everything of the call is closed: no connection to Janus stays open.
    for (const u of users) await expect.poll(async () => (await connections(u.page)).length, poll).toBe(0);
  }, STEP_MS);
});
