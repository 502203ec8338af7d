/**
 * The codec's own floor, offline: the tone sequence through Opus alone (opus-tools'
 * `opusenc` at Chromium's 32 kbit/s in 20 ms frames, `opusdec` dropping packets at
 * random), scored like a call (tone-sequence.ts). opusdec hides a lost packet with
 * Opus's own concealment only (it does not decode FEC), so this is what Opus does
 * with no redundancy and no network: a call that scores above it at the same loss
 * rebuilt speech the codec alone could not. opusdec's losses come from the C
 * library's rand() unseeded, the same every run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { scoreToneSequence, writeToneSequenceWav } from './tone-sequence.js';

export interface OpusFloor {
  /** Random loss, percent → segments intact, percent. */
  intactPct: Record<string, number>;
  command: string;
}

/** A 16-bit mono WAV's samples (-1..1). */
function readWav(file: string): Float32Array {
  const b = readFileSync(file);
  const data = b.indexOf('data') + 8;
  const out = new Float32Array((b.length - data) >> 1);
  for (let i = 0; i < out.length; i++) out[i] = b.readInt16LE(data + 2 * i) / 32768;
  return out;
}

/** The floor at each loss, or null (saying why) without opus-tools. */
export function opusFloor(losses: number[], log: (line: string) => void = () => undefined): OpusFloor | null {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-opus-floor-'));
  try {
    const loop = path.join(dir, 'loop.wav');
    const wav = path.join(dir, 'sequence.wav');
    writeToneSequenceWav(loop);
    // Three loops: 15 s, as long as a call's window.
    execFileSync('sox', [loop, wav, 'repeat', '2']);
    const opus = path.join(dir, 'sequence.opus');
    const encode = ['--quiet', '--bitrate', '32', '--framesize', '20', wav, opus];
    execFileSync('opusenc', encode);
    const intactPct: Record<string, number> = {};
    for (const loss of losses) {
      const out = path.join(dir, `loss${loss}.wav`);
      execFileSync('opusdec', ['--quiet', '--rate', '48000', '--packet-loss', String(loss), opus, out]);
      intactPct[String(loss)] = Math.round(100 * scoreToneSequence(readWav(out)).intactPct) / 100;
    }
    return { intactPct, command: `opusenc ${encode.slice(0, 5).join(' ')}; opusdec --rate 48000 --packet-loss N` };
  } catch (err) {
    log(`no offline Opus floor: ${err instanceof Error ? err.message : String(err)} (needs sox and opus-tools)`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
