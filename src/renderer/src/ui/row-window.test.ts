import { describe, expect, it } from 'vitest';
import { rowRange, rowTops, scrollToShow } from './row-window.js';

describe('row window', () => {
  const tops = rowTops(100, (i) => (i === 3 ? 100 : 50));

  it('places rows by their heights, measured or estimated', () => {
    expect([...tops.slice(0, 6)]).toEqual([0, 50, 100, 150, 250, 300]);
    expect(tops[100]).toBe(99 * 50 + 100);
  });

  it('draws the rows overlapping the view, and a few either side', () => {
    expect(rowRange(tops, 0, 200, 0)).toEqual({ from: 0, to: 3 });
    expect(rowRange(tops, 0, 200, 2)).toEqual({ from: 0, to: 5 });
    expect(rowRange(tops, 260, 100, 1)).toEqual({ from: 3, to: 7 });
  });

  it('stops at the ends, and draws nothing of an empty list', () => {
    expect(rowRange(tops, 10_000, 800, 6)).toEqual({ from: 93, to: 99 });
    expect(rowRange(rowTops(0, () => 50), 0, 800, 6)).toEqual({ from: 0, to: -1 });
  });

  it('scrolls as little as shows a row in full, and not at all when it is', () => {
    expect(scrollToShow(tops, 0, 0, 200)).toBeNull();
    expect(scrollToShow(tops, 10, 0, 200)).toBe(550 - 200 + 50);
    expect(scrollToShow(tops, 1, 500, 200)).toBe(50);
    expect(scrollToShow(tops, 100, 0, 200)).toBeNull();
  });
});
