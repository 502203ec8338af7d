/**
 * What a browser test reads off a page: its audio, tracks and peer
 * connections, through the instrumentation harness.ts injects (window.__pcs,
 * window.__tracks), and the call panel.
 */
import type { Page } from 'playwright-core';

export interface AudioIn {
  bytesReceived: number;
  audioLevel: number;
}

/** Inbound audio of the page's newest peer connection. */
export function inboundAudio(page: Page): Promise<AudioIn | null> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const pc = pcs.at(-1);
    if (!pc || pc.connectionState === 'closed') return null;
    for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; bytesReceived?: number; audioLevel?: number }>) {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') return { bytesReceived: s.bytesReceived ?? 0, audioLevel: s.audioLevel ?? 0 };
    }
    return null;
  });
}

export function liveTracks(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.filter((t) => t.readyState === 'live').length);
}

/** Microphone tracks the page has opened so far, and how many of them are still open. */
export function microphones(page: Page): Promise<{ opened: number; live: number }> {
  return page.evaluate(() => {
    const tracks = (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks;
    return { opened: tracks.length, live: tracks.filter((t) => t.readyState === 'live').length };
  });
}

/**
 * Each microphone open on the page (getUserMedia's audio tracks; the connections' copies are not listed), as its
 * browser noise suppression: true with it, false raw (RNNoise's input).
 */
export function openMicrophones(page: Page): Promise<(boolean | undefined)[]> {
  return page.evaluate(() =>
    (window as unknown as { __tracks: MediaStreamTrack[] }).__tracks.filter((t) => t.kind === 'audio' && t.readyState === 'live').map((t) => t.getSettings().noiseSuppression),
  );
}

/** The call's stage while there is a call: between calls it stays drawn, hidden and idle (Main.svelte). */
export function callPanel(page: Page) {
  return page.locator('section.call:not([data-state="idle"])');
}

/** Each peer connection's negotiation and ICE state, for failure reports. */
export function peerState(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const out: string[] = [];
    for (const pc of pcs) {
      const stats = [...(await pc.getStats()).values()] as { type: string; state?: string; candidateType?: string; address?: string }[];
      const pairs = stats.filter((s) => s.type === 'candidate-pair').map((s) => s.state).join(',');
      const local = stats.filter((s) => s.type === 'local-candidate').map((s) => `${s.candidateType}:${s.address}`).join(',');
      const remote = stats.filter((s) => s.type === 'remote-candidate').map((s) => `${s.candidateType}:${s.address}`).join(',');
      out.push(`[${pc.signalingState} ice=${pc.iceConnectionState} gather=${pc.iceGatheringState} conn=${pc.connectionState} local=${pc.localDescription?.type} remote=${pc.remoteDescription?.type} pairs=${pairs} lc=${local} rc=${remote}]`);
    }
    return out.join(' ');
  });
}
