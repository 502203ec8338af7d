/**
 * The baseline of the client benchmark: `n` people's calls done the
 * shortest way there is, one page each on a bare origin, as the app's
 * people are one page each. Each page opens its fake microphone (and, for
 * video, a 1280×720 camera), every pair is connected by a bare
 * RTCPeerConnection pair whose complete descriptions (candidates gathered)
 * the benchmark hands over, and everything received is played and shown, as
 * the app shows it: each peer's video at the size the app's tile gave it in
 * the same run (a picture drawn larger costs the compositor more). No app,
 * no server, no meters, no statistics, no picture of one's own camera.
 *
 * One page per person matters: two getUserMedia calls in one page share a
 * single capture and its audio processing, where two people's pages, like
 * two people's machines, each run their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { WEB_ROOT } from '../../tests/e2e/harness.js';

/** The size a peer's video is shown at, CSS pixels. */
export interface VideoSize {
  width: number;
  height: number;
}

/** Where the app was not measured first: a small picture. */
const SMALL_VIDEO: VideoSize = { width: 320, height: 180 };

interface MeshWindow {
  __mesh?: { stream: MediaStream; pcs: Map<number, RTCPeerConnection> };
}

/** The app's RNNoise as built (its AudioWorklet and its SIMD WebAssembly in out/renderer), for a bare call that runs it too. */
export interface BuiltRnnoise {
  worklet: string;
  /** The WebAssembly, base64. */
  wasm: string;
}

export function builtRnnoise(): BuiltRnnoise {
  const assets = path.join(WEB_ROOT, 'assets');
  const find = (pattern: RegExp) => {
    const name = readdirSync(assets).find((f) => pattern.test(f));
    if (!name) throw new Error(`no ${pattern.source} in ${assets}: build the app first`);
    return readFileSync(path.join(assets, name));
  };
  return { worklet: find(/^rnnoise\.worklet-.*\.js$/).toString('utf8'), wasm: find(/^rnnoise_simd-.*\.wasm$/).toString('base64') };
}

/**
 * Opens the page's microphone (and camera), ready to connect. With `rnnoise`,
 * the microphone goes through it as the app's Strong suppression does
 * (denoiser.ts: the browser's suppression off, a 48 kHz context rendering to
 * no device, the worklet, one channel), and the denoised track is sent.
 */
function open(page: Page, video: boolean, rnnoise: BuiltRnnoise | null): Promise<void> {
  return page.evaluate(
    async ({ video, rnnoise }) => {
      const audio = rnnoise ? { noiseSuppression: false, echoCancellation: true, autoGainControl: true } : true;
      const constraints = { audio, video: video ? { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } } : false };
      let stream = await navigator.mediaDevices.getUserMedia(constraints);
      if (rnnoise) {
        const ctx = new AudioContext({ sampleRate: 48_000, latencyHint: 'interactive', sinkId: { type: 'none' } } as AudioContextOptions);
        await ctx.audioWorklet.addModule(URL.createObjectURL(new Blob([rnnoise.worklet], { type: 'text/javascript' })));
        const wasmBinary = Uint8Array.from(atob(rnnoise.wasm), (c) => c.charCodeAt(0)).buffer;
        const node = new AudioWorkletNode(ctx, 'parley-rnnoise', { processorOptions: { maxChannels: 1, wasmBinary } });
        const ready = new Promise<void>((resolve) => (node.port.onmessage = () => resolve()));
        node.channelCount = 1;
        node.channelCountMode = 'explicit';
        const sink = ctx.createMediaStreamDestination();
        sink.channelCount = 1;
        ctx.createMediaStreamSource(stream).connect(node).connect(sink);
        await Promise.all([ready, ctx.resume()]);
        stream = new MediaStream([...sink.stream.getAudioTracks(), ...stream.getVideoTracks()]);
      }
      (window as unknown as MeshWindow).__mesh = { stream, pcs: new Map() };
    },
    { video, rnnoise },
  );
}

/**
 * The page's connection toward person `peer`: made with its tracks, given the
 * remote description if there is one, and its own description back once
 * gathering is complete (so no candidate needs handing over apart).
 */
function describe(page: Page, peer: number, remote: RTCSessionDescriptionInit | null, video: VideoSize | null): Promise<RTCSessionDescriptionInit> {
  return page.evaluate(
    async ({ peer, remote, video }) => {
      const mesh = (window as unknown as MeshWindow).__mesh!;
      let pc = mesh.pcs.get(peer);
      if (!pc) {
        pc = new RTCPeerConnection();
        mesh.pcs.set(peer, pc);
        for (const track of mesh.stream.getTracks()) pc.addTrack(track, mesh.stream);
        pc.ontrack = ({ streams: [s] }) => {
          if (!s || document.querySelector(`[data-stream="${s.id}"]`)) return;
          const el = document.createElement(video ? 'video' : 'audio');
          el.dataset.stream = s.id;
          el.autoplay = true;
          if (el instanceof HTMLVideoElement) Object.assign(el, { playsInline: true, width: video!.width, height: video!.height });
          el.srcObject = s;
          document.body.append(el);
        };
      }
      const answering = remote !== null;
      if (answering) await pc.setRemoteDescription(remote);
      await pc.setLocalDescription();
      if (pc.iceGatheringState !== 'complete') {
        const p = pc;
        await new Promise<void>((resolve) => p.addEventListener('icegatheringstatechange', () => p.iceGatheringState === 'complete' && resolve()));
      }
      return { type: pc.localDescription!.type, sdp: pc.localDescription!.sdp };
    },
    { peer, remote, video },
  );
}

/** The page's answer from `peer`. */
function answered(page: Page, peer: number, answer: RTCSessionDescriptionInit): Promise<void> {
  return page.evaluate(({ peer, answer }) => (window as unknown as MeshWindow).__mesh!.pcs.get(peer)!.setRemoteDescription(answer), { peer, answer });
}

/** Resolves once each of the page's connections is connected. */
function connected(page: Page): Promise<void> {
  return page.evaluate(async () => {
    const pcs = [...(window as unknown as MeshWindow).__mesh!.pcs.values()];
    await Promise.all(
      pcs.map(
        (pc) =>
          new Promise<void>((resolve) => {
            const check = () => pc.connectionState === 'connected' && resolve();
            pc.addEventListener('connectionstatechange', check);
            check();
          }),
      ),
    );
  });
}

export interface MeshOptions {
  /** Cameras on, each peer shown at `size`. */
  video?: boolean;
  size?: VideoSize;
  /** Every microphone through the app's RNNoise. */
  rnnoise?: BuiltRnnoise;
}

/** Every pair of `pages` (one person each) in a bare call with each other. */
export async function startBareMesh(pages: Page[], { video = false, size = SMALL_VIDEO, rnnoise }: MeshOptions = {}): Promise<void> {
  for (const page of pages) await open(page, video, rnnoise ?? null);
  const shown = video ? size : null;
  for (let i = 0; i < pages.length; i++) {
    for (let j = i + 1; j < pages.length; j++) {
      const offer = await describe(pages[i]!, j, null, shown);
      const answer = await describe(pages[j]!, i, offer, shown);
      await answered(pages[i]!, j, answer);
    }
  }
  await Promise.all(pages.map(connected));
}
