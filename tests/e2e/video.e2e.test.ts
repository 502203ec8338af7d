/**
 * Video calls in the browser: Chromium's fake camera (a moving test pattern)
 * and the fake microphone's tone, between alice and bob through the web
 * build served by a real server.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { ARTIFACTS, closeEnded, e2eTest, endCalls, inboundAudio, type User } from './harness.js';
import {
  expectNoTile,
  expectNoVideoSent,
  expectTile,
  expectVideoFlowing,
  expectVideoSent,
  liveVideoTracks,
  senderParameters,
  tile,
} from './media.js';
import { dial, expectAudioFlowing, pointToContacts, poll, waitState } from './steps.js';

const it = e2eTest({ team: ['alice', 'bob'] });

async function videoDial(from: User, toName: string): Promise<void> {
  await from.page.getByRole('button', { name: 'Contacts' }).click();
  await pointToContacts(from.page);
  await from.page.getByRole('button', { name: `Video call ${toName}`, exact: true }).click();
}

async function hangUp(u: User, ...others: User[]): Promise<void> {
  await u.page.getByRole('button', { name: 'Hang up' }).click();
  for (const x of [u, ...others]) await waitState(x.page, 'ended');
  await closeEnded(u, ...others);
}

/** Audio bytes received, read `times` times a second apart: each reading must be larger than the one before. */
async function audioKeepsGrowing(page: Page, times: number): Promise<number[]> {
  const readings: number[] = [];
  for (let i = 0; i < times; i++) {
    readings.push((await inboundAudio(page))?.bytesReceived ?? 0);
    await new Promise((r) => setTimeout(r, 1000));
  }
  return readings;
}

const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

/** What the notice bar says on `u`'s page (nothing, when all is well). */
const notices = (u: User): Promise<string[]> => u.page.locator('.notice .text').allTextContents();

