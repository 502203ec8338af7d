/**
 * Adaptive video on a thin uplink: alice and bob in a video call, each in a
 * network namespace (tests/e2e/netns.ts); alice's uplink is then held to
 * 400 kbit/s with a token bucket (tc tbf). Her camera's bitrate cap must
 * drop to a level that leaves audio its share, while bob keeps hearing her
 * with little loss; lifted again, the cap climbs back to a level the thin
 * link could not have carried. Held to 100 kbit/s, too thin for the
 * camera's last level beside the voice, the camera pauses (alice is told)
 * and the voice keeps the link; lifted, the camera comes back.
 *
 * Needs root, iproute2 and tc (the sch_tbf module); elsewhere it says why and skips.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { e2eTest, launchChromium, openUser, registerUser, signIn, startWorld, writeToneWav, type User, type World } from './harness.js';
import { THIN_PATH_AUDIO_BITRATE } from '../../src/renderer/src/call/media/video-quality.js';
import { expectVideoFlowing, senderParameters } from './media.js';
import { createLab, netnsAvailable, type Lab, type Side } from './netns.js';
import { expectAudioFlowing, poll, waitState } from './steps.js';
import { checkScreen } from './ui-checks.js';

const exec = promisify(execFile);
const UPLINK_KBIT = 400;
/** Under the camera's last level (100 kbit/s) beside the voice: the camera pauses. */
const PAUSE_KBIT = 100;
/** What audio needs of the link (Opus at its usual rate, with packet overhead). */
const AUDIO_RESERVE_BPS = 64_000;
/** A cap above the thin link's rate: reached only once the limit is lifted. */
const BEYOND_THIN = 700_000;

const probe = await netnsAvailable();
if (!probe.ok) console.info(`tests/e2e/video-adaptive skipped: ${probe.reason}`);

async function limitUplink(side: Side, kbit: number | null): Promise<void> {
  const tc = (...args: string[]) => exec('ip', ['netns', 'exec', side.netns, 'tc', ...args]);
  if (kbit === null) await tc('qdisc', 'del', 'dev', side.device, 'root');
  else await tc('qdisc', 'replace', 'dev', side.device, 'root', 'tbf', 'rate', `${kbit}kbit`, 'burst', '16kb', 'latency', '150ms');
}

/** The camera's bitrate cap as the app set it on the sender. */
async function cameraCap(page: Page): Promise<number> {
  return (await senderParameters(page)).find((s) => s.kind === 'video')?.maxBitrate ?? Number.NaN;
}

/** Audio packets bob lost from alice over the next `ms`, in percent. */
async function audioLossOver(page: Page, ms: number): Promise<number> {
  const read = () =>
    page.evaluate(async () => {
      const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
      for (const s of (await pc!.getStats()).values() as IterableIterator<{ type: string; kind?: string; packetsLost?: number; packetsReceived?: number }>) {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') return { lost: s.packetsLost ?? 0, received: s.packetsReceived ?? 0 };
      }
      return { lost: 0, received: 0 };
    });
  const a = await read();
  await new Promise((r) => setTimeout(r, ms));
  const b = await read();
  const lost = b.lost - a.lost;
  const received = b.received - a.received;
  expect(received, 'audio packets arrived in the window').toBeGreaterThan(0);
  return (100 * Math.max(0, lost)) / (received + Math.max(0, lost));
}

/** `from` video-calls `to`, who answers: `from`'s camera reaches `to`. */
async function videoCall(from: User, to: User): Promise<void> {
  await from.page.getByRole('button', { name: 'Contacts' }).click();
  await from.page.getByRole('button', { name: `Video call ${to.name[0]!.toUpperCase()}${to.name.slice(1)}`, exact: true }).click();
  await waitState(to.page, 'incoming');
  await to.page.getByRole('button', { name: 'Answer', exact: true }).click();
  await waitState(from.page, 'active');
  await expectVideoFlowing([to.page], 'camera');
}

/** The failure pictures (and the shared Chromium, for the server's world) from the shared fixtures; the rest is the lab's. */
const it = e2eTest();

