/**
 * How many earlier frames the voice's packets carry: the browser's one while
 * the path is clean, RED_COPIES_MAX once the peer reports loss, so a burst of
 * up to three lost packets is rebuilt too (red-blocks.ts; bench:quality's
 * burst condition is where one copy falls short). Three copies double the
 * audio's bitrate (about 140 kbit/s against 70), which only loss pays for:
 *
 * - deep from the first report of DEEP_FROM_PCT or more;
 * - back to one copy after CLEAN_READINGS clean readings in a row (a minute:
 *   loss on real links comes back in spells);
 * - never while the camera is paused for a path too thin for it
 *   (video-quality.ts): there the voice is capped, and copies the encoder
 *   does not count would take the room Opus needs.
 *
 * The page sends the transform's worker each reading (audio-redundancy.ts),
 * and the worker decides (red-depth.worker.ts).
 */

/** One reading, page to worker: the loss the peer reports on this side's audio in percent, or THIN_PATH. */
export type RedDepthMessage = number;
export const THIN_PATH = -1;

/** The most earlier frames a packet carries: bursts of up to three lost packets are rebuilt. */
export const RED_COPIES_MAX = 3;
/** Reported loss (percent) from which packets carry RED_COPIES_MAX earlier frames. */
export const DEEP_FROM_PCT = 2;
/** Below this a reading counts as clean. */
export const CLEAN_BELOW_PCT = 1;
/** Clean readings in a row before going back to one copy: the call line reads every 2 s. */
export const CLEAN_READINGS = 30;

/**
 * Readings since the path was last lossy, after one more reading: pure.
 * Infinity is a clean path (and a thin one, which never goes deep); a reading
 * between the two thresholds neither starts nor ends a lossy spell.
 */
export function sinceLoss(since: number, reading: RedDepthMessage): number {
  if (reading === THIN_PATH) return Infinity;
  if (reading >= DEEP_FROM_PCT) return 0;
  if (reading < CLEAN_BELOW_PCT) return since + 1;
  return since < CLEAN_READINGS ? 0 : since;
}

/** How many earlier frames each packet carries, that many readings after the last lossy one. */
export const copiesFor = (since: number): number => (since < CLEAN_READINGS ? RED_COPIES_MAX : 1);
