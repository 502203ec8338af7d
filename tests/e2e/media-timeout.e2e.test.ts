/**
 * The media timeout with real WebRTC: a call whose path stays connected
 * (ICE answers its checks) while one side's audio stops is given up by the
 * side that hears nothing, and both sides and both histories say the audio
 * stopped. A muted microphone is not silence on the wire: its packets keep
 * coming, so mute never trips it.
 */
import { describe, expect } from 'vitest';
import { chooseNoiseSuppression } from '../../bench/denoise/measure.js';
import { callPanel, closeEnded, e2eTest, type User } from './harness.js';
import { establishCall, poll, waitState } from './steps.js';

/** The app's media timeout (MEDIA_TIMEOUT_MS), and the quality timer that samples it (STATS_INTERVAL_MS). */
const MEDIA_TIMEOUT_MS = 20_000;
const STATS_INTERVAL_MS = 2000;

const it = e2eTest({ team: ['alice', 'bob'], afterEach: ({ team: { alice, bob } }) => closeEnded(alice, bob) });

/** The page's newest connection: its state and the audio packets received over it. */
function pathAndPackets(u: User): Promise<{ state: string; packets: number }> {
  return u.page.evaluate(async () => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
    if (!pc) return { state: 'none', packets: 0 };
    let packets = 0;
    for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; packetsReceived?: number }>) {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') packets = s.packetsReceived ?? 0;
    }
    return { state: pc.connectionState, packets };
  });
}

describe('a connected call whose audio stops', () => {
  it('muted, the packets keep coming; audio stopped at the sender, the other side gives up within the timeout, both say why, and both histories', async ({ team: { alice, bob } }) => {
    // Standard, not Auto: the fake microphone's steady tone is a noisy room to Auto, whose switch to RNNoise would
    // give the sender a track again after this test took it off.
    await chooseNoiseSuppression(alice.page, 'browser');
    await establishCall(alice, bob, 'Bob');

    // Mute keeps sending (silence frames): bob still receives packets, and the call goes on past the timeout.
    await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    const muted = await pathAndPackets(bob);
    await expect.poll(async () => (await pathAndPackets(bob)).packets, poll).toBeGreaterThan(muted.packets + 100);
    await alice.page.getByRole('button', { name: 'Mute', exact: true, pressed: true }).click();

    // alice's sender stops sending audio; ICE goes on answering, so the path stays connected.
    const stoppedAt = Date.now();
    await alice.page.evaluate(async () => {
      const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
      await pc?.getSenders().find((s) => s.track?.kind === 'audio')?.replaceTrack(null);
    });
    await new Promise((r) => setTimeout(r, 2 * STATS_INTERVAL_MS));
    const before = await pathAndPackets(bob);
    await new Promise((r) => setTimeout(r, 2 * STATS_INTERVAL_MS));
    const after = await pathAndPackets(bob);
    expect(after).toEqual({ state: 'connected', packets: before.packets });
    expect(await callPanel(bob.page).getAttribute('data-state')).toBe('active');

    // bob hears nothing and gives up; alice hears why from the server.
    await waitState(bob.page, 'ended', MEDIA_TIMEOUT_MS + 4 * STATS_INTERVAL_MS);
    const endedAfter = Date.now() - stoppedAt;
    console.info(`media timeout: the call ended ${endedAfter} ms after alice's audio stopped`);
    expect(endedAfter).toBeGreaterThanOrEqual(MEDIA_TIMEOUT_MS);
    await waitState(alice.page, 'ended');
    for (const [u, peer] of [
      [bob, 'Alice'],
      [alice, 'Bob'],
    ] as const) {
      await expect.poll(async () => (await u.page.getByRole('alert').textContent())?.trim(), poll).toBe(`The audio between you and ${peer} stopped and did not come back.`);
      expect(await u.page.locator('body').textContent()).not.toContain('TURN');
    }
    await closeEnded(alice, bob);
    for (const u of [alice, bob]) {
      await u.page.getByRole('button', { name: /^History/ }).click();
      const newest = u.page.locator('section[aria-labelledby="history-title"] li').first();
      await expect.poll(() => newest.locator('.outcome').textContent(), poll).toBe('Audio stopped');
      await u.page.getByRole('button', { name: 'Contacts' }).click();
    }
  }, 90_000);
});
