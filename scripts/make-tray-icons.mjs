#!/usr/bin/env node
// Draws Parley's tray icons and app icon as PNGs, with nothing but node:zlib:
//   build/tray/<state>[-missed].png (16 px) and @2x (32 px): colour icons for Windows and Linux
//   build/tray/<state>[-missed]Template.png and @2x: black-and-alpha template images for macOS
//   build/icon.png (1024 px): the app icon electron-builder turns into .icns/.ico
// States: available, away, dnd, offline, ringing, in-call, in-call-muted, in-call-talking
// (push-to-talk key held); "-missed" adds the
// missed-calls badge. The shapes are signed distance functions in a 16-unit box, rendered
// with 4×4 supersampling, so every size comes from the same drawing.
//
//   node scripts/make-tray-icons.mjs [outDir]     (default: build/)
//
// Run it after changing a shape or colour and commit the PNGs; tests/main/tray-icons.test.ts
// checks that the committed files are what this script draws.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';

export const STATES = ['available', 'away', 'dnd', 'offline', 'ringing', 'in-call', 'in-call-muted', 'in-call-talking'];
export const SCALES = [
  { suffix: '', size: 16 },
  { suffix: '@2x', size: 32 },
];
export const APP_ICON_SIZE = 1024;

// ---------------------------------------------------------------- PNG

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGBA pixels (non-premultiplied, row-major) → PNG bytes: colour type 6, 8 bits, filter 0. */
export function encodePng(width, height, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0;
    rgba.copy(raw, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------- shapes (16-unit box, y down)

const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;
const ring = (cx, cy, r, width) => (x, y) => Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;

function segment(ax, ay, bx, by, width) {
  return (x, y) => {
    const [px, py, vx, vy] = [x - ax, y - ay, bx - ax, by - ay];
    const t = Math.max(0, Math.min(1, (px * vx + py * vy) / (vx * vx + vy * vy)));
    return Math.hypot(px - vx * t, py - vy * t) - width / 2;
  };
}

/** An arc of a circle (angles in degrees, clockwise on screen from +x), with round ends. */
function arc(cx, cy, r, from, to, width) {
  const [a0, a1] = [(from * Math.PI) / 180, (to * Math.PI) / 180];
  const ends = [a0, a1].map((a) => [cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  return (x, y) => {
    let a = Math.atan2(y - cy, x - cx);
    while (a < a0) a += 2 * Math.PI;
    if (a <= a1) return Math.abs(Math.hypot(x - cx, y - cy) - r) - width / 2;
    return Math.min(...ends.map(([ex, ey]) => Math.hypot(x - ex, y - ey))) - width / 2;
  };
}

const union =
  (...shapes) =>
  (x, y) =>
    Math.min(...shapes.map((shape) => shape(x, y)));

/**
 * A telephone handset centred on (cx, cy), `s` units across: a thick arc
 * around the lower left with an earpiece (upper left) and a mouthpiece
 * (lower right) turned towards the arc's centre.
 */
function handset(cx, cy, s) {
  const k = s / 10;
  const ox = cx + 2.4 * k;
  const oy = cy - 2.4 * k;
  const r = 6.2 * k;
  const pad = (angle) => {
    const a = (angle * Math.PI) / 180;
    const [ex, ey] = [ox + r * Math.cos(a), oy + r * Math.sin(a)];
    const [ix, iy] = [ox + (r - 2.6 * k) * Math.cos(a), oy + (r - 2.6 * k) * Math.sin(a)];
    return segment(ex, ey, ix, iy, 2.9 * k);
  };
  return union(arc(ox, oy, r, 88, 182, 2.3 * k), pad(86), pad(184));
}

/** Two sound waves to the upper right of a handset like the one above. */
function waves(cx, cy, s) {
  const k = s / 10;
  const [ox, oy] = [cx + 1.2 * k, cy - 1.2 * k];
  return union(arc(ox, oy, 3.2 * k, 272, 358, 1.25 * k), arc(ox, oy, 5.6 * k, 272, 358, 1.25 * k));
}

// ---------------------------------------------------------------- icons

const CLEAR = 'clear';
const WHITE = [255, 255, 255, 255];
const BLACK = [0, 0, 0, 255];
const COLOURS = {
  brand: [37, 99, 235, 255],
  available: [22, 163, 74, 255],
  away: [245, 158, 11, 255],
  dnd: [220, 38, 38, 255],
  offline: [107, 114, 128, 255],
  ringing: [234, 88, 12, 255],
  call: [22, 163, 74, 255],
  muted: [220, 38, 38, 255],
  talking: [37, 99, 235, 255],
  missed: [220, 38, 38, 255],
};

const LOGO = circle(7.5, 8.5, 7);
const PHONE = handset(7.5, 8.5, 9);
const STATUS_DOT = [12.6, 12.6, 3.1];
const BADGE = [13, 3, 2.7];

/** A dot in the lower-right corner, cut out of what is under it. */
function statusDot(paint, inner) {
  const [x, y, r] = STATUS_DOT;
  const layers = [
    [circle(x, y, r + 1.1), CLEAR],
    [circle(x, y, r), paint],
  ];
  if (inner) layers.push([inner, inner === 'ring' ? CLEAR : WHITE]);
  return layers;
}

/** Layers (shape, paint) bottom to top for a colour tray icon. */
function colourIcon(state) {
  const [x, y, r] = STATUS_DOT;
  switch (state) {
    case 'available':
      return [[LOGO, COLOURS.brand], [PHONE, WHITE], ...statusDot(COLOURS.available)];
    case 'away':
      return [
        [LOGO, COLOURS.brand],
        [PHONE, WHITE],
        ...statusDot(COLOURS.away),
        [segment(x, y - 1.7, x, y + 0.2, 1.1), WHITE],
        [segment(x, y + 0.2, x + 1.4, y + 1, 1.1), WHITE],
      ];
    case 'dnd':
      return [[LOGO, COLOURS.brand], [PHONE, WHITE], ...statusDot(COLOURS.dnd), [segment(x - 1.6, y, x + 1.6, y, 1.3), WHITE]];
    case 'offline':
      return [
        [LOGO, COLOURS.offline],
        [PHONE, WHITE],
        [circle(x, y, r + 1.1), CLEAR],
        [ring(x, y, r - 0.7, 1.4), COLOURS.offline],
      ];
    case 'ringing':
      return [
        [LOGO, COLOURS.ringing],
        [handset(6.8, 9.2, 8), WHITE],
        [waves(6.8, 9.2, 8), WHITE],
      ];
    case 'in-call':
      return [[LOGO, COLOURS.call], [PHONE, WHITE]];
    case 'in-call-muted':
      return [
        [LOGO, COLOURS.call],
        [PHONE, WHITE],
        ...statusDot(COLOURS.muted),
        [segment(x - 1.6, y + 1.6, x + 1.6, y - 1.6, 1.2), WHITE],
      ];
    case 'in-call-talking':
      // A live dot: the microphone is open while the push-to-talk key is held.
      return [[LOGO, COLOURS.call], [PHONE, WHITE], ...statusDot(COLOURS.talking), [circle(x, y, 1.3), WHITE]];
    default:
      throw new Error(`unknown state ${state}`);
  }
}

/** Layers for a macOS template image: black and alpha only; the system colours it. */
function templateIcon(state) {
  const [x, y, r] = STATUS_DOT;
  const disc = [
    [LOGO, BLACK],
    [PHONE, CLEAR],
  ];
  switch (state) {
    case 'available':
      return disc;
    case 'away':
      return [...disc, [circle(x, y, r + 1.1), CLEAR], [ring(x, y, r - 0.6, 1.3), BLACK]];
    case 'dnd':
      return [...disc, [circle(x, y, r + 1.1), CLEAR], [circle(x, y, r), BLACK], [segment(x - 1.6, y, x + 1.6, y, 1.3), CLEAR]];
    case 'offline':
      return [
        [ring(7.5, 8.5, 6.3, 1.3), [0, 0, 0, 150]],
        [PHONE, [0, 0, 0, 150]],
      ];
    case 'ringing':
      return [
        [handset(6.2, 9.8, 11), BLACK],
        [waves(6.2, 9.8, 11), BLACK],
      ];
    case 'in-call':
      return [[handset(7.2, 8.8, 11.5), BLACK]];
    case 'in-call-muted':
      return [
        [handset(7.2, 8.8, 11.5), BLACK],
        [circle(x, y, r + 1.1), CLEAR],
        [ring(x, y, r - 0.6, 1.3), BLACK],
        [segment(x - 1.7, y + 1.7, x + 1.7, y - 1.7, 1.2), BLACK],
      ];
    case 'in-call-talking':
      return [[handset(7.2, 8.8, 11.5), BLACK], [circle(x, y, r + 1.1), CLEAR], [circle(x, y, r), BLACK], [circle(x, y, 1.2), CLEAR]];
    default:
      throw new Error(`unknown state ${state}`);
  }
}

function withBadge(layers, paint) {
  const [x, y, r] = BADGE;
  return [...layers, [circle(x, y, r + 1.1), CLEAR], [circle(x, y, r), paint]];
}

/** Renders layers at `size` px: 4×4 samples per pixel, composited "over", averaged premultiplied. */
export function render(layers, size, box = 16) {
  const rgba = Buffer.alloc(size * size * 4);
  const n = size >= 256 ? 2 : 4;
  const scale = box / size;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const x = (px + (sx + 0.5) / n) * scale;
          const y = (py + (sy + 0.5) / n) * scale;
          // Premultiplied colour of this sample.
          let [sr, sg, sb, sa] = [0, 0, 0, 0];
          for (const [shape, paint] of layers) {
            if (shape(x, y) >= 0) continue;
            if (paint === CLEAR) {
              [sr, sg, sb, sa] = [0, 0, 0, 0];
              continue;
            }
            const pa = paint[3] / 255;
            sr = paint[0] * pa + sr * (1 - pa);
            sg = paint[1] * pa + sg * (1 - pa);
            sb = paint[2] * pa + sb * (1 - pa);
            sa = pa + sa * (1 - pa);
          }
          r += sr;
          g += sg;
          b += sb;
          a += sa;
        }
      }
      const samples = n * n;
      const alpha = a / samples;
      const offset = (py * size + px) * 4;
      if (alpha > 0) {
        rgba[offset] = Math.round(r / samples / alpha);
        rgba[offset + 1] = Math.round(g / samples / alpha);
        rgba[offset + 2] = Math.round(b / samples / alpha);
      }
      rgba[offset + 3] = Math.round(alpha * 255);
    }
  }
  return rgba;
}

