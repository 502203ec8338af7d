/**
 * Voicemail as people use it, in the browser. Bob is offline; Alice calls
 * him, is offered "Leave a message", hears the default greeting that names
 * him, records (Re-record once, then three seconds of her microphone, the
 * fake device's 440 Hz tone) and sends it. Bob signs in: one unheard message
 * in his tabs and his window title; he opens it and plays it, and the audio
 * his player plays is the tone (an AnalyserNode on the player's output finds
 * 440 Hz, far above a frequency the tone lacks). Screens of the recorder and the list
 * in six looks.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { e2eTest, user } from './harness.js';
import { dial, endedText, poll } from './steps.js';
import { checkScreen, eachLook, SCREENS } from './ui-checks.js';

/** The shared Chromium's fake microphone (global-setup.ts). */
const TONE_HZ = 440;
/** A frequency the tone lacks: the floor it is measured against. */
const FLOOR_HZ = 700;

const it = e2eTest({ team: ['alice'], alsoRegistered: ['bob'] });

/**
 * What Bob's player plays, as he hears it: the element's own output
 * (captureStream) through a Web Audio AnalyserNode, read ten times 100 ms
 * apart while it plays from half a second in; the strongest frequency
 * between 200 and 4000 Hz, its level, and the level at a frequency the tone
 * lacks. (The page's CSP lets no script fetch the blob the player plays.)
 */
function playerTones(page: Page): Promise<{ hz: number; db: number; floorDb: number }> {
  return page.evaluate(async (floorHz) => {
    const player = document.querySelector<HTMLAudioElement & { captureStream(): MediaStream }>('li[data-message] audio');
    if (!player) throw new Error('no player');
    player.currentTime = 0.5;
    await player.play();
    const ctx = new AudioContext();
    await ctx.resume();
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 8192;
    analyser.smoothingTimeConstant = 0;
    ctx.createMediaStreamSource(player.captureStream()).connect(analyser);
    const sum = new Float32Array(analyser.frequencyBinCount);
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const now = new Float32Array(analyser.frequencyBinCount);
      analyser.getFloatFrequencyData(now);
      for (let b = 0; b < now.length; b++) sum[b] = (sum[b] ?? 0) + Math.max(now[b] ?? -200, -200) / 10;
    }
    player.pause();
    await ctx.close();
    const binHz = ctx.sampleRate / analyser.fftSize;
    let best = Math.round(200 / binHz);
    for (let b = best; b < Math.round(4000 / binHz); b++) if ((sum[b] ?? -200) > (sum[best] ?? -200)) best = b;
    return { hz: best * binHz, db: sum[best] ?? -200, floorDb: sum[Math.round(floorHz / binHz)] ?? -200 };
  }, FLOOR_HZ);
}

