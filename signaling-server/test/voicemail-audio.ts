/**
 * Real Opus recordings for the voicemail tests, made at test time: sox makes
 * a sine WAV and opus-tools' opusenc encodes it as Ogg Opus; webmOf() puts
 * the same Opus packets (read with werift's Ogg parser, not the server's) in
 * WebM laid out as a browser's MediaRecorder writes it: a segment and a
 * cluster of unknown size, one A_OPUS track, one SimpleBlock per packet.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OggParser } from 'werift/nonstandard';
import { opusPackets } from './opus-tone.js';

const made = new Map<string, Buffer>();

/** `seconds` of a sine at `hz` as Ogg Opus (made once per file and kept). */
export function oggTone(hz: number, seconds: number): Buffer {
  const key = `${hz}:${seconds}`;
  const cached = made.get(key);
  if (cached) return cached;
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-voicemail-'));
  try {
    const wav = path.join(dir, 'tone.wav');
    const ogg = path.join(dir, 'tone.opus');
    execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', wav, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
    execFileSync('opusenc', ['--quiet', '--bitrate', '24', '--framesize', '20', wav, ogg]);
    const bytes = readFileSync(ogg);
    made.set(key, bytes);
    return bytes;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An EBML element: its id's bytes, its size (or unknown), its data. */
function element(id: number[], data: Buffer | null): Buffer {
  if (data === null) return Buffer.from([...id, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(data.length) | (1n << 56n));
  return Buffer.concat([Buffer.from(id), size, data]);
}
const uint = (id: number[], n: number) => element(id, Buffer.from([n]));

/**
 * The Opus packets of an Ogg Opus file in WebM. `declaredS`: a Duration
 * element claiming this many seconds (MediaRecorder writes none): a server
 * must not believe it.
 */
export function webmOf(ogg: Buffer, declaredS?: number): Buffer {
  const pages = new OggParser().read(ogg).pages;
  const packets = opusPackets(pages);
  const head = Buffer.from(ogg.subarray(ogg.indexOf('OpusHead'), ogg.indexOf('OpusHead') + 19));
  const header = element([0x1a, 0x45, 0xdf, 0xa3], Buffer.concat([element([0x42, 0x82], Buffer.from('webm'))]));
  const info = declaredS === undefined ? [] : [element([0x15, 0x49, 0xa9, 0x66], element([0x44, 0x89], (() => { const b = Buffer.alloc(8); b.writeDoubleBE(declaredS * 1000); return b; })()))];
  const track = element([0xae], Buffer.concat([uint([0xd7], 1), uint([0x83], 2), element([0x86], Buffer.from('A_OPUS')), element([0x63, 0xa2], head)]));
  const blocks = packets.map((p, i) => {
    const time = Buffer.alloc(2);
    time.writeInt16BE((i % 1500) * 20);
    return element([0xa3], Buffer.concat([Buffer.from([0x81]), time, Buffer.from([0x80]), p]));
  });
  // A cluster's block times are 16-bit ms: one cluster per 30 s, as a recorder starts new ones.
  const clusters: Buffer[] = [];
  for (let i = 0; i < blocks.length; i += 1500) {
    const at = Buffer.alloc(4);
    at.writeUInt32BE(i * 20);
    clusters.push(element([0x1f, 0x43, 0xb6, 0x75], null), element([0xe7], at), ...blocks.slice(i, i + 1500));
  }
  return Buffer.concat([header, element([0x18, 0x53, 0x80, 0x67], null), ...info, element([0x16, 0x54, 0xae, 0x6b], track), ...clusters]);
}
