/**
 * The camera's video as each page sends it. WebRTC starts a connection's
 * video small and climbs with its bandwidth estimate: on loopback here a
 * 720p camera is sent at 480×270 after 5 s, 960×540 after 15 s and 720p only
 * after about 30 s. A window opened before both sides reach the camera's size
 * weighs one side's encoding of a smaller picture against the other's of a
 * larger one, so the 1:1 video call waits for the full size on every page, in
 * the app and in its baselines alike, and each reading says what was sent.
 */
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import type { VideoSize } from './bare-mesh.js';

/** Each outbound video stream of the page (the app's connections as the e2e harness records them, or the bare mesh's). */
export function sentVideo(page: Page): Promise<(VideoSize & { captured: VideoSize })[]> {
  return page.evaluate(async () => {
    const w = window as unknown as { __pcs?: RTCPeerConnection[]; __mesh?: { pcs: Map<number, RTCPeerConnection> } };
    const pcs = (w.__pcs ?? [...(w.__mesh?.pcs.values() ?? [])]).filter((pc) => pc.connectionState !== 'closed');
    const out: { width: number; height: number; captured: { width: number; height: number } }[] = [];
    for (const pc of pcs) {
      const stats = [...(await pc.getStats()).values()] as { type: string; kind?: string; id: string; mediaSourceId?: string; frameWidth?: number; frameHeight?: number; width?: number; height?: number }[];
      for (const s of stats) {
        if (s.type !== 'outbound-rtp' || s.kind !== 'video' || !s.frameWidth) continue;
        const source = stats.find((m) => m.id === s.mediaSourceId);
        out.push({ width: s.frameWidth, height: s.frameHeight ?? 0, captured: { width: source?.width ?? 0, height: source?.height ?? 0 } });
      }
    }
    return out;
  });
}

/** Waits until every page sends its camera at the size it is captured. */
export async function sentAtFullSize(pages: Page[]): Promise<void> {
  await expect
    .poll(async () => {
      const sent = (await Promise.all(pages.map(sentVideo))).flat();
      return sent.length >= pages.length && sent.every((s) => s.width === s.captured.width && s.height === s.captured.height);
    }, { timeout: 90_000, interval: 1_000, message: 'every page sending its camera at full size' })
    .toBe(true);
}
