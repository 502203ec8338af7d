/**
 * Where the call's tiles go: the biggest 16:9 tiles that fit a box in even
 * rows (the group grid), and beside or below a shared screen the strip of the
 * others (whichever leaves the screen the larger picture). Pure: sizes in, sizes out.
 */

export const TILE_ASPECT = 16 / 9;

export interface GridFit {
  columns: number;
  rows: number;
  /** One tile's size in px (whole pixels, never past the box). */
  width: number;
  height: number;
}

/**
 * The largest tiles of `aspect` that `count` of fit in a `width`×`height` box,
 * `gap` apart: tries every number of columns and keeps the widest tile.
 */
export function fitGrid(count: number, width: number, height: number, gap = 8, aspect = TILE_ASPECT): GridFit {
  if (count <= 0 || width <= 0 || height <= 0) return { columns: 1, rows: Math.max(1, count), width: 0, height: 0 };
  let best: GridFit = { columns: 1, rows: count, width: 0, height: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const w = Math.min((width - gap * (columns - 1)) / columns, ((height - gap * (rows - 1)) / rows) * aspect);
    if (w > best.width) best = { columns, rows, width: w, height: w / aspect };
  }
  return { ...best, width: Math.max(0, Math.floor(best.width)), height: Math.max(0, Math.floor(best.height)) };
}

export type StripSide = 'right' | 'below';

export interface ScreenFit {
  side: StripSide;
  /** The strip's width (right) or height (below), in px. */
  strip: number;
}

/** The strip beside a screen: a fifth of the box, within these bounds. */
const STRIP_RIGHT = { min: 132, max: 240 };
const STRIP_BELOW = { min: 72, max: 132 };

const clamp = (v: number, min: number, max: number) => Math.min(max, Math.max(min, v));

/** The area of the largest `aspect` picture inside a w×h box. */
function pictureArea(w: number, h: number, aspect: number): number {
  if (w <= 0 || h <= 0) return 0;
  const pw = Math.min(w, h * aspect);
  return pw * (pw / aspect);
}

/**
 * A shared screen takes the box; the other tiles go in a strip to its right
 * or below it, whichever leaves the screen's 16:9 picture larger (a wide
 * window: right; a phone or a narrow column: below).
 */
export function fitScreen(width: number, height: number, gap = 8, aspect = TILE_ASPECT): ScreenFit {
  const right = Math.round(clamp(width * 0.2, STRIP_RIGHT.min, STRIP_RIGHT.max));
  const below = Math.round(clamp(height * 0.2, STRIP_BELOW.min, STRIP_BELOW.max));
  const rightArea = pictureArea(width - right - gap, height, aspect);
  const belowArea = pictureArea(width, height - below - gap, aspect);
  return rightArea > belowArea ? { side: 'right', strip: right } : { side: 'below', strip: below };
}

/** The avatar size that suits a tile of `width`×`height` px (a flat tile counts as narrower). */
export function avatarSizeFor(width: number, height = width): 'sm' | 'md' | 'lg' | 'xl' {
  // A short tile keeps its avatar, ring included, clear of the name plate and the tile's edge.
  if (height < 76) return 'sm';
  const room = Math.min(width, height * 1.6);
  if (room >= 300) return 'xl';
  if (room >= 200) return 'lg';
  if (room >= 90) return 'md';
  return 'sm';
}
