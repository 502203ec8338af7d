/**
 * How long Opus packets play, read from each packet's TOC byte (RFC 6716
 * section 3.1), so a message's duration is computed from its audio and never
 * taken from what a container or a client declares.
 */

/** Opus always decodes at 48 kHz. */
export const OPUS_RATE = 48_000;

/** Samples per frame by the TOC's configuration number (0-31), at 48 kHz. */
const FRAME_SAMPLES = [
  // SILK-only: 10, 20, 40, 60 ms, for NB, MB, WB
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
  // Hybrid: 10, 20 ms, for SWB, FB
  480, 960, 480, 960,
  // CELT-only: 2.5, 5, 10, 20 ms, for NB, WB, SWB, FB
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
];

/** A packet lasts at most 120 ms (RFC 6716 section 3.2.5). */
const MAX_PACKET_SAMPLES = 5760;

export class AudioRefused extends Error {
  override name = 'AudioRefused';
}

/** The samples (48 kHz) one Opus packet holds; throws AudioRefused for one that is not Opus. */
export function opusPacketSamples(packet: Uint8Array): number {
  const toc = packet[0];
  if (toc === undefined) throw new AudioRefused('an empty Opus packet');
  const perFrame = FRAME_SAMPLES[toc >> 3] ?? 0;
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code === 1 || code === 2) frames = 2;
  else {
    const count = packet[1];
    if (count === undefined) throw new AudioRefused('an Opus packet without its frame count');
    frames = count & 0x3f;
  }
  const samples = perFrame * frames;
  if (frames === 0 || samples > MAX_PACKET_SAMPLES) throw new AudioRefused('an Opus packet of an impossible length');
  return samples;
}

/** The OpusHead identification header (RFC 7845 section 5.1): its channel count and pre-skip. */
export function readOpusHead(head: Uint8Array): { channels: number; preSkip: number } {
  const view = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (view.length < 19 || view.toString('latin1', 0, 8) !== 'OpusHead') throw new AudioRefused('no Opus identification header');
  if (view[8] !== 1) throw new AudioRefused('an Opus header of an unknown version');
  const channels = view[9] ?? 0;
  if (channels < 1 || channels > 2) throw new AudioRefused('Opus audio with other than one or two channels');
  return { channels, preSkip: view.readUInt16LE(10) };
}
