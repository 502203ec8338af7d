/**
 * A real, decodable Opus tone for SFU participants made of werift: sox makes
 * a sine WAV, opus-tools' opusenc encodes it (20 ms frames, mono), and
 * werift's Ogg parser reads the file's pages, whose lacing values give back
 * the Opus packets (the first two, OpusHead and OpusTags, are headers).
 * With them goes the tone's level in -dBov, measured on the WAV's samples,
 * which a sender puts in each packet's audio level header (RFC 6464) as a
 * browser does: the app's speaking rings read that header, not the audio.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OggParser, type Page } from 'werift/nonstandard';

/**
 * The Opus packets of the pages, in order: a packet is the lacing segments up
 * to the first one shorter than 255 bytes, and may continue on the next page.
 */
export function opusPackets(pages: Page[]): Buffer[] {
  const packets: Buffer[] = [];
  let pending: Buffer[] = [];
  for (const page of pages) {
    for (const [i, segment] of page.segments.entries()) {
      pending.push(segment);
      if ((page.segmentTable[i] ?? 0) < 255) {
        packets.push(Buffer.concat(pending));
        pending = [];
      }
    }
  }
  const [head, tags, ...audio] = packets;
  if (!head?.subarray(0, 8).equals(Buffer.from('OpusHead')) || !tags?.subarray(0, 8).equals(Buffer.from('OpusTags'))) {
    throw new Error('not an Ogg Opus stream: OpusHead and OpusTags missing');
  }
  return audio;
}

export interface OpusTone {
  /** One packet per 20 ms. */
  packets: Buffer[];
  /** The RMS level of the tone, -dBov (0 is full scale, 127 silence), as RFC 6464 carries it. */
  dBov: number;
}

/** The RMS level of a 16-bit mono WAV's samples in -dBov (its "data" chunk found by name, whatever header sox wrote). */
export function wavLevel(wav: Buffer): number {
  const at = wav.indexOf('data', 12, 'latin1');
  if (at < 0) throw new Error('no data chunk in the WAV');
  const data = wav.subarray(at + 8, at + 8 + wav.readUInt32LE(at + 4));
  let sum = 0;
  for (let i = 0; i + 1 < data.length; i += 2) sum += (data.readInt16LE(i) / 32768) ** 2;
  const rms = Math.sqrt(sum / Math.max(1, data.length / 2));
  return Math.min(127, Math.max(0, Math.round(-20 * Math.log10(Math.max(rms, 1e-7)))));
}

/**
 * Encodes `seconds` of a sine at `hz` (half scale) in `dir` and returns its
 * Opus packets, one per 20 ms, and its level. A whole number of cycles fits in the file
 * when `hz * seconds` is whole, so sent in a loop it stays one clean tone.
 */
export function opusTone(dir: string, hz: number, seconds = 2): OpusTone {
  const wav = path.join(dir, `tone-${hz}.wav`);
  const ogg = path.join(dir, `tone-${hz}.opus`);
  execFileSync('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', wav, 'synth', String(seconds), 'sine', String(hz), 'vol', '0.5']);
  execFileSync('opusenc', ['--quiet', '--bitrate', '32', '--framesize', '20', wav, ogg]);
  const parser = new OggParser().read(readFileSync(ogg));
  return { packets: opusPackets(parser.pages), dBov: wavLevel(readFileSync(wav)) };
}