it('Bob is offline: Alice leaves three seconds of her tone; Bob signs in, has one unheard message, plays it and hears the tone', async ({ team: { alice }, world }) => {
  await dial(alice, 'Bob');
  expect(await endedText(alice.page)).toBe('Bob is offline');
  const offer = alice.page.getByRole('region', { name: 'Voicemail' });
  await offer.getByRole('button', { name: 'Leave a message' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Message for Bob' });
  await expect.poll(() => dialog.textContent(), poll).toContain("Bob can't take your call. Leave a message after the tone.");
  const elapsed = dialog.locator('.elapsed');
  await elapsed.waitFor({ timeout: 15_000 });
  await checkScreen('voicemail-recorder', alice.page);

  // Started over: what was recorded while the screens were taken goes.
  await dialog.getByRole('button', { name: 'Re-record' }).click();
  await expect.poll(() => elapsed.textContent(), { ...poll, interval: 50 }).toBe('0:03');
  await dialog.getByRole('button', { name: 'Stop and send' }).click();
  await expect.poll(() => dialog.getByRole('status').textContent(), poll).toMatch(/^Message sent to Bob \(0:0[34]\)\.$/);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect.poll(() => offer.count(), poll).toBe(0);

  const bob = await user(world, 'bob');
  const tab = bob.page.getByRole('button', { name: /^Voicemail/ });
  await expect.poll(() => tab.getAttribute('aria-label'), poll).toBe('Voicemail, 1 unheard');
  await expect.poll(() => bob.page.title(), poll).toBe('(1) 1 voicemail · Parley');
  await tab.click();
  const messages = bob.page.locator('li[data-message]');
  await expect.poll(() => messages.count(), poll).toBe(1);
  expect(await messages.locator('.dot').count()).toBe(1);
  await messages.getByRole('button', { name: /Alice/ }).click();
  await bob.page.getByRole('button', { name: 'Play the message from Alice' }).click();
  await bob.page.getByRole('button', { name: 'Pause the message from Alice' }).waitFor();
  // It plays: the position moves on, and playing it counts as heard on every device.
  await expect.poll(() => bob.page.evaluate(() => document.querySelector<HTMLAudioElement>('li[data-message] audio')?.currentTime ?? 0), poll).toBeGreaterThan(0.5);
  await expect.poll(() => tab.getAttribute('aria-label'), poll).toBe('Voicemail');
  await expect.poll(() => bob.page.title(), poll).toBe('(1) Parley'); // the missed call stays until History is seen

  // Three seconds long, as the player says once it knows; and what it plays is the tone.
  await expect.poll(() => bob.page.locator('li[data-message] .time').textContent(), poll).toMatch(/ \/ 0:0[34]$/);
  const heard = await playerTones(bob.page);
  expect(Math.abs(heard.hz - TONE_HZ)).toBeLessThan(15);
  expect(heard.db).toBeGreaterThan(-50);
  expect(heard.db - heard.floorDb).toBeGreaterThan(30);

  await checkScreen('voicemail-list', bob.page);

  // The player's speed and seek bar act on what plays; Download saves the audio; Delete removes it for good.
  const player = bob.page.locator('li[data-message] audio');
  await bob.page.getByLabel('Playback speed').selectOption('1.5');
  expect(await player.evaluate((a: HTMLAudioElement) => a.playbackRate)).toBe(1.5);
  await bob.page.getByLabel('Position in the message from Alice').fill('2');
  expect(await player.evaluate((a: HTMLAudioElement) => Math.round(a.currentTime))).toBe(2);
  const [download] = await Promise.all([bob.page.waitForEvent('download'), bob.page.getByRole('link', { name: 'Download the message from Alice' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^voicemail-alice-\d{4}-\d\d-\d\dT\d{4}\.webm$/);
  await bob.page.getByRole('button', { name: 'Delete the message from Alice' }).click();
  await expect.poll(() => messages.count(), poll).toBe(0);
  await bob.page.getByText('No messages.').waitFor();
  await bob.context.close();
});

it("Bob records a greeting in Settings; Alice's next message begins with it, and the recorder starts once it has played", async ({ team: { alice }, world }) => {
  const bob = await user(world, 'bob');
  await bob.page.getByRole('button', { name: 'Settings', exact: true }).click();
  const greeting = bob.page.getByRole('group', { name: 'Voicemail greeting' });
  await greeting.getByRole('button', { name: 'Record a greeting' }).click();
  await expect.poll(() => greeting.getByRole('timer').textContent(), { ...poll, interval: 50 }).toMatch(/^0:02 \//);
  await greeting.getByRole('button', { name: 'Stop and save' }).click();
  await expect.poll(() => greeting.getByRole('status').textContent(), poll).toMatch(/^Greeting saved \(0:0[23]\)\.$/);
  await greeting.getByLabel('Your greeting').waitFor();
  await checkScreen('voicemail-greeting-settings', bob.page);
  // The greeting's part is below the fold of Settings: a picture of it in each look too.
  await eachLook(bob.page, async (label) => {
    await greeting.scrollIntoViewIfNeeded();
    await greeting.screenshot({ path: path.join(SCREENS, `voicemail-greeting-${label}.png`) });
  });

  // Bob on do not disturb: Alice's call is refused, and she is offered a message with his greeting first.
  await bob.page.getByRole('button', { name: 'Contacts' }).click();
  await bob.page.getByLabel('Your status').selectOption('dnd');
  await dial(alice, 'Bob');
  expect(await endedText(alice.page)).toMatch(/disturb/i);
  await alice.page.getByRole('region', { name: 'Voicemail' }).getByRole('button', { name: 'Leave a message' }).click();
  const dialog = alice.page.getByRole('dialog', { name: 'Message for Bob' });
  await expect.poll(() => dialog.textContent(), poll).toContain("Bob's greeting is playing.");
  await dialog.locator('.elapsed').waitFor({ timeout: 15_000 });
  await dialog.getByRole('button', { name: 'Discard' }).click();
  await expect.poll(() => dialog.count(), poll).toBe(0);
  // Discarded: nothing reached Bob.
  expect(await bob.page.getByRole('button', { name: /^Voicemail/ }).getAttribute('aria-label')).toBe('Voicemail');
});
