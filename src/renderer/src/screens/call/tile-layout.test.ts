import { describe, expect, it } from 'vitest';
import { avatarSizeFor, fitGrid, fitScreen } from './tile-layout.js';

describe('fitGrid', () => {
  it('one tile takes the largest 16:9 box that fits', () => {
    expect(fitGrid(1, 1600, 900, 8)).toEqual({ columns: 1, rows: 1, width: 1600, height: 900 });
    // Height-bound: a tall box.
    expect(fitGrid(1, 400, 900, 8)).toMatchObject({ width: 400, height: 225 });
  });

  it('picks the columns that give the widest tiles, and the grid never passes the box', () => {
    for (const [count, w, h] of [
      [2, 1000, 600],
      [3, 340, 400],
      [4, 980, 560],
      [5, 640, 560],
      [9, 1200, 700],
      [12, 360, 300],
    ] as const) {
      const fit = fitGrid(count, w, h, 8);
      expect(fit.columns * fit.rows).toBeGreaterThanOrEqual(count);
      expect(fit.columns * fit.width + (fit.columns - 1) * 8).toBeLessThanOrEqual(w);
      expect(fit.rows * fit.height + (fit.rows - 1) * 8).toBeLessThanOrEqual(h);
    }
    // Side by side in a wide box, stacked in a tall one.
    expect(fitGrid(2, 1000, 400, 8).columns).toBe(2);
    expect(fitGrid(2, 340, 500, 8).columns).toBe(1);
    expect(fitGrid(4, 1000, 600, 8)).toMatchObject({ columns: 2, rows: 2 });
  });

  it('gives nothing for an empty or unmeasured box', () => {
    expect(fitGrid(0, 100, 100).width).toBe(0);
    expect(fitGrid(3, 0, 0).width).toBe(0);
  });
});

describe('fitScreen', () => {
  it('puts the strip to the right in a wide box and below in a narrow one', () => {
    expect(fitScreen(1000, 560).side).toBe('right');
    expect(fitScreen(340, 420).side).toBe('below');
    expect(fitScreen(640, 560).side).toBe('below');
  });

  it('keeps the strip within its bounds', () => {
    expect(fitScreen(3000, 1000).strip).toBe(240);
    expect(fitScreen(300, 200).strip).toBe(72);
  });
});

describe('avatarSizeFor', () => {
  it('grows with the tile', () => {
    expect([80, 150, 260, 320].map((w) => avatarSizeFor(w))).toEqual(['sm', 'md', 'lg', 'xl']);
    // A wide, flat tile: its height decides.
    expect(avatarSizeFor(1000, 100)).toBe('md');
    // Ten people at 360 px: tiles about 110 by 60 px, the plate taking their lower third.
    expect(avatarSizeFor(110, 60)).toBe('sm');
  });
});
