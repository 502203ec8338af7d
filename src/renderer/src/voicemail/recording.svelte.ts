/**
 * One recording from the person's microphone, as calls open it (the chosen
 * device, after noise suppression: RNNoise or the browser's), in Opus by
 * MediaRecorder, with a timer that stops it at its limit. Used for a
 * message and for a greeting.
 */
import type { Meter } from '../call/call-deps.js';
import type { Microphone } from '../call/media/microphone.js';

/** Opus at this rate is clear speech at about 4 KB a second. */
const BITS_PER_SECOND = 32_000;
/** WebM is what Chromium and Electron record; Firefox records Ogg. */
const TYPES = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus'];
const TICK_MS = 200;

export interface RecordingDeps {
  /** The microphone as calls open it (call/media/microphone-browser.ts). */
  openMicrophone(): Promise<Microphone>;
  /** The recorder this browser has (a test passes a fake). */
  makeRecorder?(stream: MediaStream, options: MediaRecorderOptions): MediaRecorder;
}

export function recordingType(isSupported: (type: string) => boolean = (t) => MediaRecorder.isTypeSupported(t)): string | null {
  return TYPES.find(isSupported) ?? null;
}

export class Recording {
  elapsedMs = $state(0);
  running = $state(false);
  /** The microphone's level while recording, 0-1. */
  level = $state(0);
  #microphone: Microphone | null = null;
  #meter: Meter | null = null;
  #recorder: MediaRecorder | null = null;
  #timer: ReturnType<typeof setInterval> | undefined;
  #done: Promise<Blob> | null = null;

  readonly #deps: RecordingDeps;

  constructor(
    deps: RecordingDeps,
    readonly maxMs: number,
  ) {
    this.#deps = deps;
  }

  /** Opens the microphone and records until stop() or the limit; rejects as getUserMedia does. */
  async start(): Promise<void> {
    this.discard();
    const type = recordingType();
    if (type === null) throw new Error('This browser cannot record Opus audio.');
    const microphone = await this.#deps.openMicrophone();
    this.#microphone = microphone;
    const options = { mimeType: type, audioBitsPerSecond: BITS_PER_SECOND };
    const recorder = this.#deps.makeRecorder?.(microphone.stream, options) ?? new MediaRecorder(microphone.stream, options);
    this.#recorder = recorder;
    const chunks: Blob[] = [];
    this.#done = new Promise<Blob>((resolve, reject) => {
      recorder.addEventListener('dataavailable', (e) => chunks.push(e.data));
      recorder.addEventListener('stop', () => resolve(new Blob(chunks, { type: type.split(';')[0] })));
      recorder.addEventListener('error', () => reject(new Error('The recording failed.')));
    });
    const meter = (this.#meter = microphone.meter());
    const started = performance.now();
    recorder.start();
    this.running = true;
    this.elapsedMs = 0;
    this.#timer = setInterval(() => {
      this.elapsedMs = Math.min(this.maxMs, performance.now() - started);
      this.level = meter.level();
      if (this.elapsedMs >= this.maxMs) void this.stop();
    }, TICK_MS);
  }

  /** Stops and gives the recording (null when nothing was recording). */
  async stop(): Promise<Blob | null> {
    const recorder = this.#recorder;
    const done = this.#done;
    if (!recorder || !done) return null;
    if (recorder.state !== 'inactive') recorder.stop();
    this.#release();
    return done;
  }

  /** Stops and drops whatever was recorded. */
  discard(): void {
    if (this.#recorder && this.#recorder.state !== 'inactive') this.#recorder.stop();
    this.#done?.catch(() => undefined);
    this.#done = null;
    this.#release();
    this.elapsedMs = 0;
  }

  #release(): void {
    clearInterval(this.#timer);
    this.running = false;
    this.level = 0;
    this.#meter?.close();
    this.#meter = null;
    this.#microphone?.stop();
    this.#microphone = null;
    this.#recorder = null;
  }
}
