/**
 * A room of ten on the SFU (issue 20): a real Janus, the server with
 * PARLEY_SFU_FROM=3, three Chromium users (each microphone a 440 Hz tone) and
 * seven werift participants speaking only the Parley protocol, each sending a
 * real Opus tone of its own frequency (sox + opusenc at test time, its Ogg
 * pages read back into packets, sent as RTP every 20 ms in a loop). Each
 * Chromium page must hear, on the tracks of its SFU subscribe connection,
 * every werift tone at its frequency and each other Chromium user's 440 Hz,
 * and show all nine others speaking (and "10 people"); each werift participant
 * receives the nine others too. The ten-person stage is shot at
 * 1280 px light and dark and at 360 px. The rings on the SFU are the SFU's
 * measure of who talks (sfu:talking): a werift tone going silent, with no
 * mute said, goes off on a page; coming back, it lights again and its tile
 * comes first, the most recent speaker (shot at the six looks).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect } from 'vitest';
import { missingTool } from '../../signaling-server/test/coturn.js';
import { connect, expectOk, register } from '../../signaling-server/test/harness.js';
import { startJanus, type Janus } from '../../signaling-server/test/janus.js';
import { opusTone } from '../../signaling-server/test/opus-tone.js';
import { joinSfu, type SfuPeer } from '../../signaling-server/test/sfu-peer.js';
import { callPanel, e2eTest, type User } from './harness.js';
import { expectSpeaking, expectStaysSilent, joinRoom } from './rooms.js';
import { waitState } from './steps.js';
import { heardTones, tonesHeard } from './tones.js';
import { checkScreen, shoot } from './ui-checks.js';

const SUITE = 'sfu-room-of-ten.e2e.test.ts';
// Every tool is looked up (and each missing one named), not just the first.
const missing = [missingTool('janus', 'janus', SUITE), missingTool('sox', 'sox', SUITE), missingTool('opusenc', 'opus-tools', SUITE)].some(Boolean);

const ROOM = 'all-hands';
const browsers = ['alice', 'bob', 'carol'] as const;
/** The werift participants and their tones: spaced well apart, clear of 440 Hz and its harmonics (880, 1320, 1760, 2200, 2640). */
const tones = { dave: 500, erin: 700, frank: 1000, grace: 1500, heidi: 2000, ivan: 2400, judy: 2800 } as const;
const CHROMIUM_TONE = 440;
const title = (n: string) => n[0]!.toUpperCase() + n.slice(1);
/** Ten participants on two shared cores: joining and hearing everyone takes a while. */
const TEST_MS = 300_000;
const within = { timeout: 90_000, interval: 1000 };

let toneDir: string | undefined;
const peers: SfuPeer[] = [];

const it = e2eTest({ team: browsers })
  // Janus first: the server is told where it is.
  // eslint-disable-next-line no-empty-pattern -- vitest reads a fixture's dependencies from its destructuring
  .extend('worldOptions', { scope: 'file' }, async ({}, { onCleanup }) => {
    const janus: Janus = await startJanus();
    onCleanup(() => janus.stop());
    return { sfu: { sfu: { janusUrls: [janus.url], adminKey: janus.adminKey }, sfuFrom: 3 } };
  });

afterAll(() => {
  for (const p of peers.splice(0)) p.close();
  if (toneDir) rmSync(toneDir, { recursive: true, force: true });
});

/** Each werift participant signs in, joins the room and publishes its tone on the SFU. */
async function joinWerift(url: string): Promise<void> {
  toneDir = mkdtempSync(path.join(tmpdir(), 'parley-tones-'));
  for (const [name, hz] of Object.entries(tones)) {
    const device = await connect({ url }, await register({ url }, name), {}, []);
    const { callId } = expectOk(await device.emit('room:join', { name: ROOM }));
    peers.push(await joinSfu(device, callId, { tone: opusTone(toneDir, hz) }));
  }
}