describe.skipIf(!probe.ok)('adaptive video on a thin uplink', () => {
  let lab: Lab | undefined;
  let world: World | undefined;
  const browsers: Browser[] = [];
  let alice: User;
  let bob: User;

  // The server's own pages are none: each user's Chromium runs in a namespace (the world takes the shared one, unused).
  it.beforeAll(async ({ browser }) => {
    lab = await createLab(['a', 'b']);
    world = await startWorld({ host: lab.gateway, browser });
    for (const name of ['alice', 'bob']) await registerUser(world, name);
    const wav = path.join(world.dataDir, 'netns-tone.wav');
    writeToneWav(wav);
    const users: User[] = [];
    for (const [name, side] of [['alice', 'a'], ['bob', 'b']] as const) {
      const browser = await launchChromium(wav, {
        executablePath: lab.side(side).chromium,
        args: [`--unsafely-treat-insecure-origin-as-secure=${world.url}`],
      });
      browsers.push(browser);
      users.push(await openUser(world, name, { browser }));
    }
    [alice, bob] = users as [User, User];
    await signIn(alice);
    await signIn(bob);
  }, 60_000);

  it.afterAll(async () => {
    for (const b of browsers) await b.close().catch(() => undefined);
    await lab?.close();
    await world?.close().catch(() => undefined);
  });

  it(`at ${UPLINK_KBIT} kbit/s the camera steps down and audio keeps flowing; lifted, the camera climbs back`, async () => {
    if (!lab) throw new Error('no lab');
    await videoCall(alice, bob);
    const full = await cameraCap(alice.page);

    await limitUplink(lab.side('a'), UPLINK_KBIT);
    await expect.poll(() => cameraCap(alice.page), { timeout: 40_000, interval: 500 }).toBeLessThanOrEqual(UPLINK_KBIT * 1000 - AUDIO_RESERVE_BPS);
    const thin = await cameraCap(alice.page);
    await expectAudioFlowing(bob.page);
    const loss = await audioLossOver(bob.page, 4000);
    console.info(`video-adaptive: camera cap ${full} → ${thin} bit/s at ${UPLINK_KBIT} kbit/s; bob's audio loss from alice ${loss.toFixed(1)} %`);
    expect(loss, 'audio loss once video has made room').toBeLessThan(5);
    await expectVideoFlowing([bob.page], 'camera');

    await limitUplink(lab.side('a'), null);
    const liftedAt = Date.now();
    await expect.poll(() => cameraCap(alice.page), { timeout: 90_000, interval: 1000 }).toBeGreaterThanOrEqual(BEYOND_THIN);
    console.info(`video-adaptive: lifted, the camera cap back at ${await cameraCap(alice.page)} bit/s after ${Date.now() - liftedAt} ms`);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended', poll.timeout);
  }, 240_000);

  it(`at ${PAUSE_KBIT} kbit/s, too thin for the camera's last level, the camera pauses and says so, the voice keeps the link; lifted, the camera is back`, async () => {
    if (!lab) throw new Error('no lab');
    for (const u of [alice, bob]) await u.page.getByRole('button', { name: 'Close' }).click({ timeout: 2000 }).catch(() => undefined);
    await videoCall(alice, bob);

    await limitUplink(lab.side('a'), PAUSE_KBIT);
    const paused = "Your camera is paused for Bob: the connection is too slow for video.";
    await expect.poll(() => alice.page.locator('.notice .text').allTextContents(), { timeout: 40_000, interval: 500 }).toContain(paused);
    const senders = await senderParameters(alice.page);
    expect(senders.find((s) => s.kind === 'video'), 'the camera sends nothing').toMatchObject({ active: false });
    expect(senders.find((s) => s.kind === 'audio'), 'the voice at its thin-path rate').toMatchObject({ maxBitrate: THIN_PATH_AUDIO_BITRATE });
    await expectAudioFlowing(bob.page);
    // The queue the camera filled drains first; then the voice alone fits the link, nearly lossless.
    await expect.poll(() => audioLossOver(bob.page, 2000), { timeout: 20_000, interval: 0, message: 'audio loss over 2 s, the camera paused' }).toBeLessThan(2);
    console.info(`video-adaptive: camera paused at ${PAUSE_KBIT} kbit/s; the voice's loss under 2 %`);
    await checkScreen('camera-paused', alice.page);

    await limitUplink(lab.side('a'), null);
    // Tried again after about 24 s of good readings, then it climbs: the notice goes once it sends again.
    await expect.poll(() => alice.page.locator('.notice .text').allTextContents(), { timeout: 60_000, interval: 1000 }).not.toContain(paused);
    await expectVideoFlowing([bob.page], 'camera');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended', poll.timeout);
  }, 180_000);
});