describe('video calls', () => {
  it('1. alice starts a video call, bob answers with video: video flows both ways, with the tiles and a local preview', async ({ team: { alice, bob } }) => {
    await videoDial(alice, 'Bob');
    await waitState(bob.page, 'incoming');
    expect(await bob.page.locator('section.call .state:visible').textContent()).toBe('is video calling you');
    await bob.page.getByRole('button', { name: 'Answer with video' }).click();
    await waitState(alice.page, 'active');
    await waitState(bob.page, 'active');
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(bob.page);
    await expectVideoFlowing([alice.page, bob.page], 'camera');
    await expectTile([alice], 'Bob', 'camera');
    await expectTile([bob], 'Alice', 'camera');
    for (const u of [alice, bob]) await expect.poll(() => u.page.locator('figure.tile.self video').count(), poll).toBe(1);
    // The corner preview is a copy of the camera scaled to the tile (self-view.ts); the camera sends its full picture.
    const preview = alice.page.locator('figure.tile.self video');
    await expect.poll(() => preview.evaluate((v: HTMLVideoElement) => v.videoHeight), poll).toBeGreaterThan(0);
    const shown = await preview.evaluate((v: HTMLVideoElement) => ({ tile: v.clientHeight * devicePixelRatio, picture: v.videoHeight }));
    const sent = await alice.page.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.find((t) => t.kind === 'video')!.getSettings().height!);
    expect(shown.picture).toBeGreaterThanOrEqual(shown.tile);
    expect(shown.picture).toBeLessThan(sent);
    // Audio goes first: high priority on the audio sender, low and a bitrate cap on the camera.
    await expect
      .poll(async () => (await senderParameters(alice.page)).find((s) => s.kind === 'video'), poll)
      .toMatchObject({ priority: 'low', networkPriority: 'low', maxBitrate: expect.any(Number) as number });
    expect((await senderParameters(alice.page)).find((s) => s.kind === 'audio')).toMatchObject({ priority: 'high', networkPriority: 'high' });
    // Both take the other's video: nobody is told otherwise (issue 33: the caller's camera opened after its
    // first offer went, and the answer to that offer was read as a refusal).
    for (const u of [alice, bob]) expect(await notices(u)).toEqual([]);
    await alice.page.screenshot({ path: path.join(ARTIFACTS, 'video-call.png') });
  });

  it('2. alice turns her camera off: no video bytes leave her, bob loses her tile, audio goes on', async ({ team: { alice, bob } }) => {
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await expectNoVideoSent(alice.page, 'camera');
    await expectNoTile([bob], 'Alice', 'camera');
    await expect.poll(() => alice.page.locator('figure.tile.self video').count(), poll).toBe(0);
    // The camera is closed: its preview's copy too.
    await expect.poll(() => liveVideoTracks(alice.page), poll).toBe(0);
    await expectAudioFlowing(bob.page);
    // Bob's camera still reaches alice.
    await expectVideoFlowing([alice.page], 'camera');
    // And back on.
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expectVideoSent(alice.page, 'camera');
    await expectTile([bob], 'Alice', 'camera');
  });

  it('3. hanging up closes the cameras on both sides; history marks it a video call', async ({ team: { alice, bob } }) => {
    await hangUp(alice, bob);
    for (const u of [alice, bob]) await expect.poll(() => liveVideoTracks(u.page), poll).toBe(0);
    for (const u of [alice, bob]) {
      await u.page.getByRole('button', { name: /^History/ }).click();
      const row = u.page.locator('section[aria-labelledby="history-title"] li').first();
      await expect.poll(() => row.locator('.video-note').count(), poll).toBe(1);
    }
  });

  it("4. bob answers a video call with audio only: alice's camera reaches him, and nobody is told he cannot receive video", async ({ team: { alice, bob } }) => {
    await endCalls(alice, bob); // a call an earlier test left, when it failed: this one starts from none
    await videoDial(alice, 'Bob');
    await waitState(bob.page, 'incoming');
    await bob.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await waitState(alice.page, 'active');
    await expectVideoFlowing([bob.page], 'camera');
    await expectTile([bob], 'Alice', 'camera');
    await expectNoVideoSent(bob.page, 'camera');
    for (const u of [alice, bob]) expect(await notices(u)).toEqual([]);
    await hangUp(alice, bob);
  });

  it('5. an audio call turns video on mid-call: it renegotiates on the same connection and audio never stops', async ({ team: { alice, bob } }) => {
    await endCalls(alice, bob); // a call an earlier test left, when it failed: this one starts from none
    await dial(alice, 'Bob');
    await waitState(bob.page, 'incoming');
    expect(await bob.page.locator('section.call .state:visible').textContent()).toBe('is calling you');
    await bob.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await waitState(alice.page, 'active');
    await expectAudioFlowing(alice.page);
    // An audio call sends no video.
    await expectNoVideoSent(bob.page, 'camera');
    const connections = await alice.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length);
    const during = audioKeepsGrowing(alice.page, 5);
    // bob is the polite side: his offer renegotiates.
    await bob.page.getByRole('button', { name: 'Turn camera on' }).click();
    expect(increasing(await during), 'alice hears bob every second while video starts').toBe(true);
    await expectVideoFlowing([alice.page], 'camera');
    await expectTile([alice], 'Bob', 'camera');
    expect(await alice.page.evaluate(() => (window as unknown as { __pcs: unknown[] }).__pcs.length)).toBe(connections);
    await expectAudioFlowing(alice.page);
    await expectAudioFlowing(bob.page);
    // The impolite side's turn: alice's camera reaches bob too.
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expectVideoFlowing([bob.page], 'camera');
    await expectTile([bob], 'Alice', 'camera');
    await hangUp(bob, alice);
  });

  it('6. alice shares her screen: bob gets it as the large tile, next to the cameras; audio goes on', async ({ team: { alice, bob } }) => {
    await endCalls(alice, bob); // a call an earlier test left, when it failed: this one starts from none
    await dial(alice, 'Bob');
    await bob.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await waitState(alice.page, 'active');
    await bob.page.getByRole('button', { name: 'Turn camera on' }).click();
    await alice.page.getByRole('button', { name: 'Share screen' }).click();
    await expectVideoSent(alice.page, 'screen');
    await expectVideoFlowing([bob.page], 'screen');
    await expectTile([bob], 'Alice', 'screen');
    await expect.poll(() => bob.page.locator('.video').getAttribute('data-layout'), poll).toBe('screen');
    expect(await tile(bob.page, 'Alice', 'screen').getAttribute('class')).toContain('large');
    await expect.poll(() => alice.page.locator('.sharing-note').count(), poll).toBe(1);
    // Only the screen is sent (alice has no camera on), at low priority like any video: audio goes first.
    await expect
      .poll(async () => (await senderParameters(alice.page)).filter((s) => s.kind === 'video').map((s) => s.priority), poll)
      .toEqual(['low']);
    await expectAudioFlowing(bob.page);
    await expectVideoFlowing([alice.page], 'camera');
    await bob.page.screenshot({ path: path.join(ARTIFACTS, 'screen-share.png') });
  });

  it('7. alice stops sharing: bob is back to the camera layout, and no screen bytes leave alice', async ({ team: { alice, bob } }) => {
    await alice.page.getByRole('button', { name: 'Stop sharing' }).click();
    await expectNoVideoSent(alice.page, 'screen');
    await expectNoTile([bob], 'Alice', 'screen');
    await expect.poll(() => bob.page.locator('.video').getAttribute('data-layout'), poll).toBe('grid');
    await expectTile([alice], 'Bob', 'camera');
    await expect.poll(() => liveVideoTracks(alice.page), poll).toBe(0);
    await hangUp(alice, bob);
  });
});
