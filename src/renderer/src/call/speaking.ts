/**
 * When a level reading means someone speaks: everyone's speaking ring, the
 * other participants' (mesh.svelte.ts) and your own (call-line.svelte.ts).
 * On the SFU the server says who talks (`sfu:talking`) and the stage puts
 * the most recent speaker first (speakersFirst).
 */

/** A level above this is speech (or a tone), not room noise: -40 dBov (RMS 0.01) on the meters' scale (audio-level.ts). */
export const SPEAKING_LEVEL = 0.15;
/** How long the indicator stays on after the level drops, so it does not flicker between words. */
export const SPEAKING_HOLD_MS = 400;
/**
 * How often a call reads every level (the microphone's, each peer's) and redraws the meters: four times
 * a second, as often as a 28-pixel meter and a speaking ring need (the ring holds SPEAKING_HOLD_MS, so
 * it never flickers between two reads). Each new level is a frame to draw. The reads themselves cost
 * little: in a CPU profile of an audio call, 0.1 % of a page's main thread (BENCHMARKS.md, the calls' CPU).
 */
export const LEVEL_TICK_MS = 250;

/** Speaking while loud, and for SPEAKING_HOLD_MS after. */
export class SpeakingHold {
  #lastLoudAt = -Infinity;

  /** Takes a reading at `now` (ms); `muted`: not speaking whatever the level still reads. */
  read(level: number, now: number, muted: boolean): boolean {
    if (level > SPEAKING_LEVEL) this.#lastLoudAt = now;
    return !muted && now - this.#lastLoudAt <= SPEAKING_HOLD_MS;
  }
}

/**
 * The people in the order the stage shows them: whoever started talking most
 * recently first, then the others as they came. Only a path that says who
 * talks (the SFU) sets `spokeAt`; in a mesh the order is the order they came.
 */
export function speakersFirst<P extends { spokeAt?: number }>(peers: readonly P[]): P[] {
  if (!peers.some((p) => p.spokeAt !== undefined)) return [...peers];
  return [...peers].sort((a, b) => (b.spokeAt ?? -Infinity) - (a.spokeAt ?? -Infinity));
}
