/**
 * Opens the microphone as the settings say, noise suppression included.
 * 'strong' runs RNNoise on the raw sound (denoiser.ts, loaded the first time
 * a microphone opens with it, so the app's first paint never waits for it);
 * where RNNoise cannot run (no AudioWorklet or WebAssembly, a policy that
 * forbids them, a worklet that never started), the microphone opens again
 * with the browser's own suppression, and the user is told once. 'auto'
 * opens with the browser's own; `denoised` is its second step, in a noisy
 * room (call-line.svelte.ts).
 */
import { logger } from '../../lib/log.js';
import { microphoneConstraints, suppressorFor, type Settings, type Suppressor } from '../../settings/settings.js';
import type { Meter } from '../call-deps.js';

const log = logger('microphone');

export const STRONG_SUPPRESSION_UNAVAILABLE =
  "Strong noise suppression cannot run here: your microphone uses the browser's own noise suppression instead.";

/** RNNoise at work on a raw microphone. */
export interface Denoised {
  /** What it outputs: the track to send. */
  stream: MediaStream;
  /** A level meter on the output, in the denoiser's own audio graph. */
  meter(): Meter;
  /** While resting RNNoise is given no sound and does no work; its output, sent on, is silence. */
  rest(resting: boolean): void;
  /** Closes the graph (not the raw microphone). */
  close(): void;
}

/** RNNoise started, before a microphone is given to it. */
export interface Denoiser {
  /** Runs on `raw` from now on. */
  attach(raw: MediaStream): Denoised;
  /** Gives up on it (the microphone did not open). */
  close(): void;
}

export interface Microphone {
  /** What is sent to peers: the denoised track, or the device's own. */
  readonly stream: MediaStream;
  /** What removes the noise of this microphone. */
  readonly suppressor: Suppressor;
  /** A level meter on what is sent. */
  meter(): Meter;
  /** The microphone is closed (muted, push-to-talk's key up) or open again: a closed one's suppressor rests. */
  rest(resting: boolean): void;
  /** Stops the device, and the denoiser with it. */
  stop(): void;
}

export interface MicrophoneDeps {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  /** Starts RNNoise; rejects where it cannot run. */
  startDenoiser(): Promise<Denoiser>;
  /** A level meter for a stream without a graph of its own. */
  levelMeter(stream: MediaStream): Meter;
}

function stopTracks(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

export class Microphones {
  #told = false;

  readonly #deps: MicrophoneDeps;

  constructor(deps: MicrophoneDeps) {
    this.#deps = deps;
  }

  /**
   * The microphone as set; rejects as getUserMedia does (no permission, no
   * device). `notice` tells the user when strong suppression cannot run: the
   * first time in this app run only.
   */
  async open(settings: Settings, notice: (text: string) => void): Promise<Microphone> {
    const suppressor = suppressorFor(settings);
    if (suppressor !== 'rnnoise') return this.#plain(await this.#device(settings, suppressor), suppressor);
    const denoised = await this.denoised(settings);
    if (denoised) return denoised;
    if (!this.#told) notice(STRONG_SUPPRESSION_UNAVAILABLE);
    this.#told = true;
    // The browser's suppression is chosen when the device opens: open it again with it.
    return this.#plain(await this.#device(settings, 'browser'), 'browser');
  }

  /**
   * The microphone as set, raw, with RNNoise on it: Strong's, and Auto's once the room is noisy (`beside`: a second
   * capture of the device, next to the one open with the browser's suppression). Null where RNNoise cannot run;
   * rejects as getUserMedia does.
   */
  async denoised(settings: Settings, beside = false): Promise<Microphone | null> {
    // RNNoise starts while the device opens: each takes tens of milliseconds.
    const starting = this.#deps.startDenoiser().then(
      (denoiser) => ({ denoiser }),
      (error: unknown) => ({ error }),
    );
    let raw: MediaStream;
    try {
      raw = await this.#device(settings, 'rnnoise', beside);
    } catch (err) {
      void starting.then((started) => 'denoiser' in started && started.denoiser.close());
      throw err;
    }
    const started = await starting;
    if ('error' in started) {
      log.warn('RNNoise cannot run: using the browser noise suppression', started.error);
      stopTracks(raw);
      return null;
    }
    const denoised = started.denoiser.attach(raw);
    return {
      stream: denoised.stream,
      suppressor: 'rnnoise',
      meter: () => denoised.meter(),
      rest: (resting) => denoised.rest(resting),
      stop: () => {
        denoised.close();
        stopTracks(raw);
      },
    };
  }

  #device(settings: Settings, suppressor: Suppressor, beside = false): Promise<MediaStream> {
    const audio = microphoneConstraints(settings, suppressor);
    // Beside a capture with the browser's suppression, Chromium (156) hands out that processed source again for a
    // mere `false`: only an exact one opens the raw sound (where a browser cannot, Auto keeps the browser's).
    return this.#deps.getUserMedia({ audio: beside ? { ...audio, noiseSuppression: { exact: false } } : audio, video: false });
  }

  #plain(stream: MediaStream, suppressor: Suppressor): Microphone {
    // The browser's own suppression costs nothing of its own to keep running.
    return { stream, suppressor, meter: () => this.#deps.levelMeter(stream), rest: () => undefined, stop: () => stopTracks(stream) };
  }
}
