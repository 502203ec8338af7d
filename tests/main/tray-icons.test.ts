/**
 * The tray icons in build/tray: one for every state the tray model can show,
 * on every platform, at 1x and 2x, and exactly what
 * scripts/make-tray-icons.mjs draws (so the committed PNGs and the script
 * never drift apart).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { APP_ICON_SIZE, iconFiles, render, SCALES, STATES } from '../../scripts/make-tray-icons.mjs';
import { TRAY_ICON_STATES } from '../../src/main/tray-model.js';

const BUILD = resolve(import.meta.dirname, '../../build');

/** Width, height and RGBA pixels of a PNG written by the script (8-bit RGBA, filter 0). */
function decodePng(bytes: Buffer): { width: number; height: number; rgba: Buffer } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let offset = 8;
  let width = 0;
  let height = 0;
  const idat: Buffer[] = [];
  while (offset < bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect([data[8], data[9]]).toEqual([8, 6]);
    }
    if (type === 'IDAT') idat.push(data);
    offset += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 4 + 1);
    expect(raw[row]).toBe(0);
    raw.copy(rgba, y * width * 4, row + 1, row + 1 + width * 4);
  }
  return { width, height, rgba };
}

describe('tray icons', () => {
  it('the script draws the states the tray model uses', () => {
    expect([...STATES]).toEqual([...TRAY_ICON_STATES]);
  });

  const names = TRAY_ICON_STATES.flatMap((state) =>
    ['', '-missed'].flatMap((badge) => ['', 'Template'].map((template) => `${state}${badge}${template}`)),
  );
  it.each(names)('%s exists as a 16 px PNG and a 32 px @2x PNG', (name) => {
    for (const { suffix, size } of SCALES) {
      const png = decodePng(readFileSync(join(BUILD, 'tray', `${name}${suffix}.png`)));
      expect([png.width, png.height]).toEqual([size, size]);
      // Not blank, and with a transparent corner (an icon, not a square).
      expect(png.rgba.some((value, index) => index % 4 === 3 && value >= 128)).toBe(true);
      expect(png.rgba[3]).toBe(0);
    }
  });

  it('template images are black and alpha only (macOS tints them)', () => {
    for (const name of names.filter((candidate) => candidate.endsWith('Template'))) {
      const { rgba } = decodePng(readFileSync(join(BUILD, 'tray', `${name}@2x.png`)));
      for (let index = 0; index < rgba.length; index += 4) {
        if (rgba[index + 3]! > 0) expect([rgba[index], rgba[index + 1], rgba[index + 2]], name).toEqual([0, 0, 0]);
      }
    }
  });

  // Draws every tray icon anew: about a second of one core, over five on a loaded CI machine.
  it('the committed tray PNGs are what scripts/make-tray-icons.mjs draws', { timeout: 30_000 }, () => {
    for (const [file, size, layers] of iconFiles().filter(([path]) => path.startsWith('tray/'))) {
      const committed = decodePng(readFileSync(join(BUILD, file)));
      expect(committed.rgba.equals(render(layers, size)), `${file} differs: run node scripts/make-tray-icons.mjs`).toBe(true);
    }
  });

  it('the app icon is a 1024 px PNG', () => {
    const icon = decodePng(readFileSync(join(BUILD, 'icon.png')));
    expect([icon.width, icon.height]).toEqual([APP_ICON_SIZE, APP_ICON_SIZE]);
  });
});
