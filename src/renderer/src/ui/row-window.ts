/**
 * Which rows of a windowed list to draw, as pure arithmetic: each row's top
 * from the heights measured so far (an estimate for rows never drawn), and
 * the rows that overlap the view, plus a few either side so a scroll shows
 * rows already there.
 */

/** Where each row starts, and the whole list's height at the end: `tops[i]` is row i's top, `tops[n]` the height. */
export function rowTops(count: number, height: (index: number) => number): Float64Array {
  const tops = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) tops[i + 1] = (tops[i] ?? 0) + height(i);
  return tops;
}

/** The last row whose top is at or above `y` (0 when none is). */
function rowAt(tops: Float64Array, y: number): number {
  let lo = 0;
  let hi = tops.length - 2;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((tops[mid] ?? 0) <= y) lo = mid;
    else hi = mid - 1;
  }
  return Math.max(0, lo);
}

/** The rows to draw, `from` to `to` inclusive (`to` < `from` for none), for a view of the list from `top` to `top + height`. */
export function rowRange(tops: Float64Array, top: number, height: number, overscan: number): { from: number; to: number } {
  const count = tops.length - 1;
  if (count === 0) return { from: 0, to: -1 };
  const first = rowAt(tops, Math.max(0, top));
  const last = rowAt(tops, Math.max(0, top + height - 0.5));
  return { from: Math.max(0, first - overscan), to: Math.min(count - 1, last + overscan) };
}

/**
 * Where to scroll (the list's own coordinates) so that row `index` is in
 * full view, moving as little as possible; null when it already is.
 */
export function scrollToShow(tops: Float64Array, index: number, top: number, height: number): number | null {
  const start = tops[index];
  const end = tops[index + 1];
  if (start === undefined || end === undefined) return null;
  if (start < top) return start;
  if (end > top + height) return end - height;
  return null;
}
