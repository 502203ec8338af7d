import { describe, expect, it } from 'vitest';
import { CLEAN_READINGS, copiesFor, RED_COPIES_MAX, sinceLoss, THIN_PATH } from './red-depth.js';

/** The copies after each reading, from a clean start. */
function copiesAfter(readings: number[]): number[] {
  let since = Infinity;
  return readings.map((r) => copiesFor((since = sinceLoss(since, r))));
}

describe('how many earlier frames the voice carries', () => {
  it('is the browser’s one on a clean path, and on one losing under 2 %', () => {
    expect(copiesAfter([0, 0.5, 1.5, 1.9, 0])).toEqual([1, 1, 1, 1, 1]);
  });

  it('goes deep at the first reading of 2 % or more', () => {
    expect(copiesAfter([0, 2, 0])).toEqual([1, RED_COPIES_MAX, RED_COPIES_MAX]);
  });

  it('comes back after CLEAN_READINGS clean readings in a row, and a little loss restarts the count', () => {
    const clean = new Array<number>(CLEAN_READINGS - 1).fill(0);
    expect(copiesAfter([5, ...clean, 0]).at(-1)).toBe(1);
    expect(copiesAfter([5, ...clean, 0]).at(-2)).toBe(RED_COPIES_MAX);
    expect(copiesAfter([5, ...clean, 1.5, 0]).at(-1)).toBe(RED_COPIES_MAX);
  });

  it('never goes deep on a path too thin for the camera, and leaves it at once', () => {
    expect(copiesAfter([5, THIN_PATH, 5])).toEqual([RED_COPIES_MAX, 1, RED_COPIES_MAX]);
  });
});
