/**
 * The fast call setup's edges: each side opens its microphone and prepares
 * its connection while the call rings (the caller while its invite travels),
 * so the answer does not wait for them. Here the microphones are slow to
 * open, or may not be used at all.
 */
import { describe, expect } from 'vitest';
import { callPanel, closeEnded, e2eTest, liveTracks, microphones } from './harness.js';
import { dial, endedText, expectAudioFlowing, poll, waitState } from './steps.js';

/** getUserMedia takes 1.5 s: the call is answered before the caller's microphone is open. */
function slowCallerMicrophone(): void {
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => new Promise((r) => setTimeout(r, 1500)).then(() => open(c));
}

/** getUserMedia takes 0.3 s: Answer is clicked before the microphone opened for the ring is. */
function slowCalleeMicrophone(): void {
  const open = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (c) => new Promise((r) => setTimeout(r, 300)).then(() => open(c));
}

/** The user refused Parley the microphone. */
function deniedMicrophone(): void {
  const query = navigator.permissions.query.bind(navigator.permissions);
  navigator.permissions.query = async (d) => (d.name === 'microphone' ? ({ state: 'denied' } as PermissionStatus) : query(d));
  navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
}

const it = e2eTest({
  team: ['dave', 'erin', 'frank'],
  open: { dave: { init: slowCallerMicrophone }, erin: { init: slowCalleeMicrophone }, frank: { init: deniedMicrophone } },
});

describe('call setup with slow and refused microphones', () => {
  it('answered at once, before either microphone is open: the call connects, audio flows both ways, and hanging up closes both', async ({ team: { dave, erin } }) => {
    await dial(dave, 'Erin');
    await waitState(erin.page, 'incoming');
    await erin.page.getByRole('button', { name: 'Answer', exact: true }).click();
    await waitState(dave.page, 'active');
    await waitState(erin.page, 'active');
    await expectAudioFlowing(erin.page);
    await expectAudioFlowing(dave.page);
    await dave.page.getByRole('button', { name: 'Hang up' }).click();
    expect(await endedText(erin.page)).toBe('Dave hung up');
    for (const u of [dave, erin]) await expect.poll(() => liveTracks(u.page), poll).toBe(0);
    await closeEnded(dave, erin);
  });

  it('declined before either microphone is open: both open later and are closed at once', async ({ team: { dave, erin } }) => {
    const before = await Promise.all([microphones(dave.page), microphones(erin.page)]);
    await dial(dave, 'Erin');
    await waitState(erin.page, 'incoming');
    await erin.page.getByRole('button', { name: 'Decline' }).click();
    expect(await endedText(dave.page)).toBe('Erin declined');
    for (const [i, u] of [dave, erin].entries()) {
      await expect.poll(async () => (await microphones(u.page)).opened, poll).toBeGreaterThan(before[i]!.opened);
      await expect.poll(async () => (await microphones(u.page)).live, poll).toBe(0);
    }
    await closeEnded(dave, erin);
  });

  it('a microphone Parley may not use fails the call before it rings anyone', async ({ team: { erin, frank } }) => {
    await dial(frank, 'Erin');
    expect(await endedText(frank.page)).toBe('Call ended');
    await expect.poll(() => frank.page.getByRole('alert').textContent(), poll).toContain('Parley cannot use the microphone');
    expect(await callPanel(erin.page).count()).toBe(0);
    await closeEnded(frank);
  });
});
