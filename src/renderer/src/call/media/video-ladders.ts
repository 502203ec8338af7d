/**
 * The levels each video source steps through (video-quality.ts): a bitrate
 * cap, a resolution scale and a frame rate cap each, level 0 the best.
 */

export interface VideoLevel {
  /** Bits per second. */
  maxBitrate: number;
  scaleResolutionDownBy: number;
  maxFramerate?: number;
}

/** Level 0 is the best; each step down costs less. */
export const CAMERA_LADDER: readonly VideoLevel[] = [
  { maxBitrate: 1_200_000, scaleResolutionDownBy: 1 },
  { maxBitrate: 700_000, scaleResolutionDownBy: 1 },
  { maxBitrate: 400_000, scaleResolutionDownBy: 1.5 },
  { maxBitrate: 200_000, scaleResolutionDownBy: 2 },
  { maxBitrate: 100_000, scaleResolutionDownBy: 4 },
];

/**
 * The camera's ladder toward each peer of a group call (three people or more
 * in a mesh): a tile of a grid, not a window, so at most 360p from a 720p
 * camera. Each page encodes a copy per peer and decodes one from each, and the
 * uplink carries every copy: four people sending 720p held both cores of a
 * test machine past what it could encode, and cost each 3.6 Mbit/s up.
 */
export const GROUP_CAMERA_LADDER: readonly VideoLevel[] = [
  { maxBitrate: 400_000, scaleResolutionDownBy: 2 },
  { maxBitrate: 200_000, scaleResolutionDownBy: 2 },
  { maxBitrate: 100_000, scaleResolutionDownBy: 4 },
];

export const SCREEN_LADDER: readonly VideoLevel[] = [
  { maxBitrate: 2_500_000, scaleResolutionDownBy: 1, maxFramerate: 15 },
  { maxBitrate: 1_200_000, scaleResolutionDownBy: 1, maxFramerate: 10 },
  { maxBitrate: 600_000, scaleResolutionDownBy: 1, maxFramerate: 5 },
  { maxBitrate: 300_000, scaleResolutionDownBy: 1, maxFramerate: 3 },
  { maxBitrate: 150_000, scaleResolutionDownBy: 1.5, maxFramerate: 2 },
];
