import { describe, expect, it } from 'vitest';
import { TileViews } from '../media/tile-views.js';
import { layerFor, SIMULCAST } from './layers.js';

describe('the layer each tile receives on the SFU', () => {
  it('is the smallest that fills the tile, and none for a tile not shown', () => {
    expect(layerFor(null)).toBe('off');
    expect(layerFor(0)).toBe('off');
    // A room of ten at 360 px: tiles about 60 px high.
    expect(layerFor(60)).toBe('low');
    expect(layerFor(270)).toBe('low');
    expect(layerFor(271)).toBe('medium');
    expect(layerFor(540)).toBe('medium');
    // One person filling a 1280 px window.
    expect(layerFor(720)).toBe('high');
  });

  it('the camera goes out highest first, each layer half the one before (the order Janus reads by default)', () => {
    expect(SIMULCAST.map((e) => [e.rid, e.scaleResolutionDownBy ?? 1])).toEqual([
      ['h', 1],
      ['m', 2],
      ['l', 4],
    ]);
    const bitrates = SIMULCAST.map((e) => e.maxBitrate ?? 0);
    expect([...bitrates].sort((a, b) => b - a)).toEqual(bitrates);
  });
});

describe("where people's tiles are on screen", () => {
  it("gives someone's tallest tile that shows; none off screen, gone, or in a hidden window", () => {
    let hidden = false;
    const views = new TileViews(() => hidden);
    const grid = {};
    const strip = {};
    expect(views.shown('bob')).toBeNull();
    views.set(grid, { username: 'bob', visible: true, height: 120 });
    views.set(strip, { username: 'bob', visible: true, height: 300 });
    views.set({}, { username: 'carol', visible: false, height: 400 });
    expect(views.shown('bob')).toBe(300);
    expect(views.shown('carol')).toBeNull();
    views.delete(strip);
    expect(views.shown('bob')).toBe(120);
    hidden = true;
    expect(views.shown('bob')).toBeNull();
  });
});
