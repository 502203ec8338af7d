/**
 * WCAG 2 contrast arithmetic for the palette's tests: relative luminance of
 * an sRGB colour, the contrast ratio of two, and a translucent colour laid
 * over an opaque one (a name label's scrim over a video frame).
 */

/** Red, green, blue in 0–255 and alpha in 0–1. */
export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** `#rgb`, `#rrggbb` or `rgb(r g b / a%)` (the forms tokens.css uses). */
export function parseColour(text: string): Rgba {
  const s = text.trim().toLowerCase();
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(s);
  if (short) {
    const [r, g, b] = [short[1], short[2], short[3]].map((h) => Number.parseInt(`${h ?? '0'}${h ?? '0'}`, 16));
    return { r: r ?? 0, g: g ?? 0, b: b ?? 0, a: 1 };
  }
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(s);
  if (long) return { r: Number.parseInt(long[1] ?? '0', 16), g: Number.parseInt(long[2] ?? '0', 16), b: Number.parseInt(long[3] ?? '0', 16), a: 1 };
  const fn = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)\s*(?:[/,]\s*([\d.]+)(%?))?\s*\)$/.exec(s);
  if (fn) {
    const alpha = fn[4] === undefined ? 1 : Number(fn[4]) / (fn[5] === '%' ? 100 : 1);
    return { r: Number(fn[1]), g: Number(fn[2]), b: Number(fn[3]), a: alpha };
  }
  throw new Error(`Not a colour this parser reads: ${text}`);
}

const channel = (c: number): number => {
  const v = c / 255;
  return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
};

/** WCAG relative luminance of an opaque colour, 0 (black) to 1 (white). */
export function luminance(colour: string | Rgba): number {
  const { r, g, b } = typeof colour === 'string' ? parseColour(colour) : colour;
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** The contrast ratio of two opaque colours, 1 to 21 (order does not matter). */
export function contrast(a: string | Rgba, b: string | Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** `top` (possibly translucent) painted over the opaque `bottom`. */
export function over(top: string, bottom: string): Rgba {
  const t = parseColour(top);
  const b = parseColour(bottom);
  const mix = (x: number, y: number) => Math.round(x * t.a + y * (1 - t.a));
  return { r: mix(t.r, b.r), g: mix(t.g, b.g), b: mix(t.b, b.b), a: 1 };
}
