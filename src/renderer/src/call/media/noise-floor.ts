/**
 * Auto noise suppression's ear (call-line.svelte.ts): whether the room behind the voice is noisy
 * enough for RNNoise, from the level of what is sent, after the browser's own suppression, read every READ_MS.
 *
 * Speech has pauses and noise has none, so the quietest reading of the last WINDOW_MS is the noise floor (minimum
 * statistics); the room counts as noisy once that floor has stayed at or over NOISY_LEVEL for HOLD_MS. A person
 * speaking without one quiet reading for WINDOW_MS + HOLD_MS is rare, and its cost is only RNNoise's CPU for the rest
 * of the call. Readings of a closed microphone (muted, push-to-talk's key up) say nothing of the room: they start
 * the window again. Pure: readings in, a verdict out.
 */
import { levelFromRms } from './audio-level.js';

export const READ_MS = 250;
export const WINDOW_MS = 8000;
export const HOLD_MS = 4000;
/**
 * -60 dBFS RMS on the meters' scale (audio-level.ts), after the browser's suppression: noise it left that the peer
 * plainly hears between words. In Chromium 156 a fan at -33 dBFS reads about -53 after it, a quiet room -80.
 */
export const NOISY_LEVEL = levelFromRms(10 ** (-60 / 20));

export class NoiseFloor {
  #readings: { at: number; level: number }[] = [];
  #since = Infinity;
  #startedAt: number | null = null;

  /** One reading of the level at `at` (ms); `closed`: the microphone sends silence. Returns whether the room is noisy. */
  read(level: number, at: number, closed: boolean): boolean {
    if (closed) {
      this.#readings = [];
      this.#startedAt = null;
      this.#since = Infinity;
      return false;
    }
    this.#startedAt ??= at;
    this.#readings.push({ at, level });
    this.#readings = this.#readings.filter((r) => r.at > at - WINDOW_MS);
    // A floor needs a full window behind it: the first seconds of a call hold too few readings to have a pause.
    if (at - this.#startedAt < WINDOW_MS) return false;
    const floor = Math.min(...this.#readings.map((r) => r.level));
    if (floor < NOISY_LEVEL) this.#since = Infinity;
    else if (this.#since === Infinity) this.#since = at;
    return at - this.#since >= HOLD_MS;
  }
}
