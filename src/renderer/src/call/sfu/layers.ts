/**
 * Simulcast on the SFU: each publisher sends its camera three times (full,
 * half and quarter resolution: 720p, 360p and 180p from a 720p camera), and
 * each device receives one of them per person, the smallest that fills
 * that person's tile (or none while the tile does not show): `sfu:view`.
 */
import type { SfuVideoLayer } from 'parley-server/protocol';

/**
 * The camera's encodings, highest first: the order Janus reads rids in by
 * default ('hml'). Bitrates as Janus's own client library sets them.
 */
export const SIMULCAST: RTCRtpEncodingParameters[] = [
  { rid: 'h', maxBitrate: 900_000 },
  { rid: 'm', maxBitrate: 300_000, scaleResolutionDownBy: 2 },
  { rid: 'l', maxBitrate: 100_000, scaleResolutionDownBy: 4 },
];

/** A tile up to this many device pixels high is filled by the quarter layer (180 lines), up to the next by the half (360). */
const LOW_UP_TO = 270;
const MEDIUM_UP_TO = 540;

/** The layer for a tile `height` device pixels high; null (not shown): off. */
export function layerFor(height: number | null): SfuVideoLayer {
  if (height === null || height <= 0) return 'off';
  if (height <= LOW_UP_TO) return 'low';
  return height <= MEDIUM_UP_TO ? 'medium' : 'high';
}
