/**
 * Video, screen sharing and chat as a test sees them, for any number of
 * participants: each helper takes a list of pages (or users) and checks every
 * peer connection of each, so a group call (one connection per peer) is
 * checked by the same code as a 1:1 call.
 *
 * A Parley peer connection has two video slots, `camera` then `screen`, in
 * m-line order (src/renderer/src/lib/video.ts); the helpers find them the same
 * way and read each slot's own statistics (receiver.getStats / sender.getStats).
 */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { User } from './harness.js';
import { eachOf, poll } from './steps.js';

export type VideoSource = 'camera' | 'screen';

export interface SlotStats {
  /** inbound-rtp framesDecoded of the slot's receiver (0 before any frame). */
  framesDecoded: number;
  bytesReceived: number;
  /** outbound-rtp bytesSent of the slot's sender (0 when it never sent). */
  bytesSent: number;
  /** The slot's negotiated direction from this side. */
  direction: string | null;
}

/** Each live peer connection's `source` slot, as statistics. */
export function slotStats(page: Page, source: VideoSource): Promise<SlotStats[]> {
  return page.evaluate(async (source) => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    const out: SlotStats[] = [];
    for (const pc of pcs) {
      const sdp = pc.remoteDescription?.sdp ?? '';
      const mids = [...sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]);
      const video = pc
        .getTransceivers()
        .filter((t) => t.receiver.track.kind === 'video' && t.mid !== null)
        .sort((a, b) => mids.indexOf(a.mid ?? '') - mids.indexOf(b.mid ?? ''));
      const slot = video[source === 'camera' ? 0 : 1];
      if (!slot) continue;
      const stats = { framesDecoded: 0, bytesReceived: 0, bytesSent: 0, direction: slot.currentDirection };
      for (const s of (await slot.receiver.getStats()).values() as IterableIterator<Record<string, number | string>>) {
        if (s.type === 'inbound-rtp') {
          stats.framesDecoded = Number(s.framesDecoded ?? 0);
          stats.bytesReceived = Number(s.bytesReceived ?? 0);
        }
      }
      for (const s of (await slot.sender.getStats()).values() as IterableIterator<Record<string, number | string>>) {
        if (s.type === 'outbound-rtp') stats.bytesSent += Number(s.bytesSent ?? 0);
      }
      out.push(stats);
    }
    return out;
  }, source);
}

/**
 * Every connection of every page (`connections` of them on each, when given)
 * decodes more and more frames of `source`. Pages are checked side by side
 * (here and below, `eachOf`).
 */
export async function expectVideoFlowing(pages: Page[], source: VideoSource = 'camera', connections?: number): Promise<void> {
  await eachOf(pages, async (page) => {
    const counted = expect.poll(async () => (await slotStats(page, source)).length, poll);
    await (connections === undefined ? counted.toBeGreaterThan(0) : counted.toBe(connections));
    const first = await slotStats(page, source);
    // The statistics themselves are polled, so that a failure shows them.
    await expect
      .poll(() => slotStats(page, source), { ...poll, message: `${source} frames decoded on every connection, growing from ${JSON.stringify(first)}` })
      .toSatisfy((now: SlotStats[]) => now.every((s, i) => s.framesDecoded > (first[i]?.framesDecoded ?? 0) && s.framesDecoded > 0));
  });
}

/** Bytes the page sends on `source` over all its connections. */
export async function videoBytesSent(page: Page, source: VideoSource): Promise<number> {
  return (await slotStats(page, source)).reduce((sum, s) => sum + s.bytesSent, 0);
}

/**
 * The page sends no `source` video: once the renegotiation has gone through
 * (no slot sends any more), the bytes sent stay the same over two seconds.
 */
export async function expectNoVideoSent(page: Page, source: VideoSource): Promise<void> {
  await expect
    .poll(() => slotStats(page, source), { ...poll, message: `no ${source} slot negotiated to send` })
    .toSatisfy((now: SlotStats[]) => now.every((s) => s.direction === 'recvonly' || s.direction === 'inactive'));
  const before = await videoBytesSent(page, source);
  await new Promise((r) => setTimeout(r, 2000));
  expect(await videoBytesSent(page, source)).toBe(before);
}

/** The page sends `source` video: its bytes sent grow. */
export async function expectVideoSent(page: Page, source: VideoSource): Promise<void> {
  const before = await videoBytesSent(page, source);
  await expect.poll(() => videoBytesSent(page, source), poll).toBeGreaterThan(before);
}