/** The app icon: a rounded square in the brand colour with a white handset. */
function appIcon() {
  const roundedSquare = (x, y) => {
    const [qx, qy] = [Math.abs(x - 8) - 6.2, Math.abs(y - 8) - 6.2];
    return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - 1.3;
  };
  return [
    [roundedSquare, COLOURS.brand],
    [handset(8, 8, 10), WHITE],
  ];
}

/** Every file this script writes, as [relative path, size, layers]. */
export function iconFiles() {
  const files = [];
  for (const state of STATES) {
    for (const missed of [false, true]) {
      const base = `${state}${missed ? '-missed' : ''}`;
      const colour = missed ? withBadge(colourIcon(state), COLOURS.missed) : colourIcon(state);
      const template = missed ? withBadge(templateIcon(state), BLACK) : templateIcon(state);
      for (const { suffix, size } of SCALES) {
        files.push([`tray/${base}${suffix}.png`, size, colour]);
        files.push([`tray/${base}Template${suffix}.png`, size, template]);
      }
    }
  }
  files.push(['icon.png', APP_ICON_SIZE, appIcon()]);
  return files;
}

/** Draws every icon into `outDir` (build/ by default). */
export function makeIcons(outDir) {
  mkdirSync(path.join(outDir, 'tray'), { recursive: true });
  for (const [file, size, layers] of iconFiles()) {
    writeFileSync(path.join(outDir, file), encodePng(size, size, render(layers, size)));
  }
  return iconFiles().map(([file]) => file);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const outDir = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..', 'build'));
  const written = makeIcons(outDir);
  console.log(`wrote ${written.length} icons to ${outDir}`);
}
