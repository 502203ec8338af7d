/**
 * The picture of your own camera in a call, at the size it is shown. The
 * camera sends 720p to the others; drawing that full picture again in a
 * 220-pixel corner tile cost this side's compositor as much as the peer's
 * whole picture (BENCHMARKS.md, a video call). The tile shows a clone of the
 * camera's track that the browser scales (and, in a small tile, paces) at
 * the source: what is sent is untouched.
 *
 * A clone keeps the camera open until it is stopped too: `stop()` it with the
 * tile.
 */

/** Heights the view snaps up to (in device pixels), so a window resized by a few pixels asks nothing of the camera. */
const STEP = 90;
/** A tile shorter than this (CSS pixels) is the corner picture-in-picture: motion in it reads as well at this rate. */
const SMALL_TILE = 240;
const SMALL_TILE_FPS = 15;

/** `resizeMode` is in Media Capture's spec and Chromium, not yet in TypeScript's DOM types. */
type ViewConstraints = MediaTrackConstraints & { resizeMode?: 'none' | 'crop-and-scale' };

export interface ViewSize {
  width: number;
  height: number;
  /** Device pixels per CSS pixel. */
  scale: number;
}

/** Constraints for a clone that fills (object-fit: cover) a tile of `size` from a source of `source`; null when the source is not bigger. */
export function viewConstraints(size: ViewSize, source: { width: number; height: number; frameRate: number }): ViewConstraints | null {
  if (size.width <= 0 || size.height <= 0 || source.width <= 0 || source.height <= 0) return null;
  // Covering the tile: the source's aspect decides whether the tile's width or height binds.
  const needed = Math.max(size.height, (size.width * source.height) / source.width) * size.scale;
  const height = Math.ceil(needed / STEP) * STEP;
  const small = size.height < SMALL_TILE && source.frameRate > SMALL_TILE_FPS;
  if (height >= source.height && !small) return null;
  const constraints: ViewConstraints = { resizeMode: 'crop-and-scale' };
  if (height < source.height) constraints.height = { ideal: height };
  if (small) constraints.frameRate = { max: SMALL_TILE_FPS };
  return constraints;
}

export interface SelfView {
  /** What the tile plays. */
  readonly stream: MediaStream;
  /** Fits the picture to the tile's size (CSS pixels). */
  fit(width: number, height: number): void;
  stop(): void;
}

/** A view of `camera` for a tile; with no video track, the camera's own stream. */
export function selfView(camera: MediaStream): SelfView {
  const source = camera.getVideoTracks()[0];
  if (!source) return { stream: camera, fit: () => undefined, stop: () => undefined };
  const settings = source.getSettings();
  const full = { width: settings.width ?? 0, height: settings.height ?? 0, frameRate: settings.frameRate ?? 0 };
  const track = source.clone();
  // A fresh clone has no constraints: a tile that needs none asks nothing.
  let asked = '{}';
  return {
    stream: new MediaStream([track]),
    fit(width, height) {
      const constraints = viewConstraints({ width, height, scale: globalThis.devicePixelRatio || 1 }, full) ?? {};
      const key = JSON.stringify(constraints);
      if (key === asked) return;
      asked = key;
      // A camera that cannot scale keeps its full picture: the view only costs more.
      track.applyConstraints(constraints).catch(() => undefined);
    },
    stop: () => track.stop(),
  };
}
