/**
 * Ogg Opus (RFC 3533, RFC 7845), checked page by page: every page's capture
 * pattern and CRC, one logical stream that begins with OpusHead and OpusTags
 * and ends with its end-of-stream page (a file cut off anywhere lacks it, or
 * fails a CRC). The duration is the sum of the audio packets' lengths less
 * the pre-skip.
 */
import { AudioRefused, OPUS_RATE, opusPacketSamples, readOpusHead } from './opus-packets.js';

const HEADER = 27;
const BOS = 0x02;
const EOS = 0x04;

/** Ogg's CRC-32: polynomial 0x04c11db7, not reflected, initial 0. */
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function crc(page: Buffer): number {
  let c = 0;
  for (let i = 0; i < page.length; i++) {
    // The CRC field itself (bytes 22-25) counts as zeros.
    const byte = i >= 22 && i < 26 ? 0 : (page[i] ?? 0);
    c = ((c << 8) ^ (CRC_TABLE[((c >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  }
  return c;
}

/** The Opus packets of one Ogg stream, headers first; throws AudioRefused for anything else. */
function oggPackets(bytes: Buffer): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  let serial: number | undefined;
  let ended = false;
  for (let at = 0; at < bytes.length; ) {
    if (ended) throw new AudioRefused('data after the end of the Ogg stream');
    if (bytes.length - at < HEADER || bytes.toString('latin1', at, at + 4) !== 'OggS') throw new AudioRefused('a damaged Ogg page');
    const segments = bytes[at + 26] ?? 0;
    const table = bytes.subarray(at + HEADER, at + HEADER + segments);
    const size = HEADER + segments + table.reduce((a, b) => a + b, 0);
    if (table.length < segments || at + size > bytes.length) throw new AudioRefused('the Ogg stream is cut off');
    const page = bytes.subarray(at, at + size);
    if (page[4] !== 0) throw new AudioRefused('an Ogg page of an unknown version');
    if (crc(page) !== page.readUInt32LE(22)) throw new AudioRefused('an Ogg page fails its checksum');
    const flags = page[5] ?? 0;
    const pageSerial = page.readUInt32LE(14);
    if (serial === undefined) {
      if (!(flags & BOS)) throw new AudioRefused('the Ogg stream has no beginning');
      serial = pageSerial;
    } else if (pageSerial !== serial || flags & BOS) throw new AudioRefused('more than one Ogg stream');
    let offset = HEADER + segments;
    for (const lace of table) {
      pending.push(page.subarray(offset, offset + lace));
      offset += lace;
      if (lace < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
    ended = (flags & EOS) !== 0;
    at += size;
  }
  if (!ended || pending.length > 0) throw new AudioRefused('the Ogg stream is cut off');
  return packets;
}

/** Duration in ms of an Ogg Opus file. */
export function oggOpusDurationMs(bytes: Buffer): number {
  const [head, tags, ...audio] = oggPackets(bytes);
  const { preSkip } = readOpusHead(head ?? Buffer.alloc(0));
  if (tags?.toString('latin1', 0, 8) !== 'OpusTags') throw new AudioRefused('no Opus comment header');
  const samples = audio.reduce((sum, p) => sum + opusPacketSamples(p), 0);
  return Math.max(0, Math.round(((samples - preSkip) * 1000) / OPUS_RATE));
}
