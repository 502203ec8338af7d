/**
 * What a page receives, read inside it: the received audio as it is played
 * out (recorded from the receiving track with Web Audio, at 48 kHz), and the
 * WebRTC statistics of the page's newest connected peer connection
 * (`window.__pcs`, as the e2e harness and the bare pair keep it).
 */
import type { Page } from 'playwright-core';

/** Counters of one peer connection at one moment (getStats). */
export interface AudioCounters {
  /** ms, the report's own clock. */
  timestamp: number;
  received: {
    codec: string;
    totalSamplesReceived: number;
    concealedSamples: number;
    silentConcealedSamples: number;
    insertedSamplesForDeceleration: number;
    removedSamplesForAcceleration: number;
    concealmentEvents: number;
    jitterBufferDelay: number;
    jitterBufferEmittedCount: number;
    packetsReceived: number;
    packetsLost: number;
    fecPacketsReceived: number;
    bytesReceived: number;
    headerBytesReceived: number;
  };
  /** The sender's audio: payload bytes (RED's redundancy included), RTP header and padding bytes; its video, all bytes. */
  sent: { codec: string; bytes: number; headerBytes: number; videoBytes: number };
}

type Window = { __pcs?: RTCPeerConnection[]; __recorder?: { chunks: Float32Array[]; stop: () => Promise<void> } };

/** The page's newest connected peer connection's audio counters. */
export function audioCounters(page: Page): Promise<AudioCounters> {
  return page.evaluate(async () => {
    const pc = ((window as unknown as Window).__pcs ?? []).filter((p) => p.connectionState === 'connected').at(-1);
    if (!pc) throw new Error('no connected peer connection');
    const report = [...(await pc.getStats()).values()] as Record<string, unknown>[];
    const num = (s: Record<string, unknown> | undefined, key: string) => (typeof s?.[key] === 'number' ? s[key] : 0);
    const codec = (s: Record<string, unknown> | undefined) => {
      const mime = report.find((c) => c.id === s?.codecId)?.mimeType;
      return typeof mime === 'string' ? mime : '';
    };
    const inbound = report.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
    const outbound = report.find((s) => s.type === 'outbound-rtp' && s.kind === 'audio');
    const videoBytes = report
      .filter((s) => s.type === 'outbound-rtp' && s.kind === 'video')
      .reduce((sum, s) => sum + num(s, 'bytesSent') + num(s, 'headerBytesSent'), 0);
    return {
      timestamp: num(inbound, 'timestamp') || performance.timeOrigin + performance.now(),
      received: {
        codec: codec(inbound),
        totalSamplesReceived: num(inbound, 'totalSamplesReceived'),
        concealedSamples: num(inbound, 'concealedSamples'),
        silentConcealedSamples: num(inbound, 'silentConcealedSamples'),
        insertedSamplesForDeceleration: num(inbound, 'insertedSamplesForDeceleration'),
        removedSamplesForAcceleration: num(inbound, 'removedSamplesForAcceleration'),
        concealmentEvents: num(inbound, 'concealmentEvents'),
        jitterBufferDelay: num(inbound, 'jitterBufferDelay'),
        jitterBufferEmittedCount: num(inbound, 'jitterBufferEmittedCount'),
        packetsReceived: num(inbound, 'packetsReceived'),
        packetsLost: num(inbound, 'packetsLost'),
        fecPacketsReceived: num(inbound, 'fecPacketsReceived'),
        bytesReceived: num(inbound, 'bytesReceived'),
        headerBytesReceived: num(inbound, 'headerBytesReceived'),
      },
      sent: { codec: codec(outbound), bytes: num(outbound, 'bytesSent'), headerBytes: num(outbound, 'headerBytesSent'), videoBytes },
    };
  });
}

/**
 * Starts recording the audio the page's newest connected peer connection
 * receives (its live audio receiver's track), as played out.
 */
export async function startRecording(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const w = window as unknown as Window;
    const pc = (w.__pcs ?? []).filter((p) => p.connectionState === 'connected').at(-1);
    const track = pc?.getReceivers().find((r) => r.track.kind === 'audio' && r.track.readyState === 'live')?.track;
    if (!track) throw new Error('no live audio received');
    const ctx = new AudioContext({ sampleRate: 48_000 });
    await ctx.resume();
    // Chromium gives Web Audio a remote track's samples only while a media element plays it too.
    const sink = new Audio();
    sink.muted = true;
    sink.srcObject = new MediaStream([track]);
    await sink.play().catch(() => undefined);
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    // An audio worklet from a blob: (the app's pages are opened with bypassCSP for it) that hands each 128-sample block over.
    const code = `registerProcessor('bench-recorder', class extends AudioWorkletProcessor {
      process(inputs) { const c = inputs[0] && inputs[0][0]; if (c) this.port.postMessage(c.slice()); return true; }
    });`;
    const url = URL.createObjectURL(new Blob([code], { type: 'text/javascript' }));
    await ctx.audioWorklet.addModule(url);
    URL.revokeObjectURL(url);
    const node = new AudioWorkletNode(ctx, 'bench-recorder', { numberOfInputs: 1, numberOfOutputs: 1, channelCount: 1, channelCountMode: 'explicit' });
    const chunks: Float32Array[] = [];
    node.port.onmessage = (e: MessageEvent<Float32Array>) => chunks.push(e.data);
    source.connect(node);
    node.connect(ctx.destination);
    w.__recorder = {
      chunks,
      async stop() {
        source.disconnect();
        node.disconnect();
        sink.srcObject = null;
        await ctx.close();
      },
    };
  });
}

/** Stops the recording and returns it (48 kHz mono). */
export async function stopRecording(page: Page): Promise<Float32Array> {
  const base64 = await page.evaluate(async () => {
    const w = window as unknown as Window;
    const r = w.__recorder;
    if (!r) throw new Error('not recording');
    await r.stop();
    delete w.__recorder;
    const length = r.chunks.reduce((n, c) => n + c.length, 0);
    const all = new Float32Array(length);
    let at = 0;
    for (const c of r.chunks) {
      all.set(c, at);
      at += c.length;
    }
    const bytes = new Uint8Array(all.buffer);
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  });
  const buffer = Buffer.from(base64, 'base64');
  return new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length));
}
