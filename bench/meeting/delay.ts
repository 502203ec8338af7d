/**
 * Mouth-to-ear delay (onsets.ts) between two app users in a room of two:
 * on a server without Janus the room is a direct connection; on one with
 * PARLEY_SFU_FROM=2 it goes through Janus. Both users are pages of one
 * browser whose microphones beep; each direction counts.
 */
import type { Browser, Page } from 'playwright-core';
import { expect } from 'vitest';
import { user, type Site, type User } from '../../tests/e2e/harness.js';
import { joinRoom, leave } from '../../tests/e2e/rooms.js';
import { waitState } from '../../tests/e2e/steps.js';
import { delays, takeOnsets, tapOnsets } from './onsets.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Inbound audio tracks of the page's connected connections that have had packets. */
export function inboundAudioFlowing(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState === 'connected');
    let n = 0;
    for (const pc of pcs) for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; packetsReceived?: number }>)
        if (s.type === 'inbound-rtp' && s.kind === 'audio' && (s.packetsReceived ?? 0) > 0) n++;
    return n;
  });
}

/** The two users' delays, ms, each beep heard by either over `seconds` (after `settleSeconds` for the jitter buffers to settle). */
export async function measureDelay(site: Site, browser: Browser, room: string, options: { seconds: number; settleSeconds: number }): Promise<number[]> {
  const users: User[] = [];
  try {
    for (const name of ['alice', 'bob']) users.push(await user({ ...site, browser }, name, { bypassCSP: true }));
    for (const u of users) await joinRoom(u, room);
    for (const u of users) await waitState(u.page, 'active');
    for (const u of users) await expect.poll(() => inboundAudioFlowing(u.page), { timeout: 60_000 }).toBe(1);
    await sleep(options.settleSeconds * 1000);
    for (const u of users) await tapOnsets(u.page);
    // The first second's beeps may have started before the taps.
    await sleep(1000);
    for (const u of users) await takeOnsets(u.page);
    await sleep(options.seconds * 1000);
    const [a, b] = [await takeOnsets(users[0]!.page), await takeOnsets(users[1]!.page)];
    const measured = [...delays(a.mic, b.heard), ...delays(b.mic, a.heard)];
    if (measured.length < options.seconds) throw new Error(`${room}: ${measured.length} beeps heard in ${options.seconds} s, expected about ${2 * options.seconds}`);
    for (const u of users) await leave(u);
    return measured;
  } finally {
    for (const u of users) await u.context.close();
  }
}
