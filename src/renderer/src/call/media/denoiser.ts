/**
 * RNNoise on a microphone: raw track → AudioContext at 48 kHz (RNNoise's
 * rate) → RNNoise in an AudioWorklet (rnnoise.worklet.ts, running the
 * WebAssembly of @sapphi-red/web-noise-suppressor) → a MediaStream track to send. Loaded only when a microphone opens with
 * strong suppression (microphone.ts imports it lazily); the worklet and the
 * WebAssembly are files of the build, served by the app itself, so the
 * Content Security Policy needs only 'wasm-unsafe-eval'.
 *
 * One AudioContext per open microphone, closed with it: nothing of this
 * runs while no call is on.
 */
import { loadRnnoise } from '@sapphi-red/web-noise-suppressor';
import rnnoiseWasm from '@sapphi-red/web-noise-suppressor/rnnoise.wasm?url';
import rnnoiseSimdWasm from '@sapphi-red/web-noise-suppressor/rnnoise_simd.wasm?url';
import { AnalyserLevel } from './audio.js';
import rnnoiseWorklet from './rnnoise.worklet.ts?worker&url';
import { DENOISER_READY, RNNOISE_PROCESSOR, type RnnoiseOptions } from './denoise-message.js';
import type { Denoised, Denoiser } from './microphone.js';
import { logger } from '../../lib/log.js';

const log = logger('denoiser');

/** RNNoise loads in a few tens of milliseconds; past this something is wrong and the browser's suppression is used. */
export const START_LIMIT_MS = 3000;

let binary: Promise<ArrayBuffer> | null = null;

/**
 * The WebAssembly, fetched once per app run (the SIMD build where the browser
 * has SIMD). It is compiled here once too, only to fail clearly where a
 * policy forbids WebAssembly: in the worklet the failure would be silent.
 */
function wasm(): Promise<ArrayBuffer> {
  const current =
    binary ??
    loadRnnoise({ url: rnnoiseWasm, simdUrl: rnnoiseSimdWasm }).then(async (bytes) => {
      await WebAssembly.compile(bytes);
      return bytes;
    });
  binary = current;
  // A failure is tried again by the next microphone.
  current.catch(() => {
    if (binary === current) binary = null;
  });
  return current;
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

function loaded(node: AudioWorkletNode): Promise<void> {
  return new Promise((resolve) => {
    node.port.onmessage = (e: MessageEvent) => {
      if (e.data === DENOISER_READY) resolve();
    };
  });
}

/**
 * Resolves once the context renders. A page the user has not touched yet may
 * not start audio (browsers' autoplay rule): their next click or key, such
 * as Answer, lets it. Rejects if the context closes first.
 */
function running(ctx: AudioContext): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = () => void ctx.resume().catch(() => undefined);
    const gestures = ['pointerdown', 'keydown'] as const;
    const check = () => {
      if (ctx.state === 'suspended') return;
      ctx.removeEventListener('statechange', check);
      for (const g of gestures) document.removeEventListener(g, start, true);
      if (ctx.state === 'running') resolve();
      else reject(new Error('the audio context closed'));
    };
    ctx.addEventListener('statechange', check);
    for (const g of gestures) document.addEventListener(g, start, true);
    start();
    check();
  });
}

/**
 * Starts RNNoise, ready for a microphone: it starts while the device opens
 * (each takes tens of milliseconds) and rejects where it cannot run.
 */
export async function startDenoiser(): Promise<Denoiser> {
  if (typeof AudioWorkletNode === 'undefined' || typeof WebAssembly === 'undefined') throw new Error('no AudioWorklet or WebAssembly');
  const started = Date.now();
  const left = () => Math.max(0, START_LIMIT_MS - (Date.now() - started));
  const bytes = await within(wasm(), left(), 'loading RNNoise');
  // Never heard, so no output device: Chromium then renders without the audio
  // service, for about half the CPU (BENCHMARKS.md, Noise suppression).
  // Browsers without the option ignore it.
  const options: AudioContextOptions & { sinkId: { type: 'none' } } = { sampleRate: 48_000, latencyHint: 'interactive', sinkId: { type: 'none' } };
  const ctx = new AudioContext(options);
  const close = () => void ctx.close().catch(() => undefined);
  try {
    await within(ctx.audioWorklet.addModule(rnnoiseWorklet), left(), 'loading the worklet');
    const processorOptions: RnnoiseOptions = { maxChannels: 1, wasmBinary: bytes };
    const node = new AudioWorkletNode(ctx, RNNOISE_PROCESSOR, { processorOptions });
    const ready = loaded(node);
    // One channel in and out: a stereo microphone is mixed down, not sent with a silent right side.
    node.channelCount = 1;
    node.channelCountMode = 'explicit';
    const sink = ctx.createMediaStreamDestination();
    sink.channelCount = 1;
    node.connect(sink);
    await within(Promise.all([ready, running(ctx)]), left(), 'starting RNNoise');
    log.info(`RNNoise runs, after ${Date.now() - started} ms`);
    return { attach: (raw) => attach(ctx, node, sink, raw), close };
  } catch (err) {
    close();
    throw err;
  }
}

function attach(ctx: AudioContext, node: AudioWorkletNode, sink: MediaStreamAudioDestinationNode, raw: MediaStream): Denoised {
  const source = ctx.createMediaStreamSource(raw);
  source.connect(node);
  let closed = false;
  let resting = false;
  // What the sink gets while RNNoise rests: a sink with no input sends nothing at all (the peer would take the call
  // for lost). Made on the first rest: most calls never mute.
  let silence: ConstantSourceNode | null = null;
  // The meters' analysers: they pull the worklet too, so resting disconnects them and waking connects them again.
  const analysers = new Set<AnalyserNode>();
  return {
    stream: sink.stream,
    meter: () => {
      const reader = new AnalyserLevel(ctx.createAnalyser());
      analysers.add(reader.analyser);
      if (!resting) node.connect(reader.analyser);
      // A call's teardown may close the graph before its meter.
      return {
        level: () => reader.level(),
        close: () => {
          analysers.delete(reader.analyser);
          if (!closed && !resting) node.disconnect(reader.analyser);
        },
      };
    },
    // Resting, the worklet has nothing before or after it, so nothing pulls it and RNNoise does no work;
    // the sink sends silence meanwhile, so the packets keep coming.
    rest: (rest) => {
      if (closed || rest === resting) return;
      resting = rest;
      if (rest) {
        source.disconnect(node);
        node.disconnect();
        if (!silence) {
          silence = new ConstantSourceNode(ctx, { offset: 0 });
          silence.start();
        }
        silence.connect(sink);
      } else {
        silence?.disconnect();
        source.connect(node);
        node.connect(sink);
        for (const a of analysers) node.connect(a);
      }
    },
    close: () => {
      closed = true;
      source.disconnect();
      silence?.stop();
      node.disconnect();
      node.port.postMessage('destroy');
      for (const t of sink.stream.getTracks()) t.stop();
      void ctx.close().catch(() => undefined);
    },
  };
}
