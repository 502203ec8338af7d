/**
 * Recording a call, with everyone told, two users each with their own tone as
 * the fake microphone (alice 440 Hz, bob 1000 Hz, in two Chromiums): alice
 * records a 1:1 call; bob is told at once (the badge on his stage), hers says
 * she records; when she stops, the browser downloads a WebM file in which
 * both tones are heard (decoded with the page's decodeAudioData, measured per
 * frequency). In a room, bob coming in after she started is told straight
 * away, and when she leaves the room the recording stops and is saved, and
 * his badge goes while he stays. With a camera on, the file is a video of
 * the recording's frame size, still with both voices. Screens in six looks.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { closeEnded, e2eTest, launchChromium, user, writeToneWav, type User, type World } from './harness.js';
import { joinRoom, leave } from './rooms.js';
import { establishCall, poll, waitState } from './steps.js';
import { checkScreen } from './ui-checks.js';

const ALICE_HZ = 440;
const BOB_HZ = 1000;
/** A frequency neither tone has: the floor the tones are measured against. */
const FLOOR_HZ = 700;

const it = e2eTest({ team: ['alice'], alsoRegistered: ['bob'] })
  // bob says 1000 Hz: a Chromium of his own, with that tone as its microphone.
  .extend('bob', { scope: 'file' }, async ({ team: _aliceFirst, world }, { onCleanup }) => {
    const wav = path.join(world.dataDir, 'bob-tone.wav');
    writeToneWav(wav, 3, BOB_HZ);
    const browser = await launchChromium(wav);
    onCleanup(() => browser.close());
    return user({ url: world.url, browser }, 'bob');
  });

/** The badge's words (its red dot and "REC" are hidden from screen readers), or null when there is none. */
const badgeText = async (u: User) => {
  const badge = u.page.locator('section.call .recording-badge');
  if ((await badge.count()) === 0) return null;
  expect(await badge.getAttribute('role')).toBe('status');
  return (await badge.locator('.who').textContent())?.trim() ?? '';
};
const recordButton = (u: User) => u.page.getByRole('button', { name: 'Record call' });

/**
 * Each frequency's amplitude over the middle of the recording (Goertzel), decoded by Chromium from the WebM file:
 * the median of 100 ms blocks, so a voice heard throughout counts whole even when a loaded machine's audio
 * clock slips its phase now and then (a window of seconds would sum the slipped parts against each other).
 */
function tones(page: Page, file: string, frequencies: number[]): Promise<{ seconds: number; amplitude: Record<number, number> }> {
  const base64 = readFileSync(file).toString('base64');
  return page.evaluate(
    async ({ base64, frequencies }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const context = new OfflineAudioContext(1, 1, 48_000);
      const audio = await context.decodeAudioData(bytes.buffer);
      const samples = audio.getChannelData(0);
      const rate = audio.sampleRate;
      // The middle: skip the first and last half second (the mix starting, the recorder stopping).
      const from = Math.min(Math.floor(rate / 2), Math.floor(samples.length / 4));
      const to = Math.max(samples.length - Math.floor(rate / 2), from + 1);
      const block = Math.floor(rate / 10);
      const amplitude: Record<number, number> = {};
      for (const f of frequencies) {
        const w = (2 * Math.PI * f) / rate;
        const blocks: number[] = [];
        for (let start = from; start + block <= to; start += block) {
          let re = 0;
          let im = 0;
          for (let i = start; i < start + block; i++) {
            re += (samples[i] ?? 0) * Math.cos(w * i);
            im -= (samples[i] ?? 0) * Math.sin(w * i);
          }
          blocks.push((2 * Math.hypot(re, im)) / block);
        }
        blocks.sort((a, b) => a - b);
        amplitude[f] = blocks[Math.floor(blocks.length / 2)] ?? 0;
      }
      return { seconds: audio.duration, amplitude };
    },
    { base64, frequencies },
  );
}

/** The downloaded file, copied into the world's folder (alice's browser is the shared one: its downloads are reached by copy). */
async function saved(world: World, download: Download): Promise<string> {
  const file = path.join(world.dataDir, 'downloads', `${Date.now()}-${download.suggestedFilename()}`);
  await download.saveAs(file);
  return file;
}