/** `u` hears every werift tone and each other Chromium user's, each on its own inbound track, above silence. */
async function expectHearsEveryTone(u: User): Promise<void> {
  const expected = [...Object.values(tones), ...browsers.filter((n) => n !== u.name).map(() => CHROMIUM_TONE)];
  let last = '';
  const heard = async () => {
    const measured = await heardTones(u.page);
    last = measured.map((t) => `${t.hz} Hz ${t.db} dB`).join(', ');
    return tonesHeard(measured, expected);
  };
  await expect.poll(heard, within).toEqual(expected).catch((err: unknown) => {
    throw new Error(`${u.name} heard, track by track: ${last}`, { cause: err });
  });
}

/** The stage at 1280 px light and dark and at 360 px: test-results/e2e/screens/sfu-ten-<width>-<scheme>.png. */
async function shootStage(u: User): Promise<void> {
  const looks = [
    { width: 1280, height: 800, scheme: 'light' },
    { width: 1280, height: 800, scheme: 'dark' },
    { width: 360, height: 640, scheme: 'light' },
  ] as const;
  for (const look of looks) {
    await u.page.setViewportSize({ width: look.width, height: look.height });
    await u.page.emulateMedia({ colorScheme: look.scheme });
    await u.page.evaluate(() => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
    await shoot(u.page, `sfu-ten-${look.width}-${look.scheme}`);
  }
  await u.page.setViewportSize({ width: 1280, height: 800 });
  await u.page.emulateMedia({ colorScheme: null });
}

/**
 * The rings on the SFU are its measure (sfu:talking): a tone that goes silent
 * with no mute said turns its ring off on alice's page, and one that comes
 * back lights it and puts its tile first (the most recent speaker): erin's,
 * then dave's. Called in the test that made the room: the werift devices are
 * the harness's, disconnected after each test.
 */
async function expectRingsFollowTheSfu(alice: User): Promise<void> {
  const [dave, erin] = (['dave', 'erin'] as const).map((name) => peers[Object.keys(tones).indexOf(name)]);
  if (!dave || !erin) throw new Error('the room is not whole');
  const first = () => callPanel(alice.page).locator('.participant').first().getAttribute('data-username');
  // Erin speaks again: she is first, whoever started talking last before (a tone the loaded machine broke up, say).
  erin.setSilent(true);
  await expectStaysSilent(alice, 'Erin');
  erin.setSilent(false);
  await expectSpeaking(alice, ['Erin']);
  await expect.poll(first, within).toBe('erin');
  dave.setSilent(true);
  await expectStaysSilent(alice, 'Dave');
  dave.setSilent(false);
  await expectSpeaking(alice, ['Dave']);
  await expect.poll(first, within).toBe('dave');
  await checkScreen('sfu-ten-speaker-first', alice.page);
}

describe.skipIf(missing)('a room of ten on the SFU: three Chromium users and seven werift tones', () => {
  it('every Chromium user hears every tone and sees all nine others speaking', async ({ team, world }) => {
    const url = world.url;
    const users = [team.alice, team.bob, team.carol];
    for (const u of users) await joinRoom(u, ROOM);
    for (const u of users) await waitState(u.page, 'active', 45_000);
    await joinWerift(url);
    // Each werift participant receives (and answers offers for) the nine others: the room is whole on the SFU.
    for (const [i, p] of peers.entries()) {
      await expect.poll(() => p.received.size, { ...within, message: `${Object.keys(tones)[i] ?? '?'} receives the nine others` }).toBe(9);
    }
    // Each page listens for its own second at a time: the three side by side.
    await Promise.all(users.map(expectHearsEveryTone));
    const everyone = [...browsers, ...Object.keys(tones)];
    for (const u of users) {
      await callPanel(u.page).getByText('10 people').waitFor({ timeout: within.timeout });
      await expectSpeaking(u, everyone.filter((n) => n !== u.name).map(title));
    }
    await shootStage(team.alice);
    await expectRingsFollowTheSfu(team.alice);
  }, TEST_MS);
});
