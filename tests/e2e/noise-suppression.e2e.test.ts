/**
 * Noise suppression as Bob hears it. Alice's fake microphone is a voice in a
 * room with a steady noise (bench/denoise/noisy-speech.ts: espeak-ng and
 * sox make it); she calls Bob with noise suppression Off, Strong, then Auto
 * (set in Settings), which turns RNNoise on in this room, and Bob's received level is read in 250 ms windows: the
 * quietest are the noise floor, the loudest the voice (bench/denoise/
 * measure.ts). Strong must bring the floor far down and leave the voice;
 * mute, the meter and the at-rest rule must hold on the denoised track; and
 * where RNNoise cannot run, the browser's suppression stands in, said once.
 * The figures with CPU are `npm run bench:denoise`'s (BENCHMARKS.md).
 */
import { describe, expect } from 'vitest';
import { chooseNoiseSuppression, floorAndVoice, receivedLevels } from '../../bench/denoise/measure.js';
import { LOOP_SECONDS, missingTools, writeNoisySpeechWav } from '../../bench/denoise/noisy-speech.js';
import type { NoiseSuppression } from '../../src/shared/preferences.js';
import { closeEnded, e2eTest, launchChromium, user, type User } from './harness.js';
import { establishCall, expectAudioFlowing, poll, waitState } from './steps.js';
import { recordAudioContexts, runningAudioContexts } from './media.js';
import { openMicrophones } from './page-probes.js';
import { checkLayout, checkScreen, eachLook, shoot } from './ui-checks.js';

const missing = missingTools();
if (missing.length > 0) console.warn(`noise-suppression.e2e.test.ts skipped: ${missing.join(' and ')} not installed (apt-get install espeak-ng sox; CI installs them)`);

const runningContexts = (u: User) => runningAudioContexts(u.page);

/** A browser where Web Audio has no AudioWorklet (as in an old or locked-down browser). */
function withoutAudioWorklet(): void {
  delete (window as unknown as { AudioWorkletNode?: unknown }).AudioWorkletNode;
}

const FALLBACK = 'Strong noise suppression cannot run here';
// One loop of the file: the percentiles read its voice and its quiet stretch (a second loop is the same sound again).
const SECONDS = LOOP_SECONDS;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const it = e2eTest({ team: ['bob'], alsoRegistered: ['alice', 'carol'] })
  // alice's microphone is the noisy room: a Chromium of her own, with that file.
  .extend('aliceBrowser', { scope: 'file' }, async ({ world }, { onCleanup }) => {
    const browser = await launchChromium(writeNoisySpeechWav(world.dataDir).file);
    onCleanup(() => browser.close());
    return browser;
  })
  .extend('alice', { scope: 'file' }, ({ aliceBrowser, team: _bobFirst, world }) =>
    user({ url: world.url, browser: aliceBrowser }, 'alice', { init: recordAudioContexts }),
  );

const heard: Partial<Record<NoiseSuppression, { floorDb: number; voiceDb: number }>> = {};