async function expectBothTones(world: World, alice: User, download: Download): Promise<string> {
  expect(download.suggestedFilename()).toMatch(/^parley-.*\.webm$/);
  const file = await saved(world, download);
  const { seconds, amplitude } = await tones(alice.page, file, [ALICE_HZ, BOB_HZ, FLOOR_HZ]);
  const floor = amplitude[FLOOR_HZ] ?? 0;
  const found = `${seconds.toFixed(1)} s; amplitude at ${ALICE_HZ} Hz ${amplitude[ALICE_HZ]}, ${BOB_HZ} Hz ${amplitude[BOB_HZ]}, ${FLOOR_HZ} Hz ${floor}`;
  expect(seconds, found).toBeGreaterThan(2);
  // Each voice is clearly there (the tones are 0.5 full scale), far above a frequency nobody sends.
  for (const hz of [ALICE_HZ, BOB_HZ]) {
    expect(amplitude[hz] ?? 0, `${hz} Hz: ${found}`).toBeGreaterThan(0.02);
    expect(amplitude[hz] ?? 0, `${hz} Hz above the floor: ${found}`).toBeGreaterThan(floor * 10);
  }
  return file;
}

describe('recording a call, with everyone told', () => {
  it('1. alice records a call: bob is told and both see the badge; stopped, the file holds both voices', async ({ team: { alice }, bob, world }) => {
    await establishCall(alice, bob, 'Bob');
    expect(await badgeText(alice)).toBeNull();
    await recordButton(alice).click();
    await expect.poll(() => badgeText(alice), poll).toBe('You are recording this call');
    await expect.poll(() => badgeText(bob), poll).toBe('Alice is recording this call');
    expect(await recordButton(alice).getAttribute('aria-pressed')).toBe('true');
    // Long enough for a good measure of each tone.
    await new Promise((r) => setTimeout(r, 4000));
    await checkScreen('recording-recorder', alice.page);
    await checkScreen('recording-told', bob.page);

    const download = alice.page.waitForEvent('download', { timeout: 15_000 });
    await recordButton(alice).click();
    await expectBothTones(world, alice, await download);
    await expect.poll(() => badgeText(bob), poll).toBeNull();
    expect(await badgeText(alice)).toBeNull();
    expect(await recordButton(alice).getAttribute('aria-pressed')).toBe('false');
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob);
  }, 180_000);

  it('2. in a room: bob, coming in after alice started, is told at once; when she leaves, her recording stops and is saved, and his badge goes', async ({ team: { alice }, bob, world }) => {
    await joinRoom(alice, 'standup');
    await waitState(alice.page, 'active');
    await recordButton(alice).click();
    await expect.poll(() => badgeText(alice), poll).toBe('You are recording this call');

    await joinRoom(bob, 'standup');
    await waitState(bob.page, 'active');
    await expect.poll(() => badgeText(bob), poll).toBe('Alice is recording this call');
    await expect.poll(() => bob.page.locator('section.call .participant[data-username="alice"]').getAttribute('data-state'), poll).toBe('connected');
    await new Promise((r) => setTimeout(r, 4000));

    const download = alice.page.waitForEvent('download', { timeout: 15_000 });
    await leave(alice);
    await expectBothTones(world, alice, await download);
    await expect.poll(() => badgeText(bob), poll).toBeNull();
    // Bob is still in the room, alone now.
    expect(await bob.page.locator('section.call').getAttribute('data-state')).toBe('active');
    await leave(bob);
    await closeEnded(alice, bob);
  }, 180_000);

  it('3. a call with video: the file carries the stage\'s video too, with the voices', async ({ team: { alice }, bob, world }) => {
    await establishCall(alice, bob, 'Bob');
    await bob.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expect.poll(() => alice.page.locator('section.call video').count(), poll).toBeGreaterThan(0);
    await recordButton(alice).click();
    await expect.poll(() => badgeText(bob), poll).toBe('Alice is recording this call');
    await new Promise((r) => setTimeout(r, 4000));
    const download = alice.page.waitForEvent('download', { timeout: 15_000 });
    await recordButton(alice).click();
    const file = await expectBothTones(world, alice, await download);
    // Played back in the page: a video of the recording's frame size.
    const base64 = readFileSync(file).toString('base64');
    const size = await alice.page.evaluate(async (data) => {
      const blob = new Blob([Uint8Array.from(atob(data), (c) => c.charCodeAt(0))], { type: 'video/webm' });
      const video = document.createElement('video');
      video.muted = true;
      video.src = URL.createObjectURL(blob);
      await new Promise((resolve, reject) => {
        video.onloadedmetadata = resolve;
        video.onerror = () => reject(new Error('the recording does not play'));
      });
      return { width: video.videoWidth, height: video.videoHeight };
    }, base64);
    expect(size).toEqual({ width: 1280, height: 720 });
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob);
  }, 180_000);
});