/** The tile of `peer`'s `source` on `page`. */
export function tile(page: Page, peer: string, source: VideoSource) {
  return page.locator(`section.call figure.tile[data-peer="${peer}"][data-source="${source}"]`);
}

/** Every user sees a playing tile of `peer`'s `source` (a video element with frames), within `wait`. */
export async function expectTile(users: User[], peer: string, source: VideoSource, wait = poll): Promise<void> {
  await eachOf(users, async (u) => {
    const video = tile(u.page, peer, source).locator('video');
    await video.waitFor({ timeout: wait.timeout });
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.videoWidth), wait).toBeGreaterThan(0);
  });
}

export async function expectNoTile(users: User[], peer: string, source: VideoSource): Promise<void> {
  await eachOf(users, (u) => expect.poll(() => tile(u.page, peer, source).count(), poll).toBe(0));
}

/** Video tracks (cameras, screens) the page has opened and not stopped. */
export function liveVideoTracks(page: Page): Promise<number> {
  return page.evaluate(
    () => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.filter((t) => t.kind === 'video' && t.readyState === 'live').length,
  );
}

/** The first encoding of each sending slot and of the audio sender, as set by the app. */
export function senderParameters(
  page: Page,
): Promise<
  { kind: string; active?: boolean; priority?: string; networkPriority?: string; maxBitrate?: number; scale?: number; degradationPreference?: string }[]
> {
  return page.evaluate(() => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState !== 'closed');
    return pcs.flatMap((pc) =>
      pc
        .getSenders()
        .filter((s) => s.track)
        .map((s) => {
          const p = s.getParameters() as RTCRtpSendParameters & { degradationPreference?: string };
          const e = p.encodings[0];
          return {
            kind: s.track?.kind ?? '',
            ...(e?.active !== undefined && { active: e.active }),
            ...(e?.priority !== undefined && { priority: e.priority }),
            ...(e?.networkPriority !== undefined && { networkPriority: e.networkPriority }),
            ...(e?.maxBitrate !== undefined && { maxBitrate: e.maxBitrate }),
            ...(e?.scaleResolutionDownBy !== undefined && { scale: e.scaleResolutionDownBy }),
            ...(p.degradationPreference !== undefined && { degradationPreference: p.degradationPreference }),
          };
        }),
    );
  });
}

/** The chat as shown on the page: [sender, text] in display order ('You' for one's own). */
export function chatLines(page: Page): Promise<[string, string][]> {
  return page
    .locator('section.chat ol li')
    .evaluateAll((items) => items.map((li) => [li.querySelector('.from')?.textContent ?? '', li.querySelector('.text')?.textContent ?? ''] as [string, string]));
}

export async function openChat(u: User): Promise<void> {
  if ((await u.page.locator('section.chat').count()) === 0) await u.page.locator('button.chat-toggle').click();
  await u.page.locator('section.chat').waitFor();
}

/** Types and sends each message through the chat panel, opening it first. */
export async function sendChat(u: User, ...texts: string[]): Promise<void> {
  await openChat(u);
  for (const text of texts) {
    await u.page.getByLabel('Message', { exact: true }).fill(text);
    await u.page.getByRole('button', { name: 'Send', exact: true }).click();
  }
}

/** Every user's open chat shows exactly `lines` (as [sender, text] seen by `u`) in order. */
export async function expectChat(expected: [User, [string, string][]][]): Promise<void> {
  for (const [u, lines] of expected) {
    await openChat(u);
    await expect.poll(() => chatLines(u.page), poll).toEqual(lines);
  }
}

/** The unread count on the chat button (0 when none is shown). */
export async function unreadChat(page: Page): Promise<number> {
  const badge = page.locator('button.chat-toggle .unread');
  return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
}

/** An init script (OpenOptions.init) that records every AudioContext the page makes, for `runningAudioContexts`. */
export function recordAudioContexts(): void {
  const made: AudioContext[] = [];
  (window as unknown as { __audioContexts: AudioContext[] }).__audioContexts = made;
  const Original = window.AudioContext;
  window.AudioContext = class extends Original {
    constructor(options?: AudioContextOptions) {
      super(options);
      made.push(this);
    }
  };
}

/** How many of the page's recorded AudioContexts are running (rendering on the audio thread). */
export function runningAudioContexts(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __audioContexts: AudioContext[] }).__audioContexts.filter((c) => c.state === 'running').length);
}
