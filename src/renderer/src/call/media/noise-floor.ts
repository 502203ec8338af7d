/**
 * Auto noise suppression's ear (call-line.svelte.ts): whether the room behind the voice is noisy
 * enough for RNNoise, from the level of what is sent, after the browser's own suppression, read every READ_MS.
 *
 * Speech has pauses and noise has none, so the quietest reading of the last WINDOW_MS is the noise floor (minimum
 * statistics); the room counts as noisy once that floor has stayed at or over NOISY_LEVEL for HOLD_MS. A person
 * speaking without one quiet reading for WINDOW_MS + HOLD_MS is rare, and its cost is only RNNoise's CPU for the rest
 * of the call. Readings of a closed microphone (muted, push-to-talk's key up) say nothing of the room: they are
 * skipped, so the seconds counted are the microphone's open ones. Pure: readings in, a verdict out.
 */
import { LEVEL_TICK_MS } from '../speaking.js';
import { levelFromRms } from './audio-level.js';

/** Read on the call line's level tick. */
export const READ_MS = LEVEL_TICK_MS;
export const WINDOW_MS = 8000;
export const HOLD_MS = 4000;
/**
 * -60 dBFS RMS on the meters' scale (audio-level.ts), after the browser's suppression: noise it left that the peer
 * plainly hears between words. In Chromium 156 a fan at -33 dBFS reads about -53 after it, a quiet room -80.
 */
export const NOISY_LEVEL = levelFromRms(10 ** (-60 / 20));

const WINDOW_READINGS = WINDOW_MS / READ_MS;
const HOLD_READINGS = HOLD_MS / READ_MS;

export class NoiseFloor {
  /** The last WINDOW_READINGS levels read with the microphone open. */
  #window: number[] = [];
  /** Readings in a row whose floor was at or over NOISY_LEVEL. */
  #held = 0;

  /**
   * One reading, READ_MS after the last; `closed`: the microphone sends silence, which says nothing of the room, so
   * the reading is skipped (push-to-talk's pauses do not start the count again). Returns whether the room is noisy.
   */
  read(level: number, closed: boolean): boolean {
    if (closed) return false;
    this.#window.push(level);
    if (this.#window.length > WINDOW_READINGS) this.#window.shift();
    // A floor needs a full window behind it: the first seconds of a call hold too few readings to have a pause.
    if (this.#window.length < WINDOW_READINGS) return false;
    this.#held = Math.min(...this.#window) >= NOISY_LEVEL ? this.#held + 1 : 0;
    return this.#held > HOLD_READINGS;
  }
}
