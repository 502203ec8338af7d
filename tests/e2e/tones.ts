/**
 * What a page hears, tone by tone: for every live inbound audio track of the
 * page's peer connections, the dominant frequency (Web Audio AnalyserNode on
 * a MediaStream of the receiver's track, averaged over a second) and its
 * level. The app plays each remote track in a media element, which Chromium
 * needs before Web Audio gets a remote track's samples.
 */
import type { Page } from 'playwright-core';

export interface HeardTone {
  /** The receiving transceiver's mid. */
  mid: string;
  /** The strongest frequency between 200 and 4000 Hz. */
  hz: number;
  /** Its level, dBFS (silence reads -100 or lower). */
  db: number;
}

/** Every inbound audio track's dominant frequency, measured at once (one AudioContext, one second). */
export function heardTones(page: Page): Promise<HeardTone[]> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.filter((pc) => pc.connectionState === 'connected');
    const inbound = pcs.flatMap((pc) =>
      pc.getTransceivers().filter((t) => t.receiver.track.kind === 'audio' && t.receiver.track.readyState === 'live' && (t.currentDirection === 'recvonly' || t.currentDirection === 'sendrecv')),
    );
    const ctx = new AudioContext();
    await ctx.resume();
    const size = 8192;
    const readers = inbound.map((t) => {
      const analyser = ctx.createAnalyser();
      analyser.fftSize = size;
      analyser.smoothingTimeConstant = 0;
      ctx.createMediaStreamSource(new MediaStream([t.receiver.track])).connect(analyser);
      return { mid: t.mid ?? '?', analyser, sum: new Float32Array(size / 2), reads: 0 };
    });
    // Ten readings 100 ms apart, summed in dB: a steady tone stands out, a burst of noise does not.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 100));
      for (const r of readers) {
        const now = new Float32Array(size / 2);
        r.analyser.getFloatFrequencyData(now);
        for (let b = 0; b < now.length; b++) r.sum[b] = (r.sum[b] ?? 0) + Math.max(now[b] ?? -200, -200);
        r.reads++;
      }
    }
    const binHz = ctx.sampleRate / size;
    const tones = readers.map((r) => {
      let best = Math.ceil(200 / binHz);
      for (let b = best; b < 4000 / binHz; b++) if ((r.sum[b] ?? -Infinity) > (r.sum[best] ?? -Infinity)) best = b;
      return { mid: r.mid, hz: Math.round(best * binHz), db: Math.round((r.sum[best] ?? -2000) / r.reads) };
    });
    await ctx.close();
    return tones;
  });
}

/**
 * Which of `expected` (Hz, a frequency once per person sending it) the page
 * hears: each matched to a track of its own whose dominant frequency is
 * within `tolerance` of it, above `floorDb`.
 */
export function tonesHeard(tones: HeardTone[], expected: number[], tolerance = 25, floorDb = -70): number[] {
  const unused = tones.filter((t) => t.db > floorDb);
  return expected.filter((hz) => {
    const at = unused.findIndex((t) => Math.abs(t.hz - hz) <= tolerance);
    if (at < 0) return false;
    unused.splice(at, 1);
    return true;
  });
}
