/**
 * Parley at rest costs nothing it need not: an app left open all day after a
 * call keeps no audio context running (a running one renders silence on the
 * audio thread for as long as it lives), and its microphone is closed.
 * What the app costs in CPU and memory is measured by `npm run bench:client`.
 */
import { expect } from 'vitest';
import { closeEnded, e2eTest, liveTracks, type User } from './harness.js';
import { recordAudioContexts, runningAudioContexts } from './media.js';
import { establishCall, poll, waitState } from './steps.js';

const running = (u: User) => runningAudioContexts(u.page);

const it = e2eTest({ team: ['alice', 'bob'], open: { alice: { init: recordAudioContexts }, bob: { init: recordAudioContexts } } });

it('after a call rang, was answered and ended, no audio context is left running on either side, and no microphone is open', async ({ team: { alice, bob } }) => {
  await establishCall(alice, bob, 'Bob');
  // In the call: the ring's tones are over, the microphone's meter runs.
  expect(await running(alice)).toBeGreaterThan(0);
  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await waitState(bob.page, 'ended');
  await closeEnded(alice, bob);
  for (const u of [alice, bob]) {
    await expect.poll(() => running(u), poll).toBe(0);
    expect(await liveTracks(u.page)).toBe(0);
  }
});
