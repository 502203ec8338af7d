/**
 * WebM with one Opus track, as a browser's MediaRecorder writes it
 * (audio/webm;codecs=opus): read element by element (EBML, RFC 8794), the
 * header's DocType must be "webm", the one track A_OPUS audio, and every
 * block that track's. MediaRecorder leaves the segment's and the clusters'
 * sizes unknown and writes no Duration, so the duration is the sum of the
 * blocks' packets, never the Duration element. Laced blocks (several packets
 * in one block), which MediaRecorder never writes, are refused.
 */
import { AudioRefused, OPUS_RATE, opusPacketSamples, readOpusHead } from './opus-packets.js';

const ID = {
  ebml: 0x1a45dfa3,
  docType: 0x4282,
  segment: 0x18538067,
  tracks: 0x1654ae6b,
  trackEntry: 0xae,
  trackNumber: 0xd7,
  trackType: 0x83,
  codecId: 0x86,
  codecPrivate: 0x63a2,
  cluster: 0x1f43b675,
  blockGroup: 0xa0,
  block: 0xa1,
  simpleBlock: 0xa3,
} as const;

/** Elements whose children are read in place (the rest are skipped whole). */
const MASTERS = new Set<number>([ID.ebml, ID.segment, ID.tracks, ID.trackEntry, ID.cluster, ID.blockGroup]);
/** The only elements MediaRecorder writes with an unknown size. */
const MAY_BE_UNSIZED = new Set<number>([ID.segment, ID.cluster]);

interface Vint {
  value: number;
  length: number;
  /** All value bits set: an unknown size. */
  unknown: boolean;
}

/** An EBML variable-length integer at `at`; `keepMarker` for element IDs. */
function vint(bytes: Buffer, at: number, keepMarker: boolean): Vint {
  const first = bytes[at];
  if (first === undefined) throw new AudioRefused('the WebM file is cut off');
  const length = Math.clz32(first) - 23;
  if (length < 1 || length > 8 || at + length > bytes.length) throw new AudioRefused('a damaged WebM element');
  let value = keepMarker ? first : first & (0xff >> length);
  let ones = value === 0xff >> length;
  for (let i = 1; i < length; i++) {
    const b = bytes[at + i] ?? 0;
    value = value * 256 + b;
    ones &&= b === 0xff;
  }
  return { value, length, unknown: !keepMarker && ones };
}

interface Track {
  number?: number;
  type?: number;
  codec?: string;
  head?: Buffer;
}

/** Duration in ms of a WebM file of one Opus track. */
export function webmOpusDurationMs(bytes: Buffer): number {
  let docType: string | undefined;
  const tracks: Track[] = [];
  const blocks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const id = vint(bytes, at, true);
    if (at === 0 && id.value !== ID.ebml) throw new AudioRefused('not a WebM file');
    const size = vint(bytes, at + id.length, false);
    const start = at + id.length + size.length;
    if (size.unknown && !MAY_BE_UNSIZED.has(id.value)) throw new AudioRefused('a WebM element of unknown size');
    if (MASTERS.has(id.value)) {
      if (id.value === ID.trackEntry) tracks.push({});
      at = start;
      continue;
    }
    const end = start + size.value;
    if (end > bytes.length) throw new AudioRefused('the WebM file is cut off');
    const data = bytes.subarray(start, end);
    const track = tracks.at(-1);
    if (id.value === ID.docType) docType = data.toString('latin1');
    else if (track && id.value === ID.trackNumber) {
      if (data.length < 1 || data.length > 6) throw new AudioRefused('a damaged WebM track number');
      track.number = data.readUIntBE(0, data.length);
    }
    else if (track && id.value === ID.trackType) track.type = data[0];
    else if (track && id.value === ID.codecId) track.codec = data.toString('latin1');
    else if (track && id.value === ID.codecPrivate) track.head = data;
    else if (id.value === ID.simpleBlock || id.value === ID.block) blocks.push(data);
    at = end;
  }
  if (docType !== 'webm') throw new AudioRefused('not a WebM file');
  const [track, ...others] = tracks;
  if (!track || others.length > 0 || track.type !== 2 || track.codec !== 'A_OPUS') throw new AudioRefused('WebM without exactly one Opus audio track');
  const preSkip = track.head ? readOpusHead(track.head).preSkip : 0;
  let samples = 0;
  for (const block of blocks) {
    const number = vint(block, 0, false);
    const flags = block[number.length + 2];
    if (number.value !== track.number || flags === undefined) throw new AudioRefused('a WebM block of another track');
    if (flags & 0x06) throw new AudioRefused('laced WebM blocks');
    samples += opusPacketSamples(block.subarray(number.length + 3));
  }
  return Math.max(0, Math.round(((samples - preSkip) * 1000) / OPUS_RATE));
}
