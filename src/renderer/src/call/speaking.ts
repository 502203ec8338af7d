/**
 * When a level reading means someone speaks: everyone's speaking ring, the
 * other participants' (mesh.svelte.ts) and your own (call-line.svelte.ts).
 */

/** A level above this is speech (or a tone), not room noise: -40 dBov (RMS 0.01) on the meters' scale (audio-level.ts). */
export const SPEAKING_LEVEL = 0.15;
/** How long the indicator stays on after the level drops, so it does not flicker between words. */
export const SPEAKING_HOLD_MS = 400;

/** Speaking while loud, and for SPEAKING_HOLD_MS after. */
export class SpeakingHold {
  private lastLoudAt = -Infinity;

  /** Takes a reading at `now` (ms); `muted`: not speaking whatever the level still reads. */
  read(level: number, now: number, muted: boolean): boolean {
    if (level > SPEAKING_LEVEL) this.lastLoudAt = now;
    return !muted && now - this.lastLoudAt <= SPEAKING_HOLD_MS;
  }
}
