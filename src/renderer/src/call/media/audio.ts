/**
 * Sounds and levels through Web Audio: a generated ringtone and ringback
 * (no files, no network), a short cue, and a level meter for a local stream.
 * Each output can go to its own device (AudioContext.setSinkId).
 */
import { levelFromRms } from './audio-level.js';
import { logger } from '../../lib/log.js';

const log = logger('audio');

type SinkableContext = AudioContext & { setSinkId?: (id: string) => Promise<void> };

export type Tone = 'ringtone' | 'ringback' | 'waiting';

/** Cadences: frequencies Hz, on ms, off ms, and loudness (of the ringtone volume). */
const TONES: Record<Tone, { freqs: number[]; onMs: number; offMs: number; level: number }> = {
  ringtone: { freqs: [660, 880], onMs: 1200, offMs: 1800, level: 0.25 },
  ringback: { freqs: [440, 480], onMs: 2000, offMs: 4000, level: 0.25 },
  // A second call while in one: a short, soft beep, under the voices of the call.
  waiting: { freqs: [880], onMs: 250, offMs: 2750, level: 0.08 },
};

/** A stopped tone's or a cue's last sound is over by then; the context is suspended after it. */
const QUIET_AFTER_MS = 500;

export class TonePlayer {
  #ctx: SinkableContext | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #quietTimer: ReturnType<typeof setTimeout> | undefined;
  #playing: Tone | null = null;
  #volume = 0.6;
  #sinkId = '';

  setVolume(volume: number): void {
    this.#volume = volume;
  }

  async setSink(deviceId: string): Promise<void> {
    this.#sinkId = deviceId;
    await this.#ctx?.setSinkId?.(deviceId).catch((err: unknown) => log.warn('cannot route tones to', deviceId, err));
  }

  play(tone: Tone): void {
    if (this.#playing === tone) return;
    // The tone before stops, and the context stays awake for this one.
    clearTimeout(this.#timer);
    clearTimeout(this.#quietTimer);
    this.#playing = tone;
    const ctx = this.#context();
    void ctx.resume().catch(() => undefined);
    const { freqs, onMs, offMs, level: loudness } = TONES[tone];
    const burst = () => {
      if (this.#playing !== tone) return;
      const gain = ctx.createGain();
      const t = ctx.currentTime;
      const level = this.#volume * loudness;
      gain.gain.setValueAtTime(0, t);
      gain.gain.linearRampToValueAtTime(level, t + 0.02);
      gain.gain.setValueAtTime(level, t + onMs / 1000 - 0.05);
      gain.gain.linearRampToValueAtTime(0, t + onMs / 1000);
      gain.connect(ctx.destination);
      for (const f of freqs) {
        const osc = ctx.createOscillator();
        osc.frequency.value = f;
        osc.connect(gain);
        osc.start(t);
        osc.stop(t + onMs / 1000);
      }
      this.#timer = setTimeout(burst, onMs + offMs);
    };
    burst();
  }

  /** A short two-note cue (mute toggled from outside the window, for example). */
  cue(up: boolean): void {
    const ctx = this.#context();
    void ctx.resume().catch(() => undefined);
    this.#quietLater();
    const t = ctx.currentTime;
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(this.#volume * 0.2, t);
    gain.gain.linearRampToValueAtTime(0, t + 0.25);
    gain.connect(ctx.destination);
    [up ? 520 : 780, up ? 780 : 520].forEach((f, i) => {
      const osc = ctx.createOscillator();
      osc.frequency.value = f;
      osc.connect(gain);
      osc.start(t + i * 0.1);
      osc.stop(t + i * 0.1 + 0.1);
    });
  }

  stop(): void {
    this.#playing = null;
    clearTimeout(this.#timer);
    this.#quietLater();
  }

  /**
   * A running AudioContext renders silence on the audio thread for as long as
   * it lives: after the first ring, the app would burn CPU for the rest of the
   * day. Once nothing sounds, it is suspended; play and cue resume it.
   */
  #quietLater(): void {
    clearTimeout(this.#quietTimer);
    this.#quietTimer = setTimeout(() => {
      if (this.#playing === null) void this.#ctx?.suspend().catch(() => undefined);
    }, QUIET_AFTER_MS);
  }

  dispose(): void {
    this.stop();
    clearTimeout(this.#quietTimer);
    void this.#ctx?.close().catch(() => undefined);
    this.#ctx = null;
  }

  #context(): SinkableContext {
    if (!this.#ctx) {
      // A ring needs no low latency; larger buffers cost the audio thread less.
      this.#ctx = new AudioContext({ latencyHint: 'playback' });
      if (this.#sinkId) void this.setSink(this.#sinkId);
    }
    return this.#ctx;
  }
}

/** Reads the level (0..1, the scale of audio-level.ts) of what an analyser hears. */
export class AnalyserLevel {
  readonly #buffer: Float32Array<ArrayBuffer>;

  constructor(readonly analyser: AnalyserNode) {
    analyser.fftSize = 1024;
    this.#buffer = new Float32Array(analyser.fftSize);
  }

  level(): number {
    this.analyser.getFloatTimeDomainData(this.#buffer);
    let sum = 0;
    for (const v of this.#buffer) sum += v * v;
    return levelFromRms(Math.sqrt(sum / this.#buffer.length));
  }
}

/**
 * Live level (0..1) of a local stream's audio: the microphone in a call and
 * in Settings' test, where no denoiser's graph can give it (denoiser.ts taps
 * its own). A peer's level is read
 * from their RTP audio level instead (CallSession.receivedLevel), which needs
 * no Web Audio graph per peer and does not depend on Chromium feeding a remote
 * track into Web Audio (it stopped for some peers after renegotiations).
 */
export class LevelMeter {
  // Read five times a second, never heard: the largest buffers the browser
  // offers wake its audio thread least often (the default, 'interactive',
  // renders every few milliseconds for the whole call).
  readonly #ctx = new AudioContext({ latencyHint: 'playback' });
  readonly #reader: AnalyserLevel;
  readonly #source: MediaStreamAudioSourceNode;

  constructor(stream: MediaStream) {
    this.#source = this.#ctx.createMediaStreamSource(stream);
    this.#reader = new AnalyserLevel(this.#ctx.createAnalyser());
    this.#source.connect(this.#reader.analyser);
    void this.#ctx.resume().catch(() => undefined);
  }

  level(): number {
    return this.#reader.level();
  }

  close(): void {
    this.#source.disconnect();
    void this.#ctx.close().catch(() => undefined);
  }
}