describe.skipIf(missing.length > 0)('noise suppression', () => {
  /** Alice calls Bob with `level`, Bob's received level is read, and `during` runs in the call before the hang-up. */
  async function callAndListen(alice: User, bob: User, level: NoiseSuppression, during: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    await chooseNoiseSuppression(alice.page, level);
    await establishCall(alice, bob, 'Bob');
    await sleep(3000); // the automatic gain finds its level
    heard[level] = floorAndVoice(await receivedLevels(bob.page, SECONDS));
    await during();
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob);
  }

  it('Off: Bob hears the room as it is', async ({ team: { bob }, alice }) => {
    await callAndListen(alice, bob, 'off');
    console.log(`Off: noise floor ${heard.off!.floorDb.toFixed(1)} dB, voice ${heard.off!.voiceDb.toFixed(1)} dB`);
    // The file's noise is about 12 dB under the voice: Bob hears it, clearly above silence.
    expect(heard.off!.floorDb).toBeGreaterThan(-45);
  }, 120_000);

  it('Strong: the noise floor Bob hears is at least 20 dB lower, the voice as loud; mute, the meter and at-rest hold', async ({ team: { bob }, alice }) => {
    await callAndListen(alice, bob, 'strong', async () => {
      // Alice's own meter reads the denoised sound: it shows her speaking.
      await expect.poll(() => alice.page.locator('.self[data-speaking="true"]').count(), { timeout: 15_000, interval: 100 }).toBe(1);
      // Mute disables the denoised track Alice sends: Bob hears silence, then her voice again.
      await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
      // What was sent before the click has played out: the last quarter second was silent.
      await expect.poll(async () => (await receivedLevels(bob.page, 0.25)).at(-1) ?? 0, poll).toBeLessThan(-80);
      // Silence decodes at about -90 dB (the denoised floor is around -65).
      expect(Math.max(...(await receivedLevels(bob.page, 2)))).toBeLessThan(-80);
      await alice.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();
      await expectAudioFlowing(bob.page);
    });
    const off = heard.off!;
    const strong = heard.strong!;
    console.log(`Strong: noise floor ${strong.floorDb.toFixed(1)} dB (${(off.floorDb - strong.floorDb).toFixed(1)} dB under Off), voice ${strong.voiceDb.toFixed(1)} dB`);
    expect(await alice.page.getByText(FALLBACK).count()).toBe(0);
    expect(strong.floorDb).toBeLessThan(off.floorDb - 20);
    expect(strong.voiceDb).toBeGreaterThan(off.voiceDb - 6);
    // Nothing of the denoiser runs once the call is over.
    await expect.poll(() => runningContexts(alice), poll).toBe(0);
  }, 120_000);

  it('Auto (the default): opened with the browser suppression, the noisy room turns RNNoise on within seconds, and Bob then hears what Strong gives', async ({ team: { bob }, alice }) => {
    await chooseNoiseSuppression(alice.page, 'auto');
    await establishCall(alice, bob, 'Bob');
    const open = () => openMicrophones(alice.page);
    expect(await open()).toEqual([true]);
    // The floor needs 8 s of readings behind it and 4 s at the noisy level (noise-floor.ts): the raw capture for
    // RNNoise replaces the first, which is stopped.
    await expect.poll(open, { timeout: 20_000, interval: 250 }).toEqual([false]);
    await sleep(2000); // what was sent before the switch has played out, and the gain settled
    heard.auto = floorAndVoice(await receivedLevels(bob.page, SECONDS));
    const off = heard.off!;
    const auto = heard.auto;
    console.log(`Auto: noise floor ${auto.floorDb.toFixed(1)} dB (${(off.floorDb - auto.floorDb).toFixed(1)} dB under Off), voice ${auto.voiceDb.toFixed(1)} dB`);
    expect(auto.floorDb).toBeLessThan(off.floorDb - 20);
    expect(auto.voiceDb).toBeGreaterThan(off.voiceDb - 6);
    // Mute holds on the new track: Bob hears silence.
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await expect.poll(async () => (await receivedLevels(bob.page, 0.25)).at(-1) ?? 0, poll).toBeLessThan(-80);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await closeEnded(alice, bob);
    expect(await open()).toEqual([]);
    await expect.poll(() => runningContexts(alice), poll).toBe(0);
  }, 120_000);

  it("where RNNoise cannot run, Strong falls back to the browser's suppression: the call has audio and the user is told once", async ({ team: { bob }, aliceBrowser, world }) => {
    const carol = await user({ url: world.url, browser: aliceBrowser }, 'carol', { init: withoutAudioWorklet });
    try {
      await chooseNoiseSuppression(carol.page, 'strong');
      for (let call = 0; call < 2; call++) {
        await establishCall(carol, bob, 'Bob');
        await expect.poll(() => carol.page.getByText(FALLBACK).count(), poll).toBe(call === 0 ? 1 : 0);
        // The microphone that is open was asked for with the browser's suppression.
        expect(await openMicrophones(carol.page)).toEqual([true]);
        if (call === 0) await carol.page.getByRole('button', { name: 'Dismiss message' }).click();
        await carol.page.getByRole('button', { name: 'Hang up' }).click();
        await waitState(bob.page, 'ended');
        await closeEnded(carol, bob);
      }
    } finally {
      await carol.context.close();
    }
  }, 120_000);

  it('Settings: the level with its explanation, and the microphone test saying which level is at work, read well in six looks', async ({ alice }) => {
    const { page } = alice;
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const select = page.getByLabel('Noise suppression');
    expect(await select.inputValue()).toBe('auto');
    await expect.poll(() => select.evaluate((el) => el.getAttribute('aria-describedby') && document.getElementById(el.getAttribute('aria-describedby')!)?.textContent), poll).toMatch(/^Standard while your room is quiet/);
    await page.getByRole('button', { name: 'Test microphone' }).click();
    const autoText = 'The meter shows what others hear, with noise suppression Standard. In a call, Auto turns Strong on if your room is noisy.';
    await page.getByText(autoText, { exact: true }).waitFor();
    // A change is heard in the running test at once.
    await select.selectOption({ label: 'Standard' });
    await page.getByText('The meter shows what others hear, with noise suppression Standard.', { exact: true }).waitFor();
    await select.selectOption({ label: 'Strong' });
    await page.getByText('The meter shows what others hear, with noise suppression Strong.', { exact: true }).waitFor();
    await select.selectOption({ label: 'Auto' });
    await page.getByText(autoText, { exact: true }).waitFor();
    await checkScreen('settings', page);
    // The screens above show the top of Settings: these show its microphone part, with the test running.
    const testing = page.getByText(/^The meter shows what others hear/);
    await eachLook(page, async (label) => {
      // Crossing 640 px lays the window out anew, and the test stops with the screen it ran in.
      if ((await testing.count()) === 0) await page.getByRole('button', { name: 'Test microphone' }).click();
      await testing.waitFor();
      await page.getByRole('button', { name: 'Stop microphone test' }).scrollIntoViewIfNeeded();
      await shoot(page, `settings-microphone-${label}`);
      await checkLayout(page);
    });
    await page.getByRole('button', { name: 'Stop microphone test' }).click();
    await expect.poll(() => runningContexts(alice), poll).toBe(0);
  }, 180_000);
});
