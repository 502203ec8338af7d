import { describe, expect, it } from 'vitest';
import { viewConstraints } from './self-view.js';

const HD = { width: 1280, height: 720, frameRate: 30 };

describe('viewConstraints', () => {
  it('scales the corner picture down to its size, snapped up, and paces it', () => {
    expect(viewConstraints({ width: 220, height: 124, scale: 1 }, HD)).toEqual({ resizeMode: 'crop-and-scale', height: { ideal: 180 }, frameRate: { max: 15 } });
  });

  it('covers a tall tile by its height and a wide one by its width', () => {
    expect(viewConstraints({ width: 300, height: 400, scale: 1 }, HD)).toEqual({ resizeMode: 'crop-and-scale', height: { ideal: 450 } });
    // 640 wide needs 360 high to cover at 16:9.
    expect(viewConstraints({ width: 640, height: 250, scale: 1 }, HD)).toEqual({ resizeMode: 'crop-and-scale', height: { ideal: 360 } });
  });

  it('counts device pixels', () => {
    expect(viewConstraints({ width: 220, height: 124, scale: 2 }, HD)?.height).toEqual({ ideal: 270 });
  });

  it('asks nothing when the tile is as big as the camera, or either is unknown', () => {
    expect(viewConstraints({ width: 1280, height: 720, scale: 1 }, HD)).toBeNull();
    expect(viewConstraints({ width: 0, height: 0, scale: 1 }, HD)).toBeNull();
    expect(viewConstraints({ width: 220, height: 124, scale: 1 }, { width: 0, height: 0, frameRate: 0 })).toBeNull();
  });

  it('leaves a slow camera its own rate', () => {
    expect(viewConstraints({ width: 220, height: 124, scale: 1 }, { width: 640, height: 360, frameRate: 10 })).toEqual({ resizeMode: 'crop-and-scale', height: { ideal: 180 } });
  });
});
