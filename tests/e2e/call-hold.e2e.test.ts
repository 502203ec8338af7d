/**
 * Hold in a call of two, in Chromium with real audio: alice holds the call
 * and nothing more arrives on either side (RTP packets stop, both ways),
 * both see "On hold" with the timer still running (bob sees it on alice's
 * tile, not her camera's last frame), a hold longer than the
 * media timeout does not end the call, and taking it off hold brings the
 * audio back both ways. Then bob holds it, and alice is told so. Screens in
 * six looks on both sides.
 */
import type { Page } from 'playwright-core';
import { describe, expect } from 'vitest';
import { MEDIA_TIMEOUT_MS } from '../../src/renderer/src/call/media-timeout.js';
import { closeEnded, e2eTest, inboundAudio, type User } from './harness.js';
import { expectNoTile, expectTile } from './media.js';
import { establishCall, expectAudioFlowing, poll, waitState } from './steps.js';
import { checkScreen } from './ui-checks.js';

const it = e2eTest({ team: ['alice', 'bob'] });

const SCREEN_MS = 180_000;

/** RTP packets this page has sent, over every sender of its newest connection. */
function packetsSent(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
    if (!pc) return 0;
    let sent = 0;
    for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; packetsSent?: number }>) {
      if (s.type === 'outbound-rtp') sent += s.packetsSent ?? 0;
    }
    return sent;
  });
}

const bytesIn = async (page: Page) => (await inboundAudio(page))?.bytesReceived ?? 0;

/** Nothing arrives and nothing leaves: two readings a second and a half apart are the same (polled: the last packets drain first). */
async function expectNoMedia(page: Page): Promise<void> {
  await expect
    .poll(async () => {
      const [inBefore, outBefore] = [await bytesIn(page), await packetsSent(page)];
      await new Promise((r) => setTimeout(r, 1500));
      return (await bytesIn(page)) === inBefore && (await packetsSent(page)) === outBefore;
    }, poll)
    .toBe(true);
}

const headerState = (u: User) => u.page.locator('section.call .state:visible');
const holdPill = (u: User) => u.page.locator('section.call .on-hold');
const holdButton = (u: User) => u.page.getByRole('button', { name: 'Hold', exact: true });
/** The call's running time in seconds, from the header's timer. */
async function timerSeconds(u: User): Promise<number> {
  const text = (await u.page.locator('section.call .timer').textContent()) ?? '';
  return text.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

describe('hold', () => {
  it('1. alice holds: no media either way, both see "On hold" (no frozen video), the timer goes on; off hold, audio and video are back', async ({ team: { alice, bob } }) => {
    await establishCall(alice, bob, 'Bob');
    await alice.page.getByRole('button', { name: 'Turn camera on' }).click();
    await expectTile([bob], 'Alice', 'camera');
    expect(await holdButton(alice).getAttribute('aria-pressed')).toBe('false');
    await holdButton(alice).click();
    expect(await holdButton(alice).getAttribute('aria-pressed')).toBe('true');
    for (const u of [alice, bob]) await expect.poll(() => headerState(u).textContent(), poll).toMatch(/^On hold · \d+:\d\d/);
    await expect.poll(() => holdPill(alice).textContent(), poll).toBe('On hold: you put Bob on hold');
    await expect.poll(() => holdPill(bob).textContent(), poll).toBe('On hold: Alice put you on hold');
    // Bob sees Alice's face and the words, not her last frame frozen.
    await expectNoTile([bob], 'Alice', 'camera');
    const held = bob.page.locator('section.call figure.tile.participant[data-peer="Alice"]');
    await expect.poll(() => held.getAttribute('data-held'), poll).toBe('true');
    expect(await held.locator('.held-label').textContent()).toBe('On hold');
    await expectNoMedia(bob.page);
    await expectNoMedia(alice.page);
    const before = await timerSeconds(bob);
    await expect.poll(() => timerSeconds(bob), poll).toBeGreaterThan(before);
    await checkScreen('call-on-hold', { alice: alice.page, bob: bob.page });

    await holdButton(alice).click();
    for (const u of [alice, bob]) await expect.poll(() => headerState(u).textContent(), poll).toMatch(/^In call · /);
    expect(await holdPill(bob).count()).toBe(0);
    await expectAudioFlowing(bob.page);
    await expectAudioFlowing(alice.page);
    await expectTile([bob], 'Alice', 'camera');
    await alice.page.getByRole('button', { name: 'Turn camera off' }).click();
    await expectNoTile([bob], 'Alice', 'camera');
  }, SCREEN_MS);

  it('2. a hold longer than the media timeout does not end the call; bob holds too, and the call resumes only when both have', async ({ team: { alice, bob } }) => {
    await holdButton(bob).click();
    await expect.poll(() => holdPill(alice).textContent(), poll).toBe('On hold: Bob put you on hold');
    await expectNoMedia(alice.page);
    await new Promise((r) => setTimeout(r, MEDIA_TIMEOUT_MS + 4000));
    for (const u of [alice, bob]) expect(await u.page.locator('section.call').getAttribute('data-state')).toBe('active');

    await holdButton(alice).click();
    await expect.poll(() => holdPill(bob).textContent(), poll).toBe('On hold: you and Alice both put the call on hold');
    await holdButton(bob).click();
    await expect.poll(() => holdPill(alice).textContent(), poll).toBe('On hold: you put Bob on hold');
    await expectNoMedia(alice.page);
    await holdButton(alice).click();
    await expectAudioFlowing(bob.page);
    await expectAudioFlowing(alice.page);

    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const u of [alice, bob]) await waitState(u.page, 'ended');
    await closeEnded(alice, bob);
  }, SCREEN_MS);

  it('3. a call hung up while on hold leaves no hold behind: the next call has audio both ways', async ({ team: { alice, bob } }) => {
    await establishCall(alice, bob, 'Bob');
    await holdButton(alice).click();
    await expectNoMedia(bob.page);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const u of [alice, bob]) await waitState(u.page, 'ended');
    await closeEnded(alice, bob);
    await establishCall(alice, bob, 'Bob');
    await expectAudioFlowing(bob.page);
    await expectAudioFlowing(alice.page);
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    for (const u of [alice, bob]) await waitState(u.page, 'ended');
    await closeEnded(alice, bob);
  });
});
