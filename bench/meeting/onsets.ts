/**
 * Mouth to ear inside the browser: every fake microphone plays a file of
 * short beeps, one a second (`writeBeepWav`). In each page an AudioWorklet
 * listens to the microphone tracks the page opened (the raw capture, before
 * the app's noise suppression: the "mouth") and to every inbound audio track
 * (decoded, after the jitter buffer, as the app plays it: the "ear"), and
 * notes the moment each beep starts, to the sample, as a time shared by all
 * pages of the machine (`performance.timeOrigin + …`). A beep heard on one
 * page, less the same beep's start at the other page's microphone, is the
 * delay of everything between: the sender's processing and encoder, the
 * network path, the receiver's jitter buffer and decoder. The sound cards at
 * both ends are left out (there are none here); they add the same on any path.
 */
import type { Page } from 'playwright-core';
import { writeWav } from '../../tests/e2e/harness.js';

const BEEP_EVERY_S = 1;
const BEEP_S = 0.06;
const BEEP_HZ = 1000;

/** The beeps' file: 60 ms of 1 kHz at half scale, then silence, every second. */
export function writeBeepWav(file: string): void {
  writeWav(file, 10, (t) => (t % BEEP_EVERY_S < BEEP_S ? 0.5 * Math.sin(2 * Math.PI * BEEP_HZ * t) : 0));
}

export interface Onsets {
  /** When each beep started at this page's microphone, ms. */
  mic: number[];
  /** When each beep started on an inbound track, ms. */
  heard: number[];
}

/** The worklet: a sample above an eighth of full scale after half a beep interval of quiet starts a beep (comfort noise and codec ringing stay far below). */
const PROCESSOR = `registerProcessor('onsets', class extends AudioWorkletProcessor {
  constructor() { super(); this.quiet = 0; }
  process([input]) {
    const ch = input && input[0];
    if (ch) for (let i = 0; i < ch.length; i++) {
      if (Math.abs(ch[i]) > 0.125) { if (this.quiet >= ${BEEP_EVERY_S / 2} * sampleRate) this.port.postMessage(currentTime + i / sampleRate); this.quiet = 0; }
      else this.quiet++;
    }
    return true;
  }
});`;
/**
 * Starts listening on the page's microphones and inbound audio tracks (those
 * of connected connections; call again for tracks added since). The page
 * must be opened with `bypassCSP`: the worklet is a blob: URL.
 */
export async function tapOnsets(page: Page): Promise<void> {
  await page.evaluate(async (processor) => {
    type Tapped = { ctx: AudioContext; tracks: Set<string>; onsets: { mic: number[]; heard: number[] } };
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __tracks: MediaStreamTrack[]; __onsets?: Tapped };
    if (!w.__onsets) {
      const ctx = new AudioContext();
      await ctx.resume();
      await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([processor], { type: 'text/javascript' })));
      w.__onsets = { ctx, tracks: new Set(), onsets: { mic: [], heard: [] } };
    }
    const { ctx, tracks, onsets } = w.__onsets;
    const silent = ctx.createGain();
    silent.gain.value = 0;
    silent.connect(ctx.destination);
    const tap = (track: MediaStreamTrack, into: number[]) => {
      if (tracks.has(track.id) || track.readyState !== 'live') return;
      tracks.add(track.id);
      const node = new AudioWorkletNode(ctx, 'onsets');
      node.port.onmessage = ({ data }: MessageEvent<number>) => {
        // The context's time of the sample, on the page's clock: the output timestamp pairs the two.
        const ts = ctx.getOutputTimestamp();
        into.push(performance.timeOrigin + (ts.performanceTime ?? 0) + (data - (ts.contextTime ?? 0)) * 1000);
      };
      ctx.createMediaStreamSource(new MediaStream([track])).connect(node);
      // Pulled by the destination (silently), or the worklet would not run.
      node.connect(silent);
    };
    for (const t of w.__tracks) if (t.kind === 'audio') tap(t, onsets.mic);
    for (const pc of w.__pcs.filter((p) => p.connectionState === 'connected'))
      for (const r of pc.getReceivers()) if (r.track.kind === 'audio') tap(r.track, onsets.heard);
  }, PROCESSOR);
}

/** The onsets noted so far, and forgets them (the next reading starts afresh). */
export function takeOnsets(page: Page): Promise<Onsets> {
  return page.evaluate(() => {
    const o = (window as unknown as { __onsets?: { onsets: Onsets } }).__onsets?.onsets;
    if (!o) throw new Error('tapOnsets first');
    return { mic: o.mic.splice(0), heard: o.heard.splice(0) };
  });
}

/**
 * Each beep `heard` matched with its start at the sender's microphone (the
 * latest start before it, within half the beep interval), in ms. Beeps heard
 * with no start in reach (the window's edges) are left out.
 */
export function delays(senderMic: number[], heard: number[]): number[] {
  const starts = [...senderMic].sort((a, b) => a - b);
  return heard.flatMap((h) => {
    const start = starts.filter((s) => s <= h).at(-1);
    return start !== undefined && h - start < (BEEP_EVERY_S * 1000) / 2 ? [h - start] : [];
  });
}
