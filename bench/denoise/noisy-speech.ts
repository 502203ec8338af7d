/**
 * The fake microphone of the noise suppression measurements: a voice (from
 * espeak-ng) in a room with a steady noise (pink noise from sox, a fan or an
 * air vent; or, for the CPU benchmarks, a quiet room's), 48 kHz mono, as a loop that Chromium plays over and over
 * (`--use-file-for-fake-audio-capture`). The voice talks for the first part
 * of each loop and is quiet for the rest, so that most of the loop is noise
 * alone: the quietest stretches the peer receives are the noise floor, the
 * loudest ones the voice.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';

export const LOOP_SECONDS = 10;
export const SAMPLE_RATE = 48_000;
/** The noise's level, RMS dBFS: a fan in a quiet office, about 10 dB under the voice. */
export const NOISE_RMS_DB = -33;
/** A quiet room's, as a good headset's microphone hears it: the room of the CPU benchmarks' calls. */
export const QUIET_ROOM_RMS_DB = -63;
export const SPEECH = 'Hello Bob, can you hear me? The fan in here is loud today.';

/** The tools that make the file, when one is not installed (CI installs both: .ci/run). */
export function missingTools(): string[] {
  return ['espeak-ng', 'sox'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

function run(command: string, args: string[]): void {
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** The RMS level of a sound file (or of its `from`..`to` seconds) in dBFS, as sox measures it. */
export function rmsDb(file: string, from = 0, to?: number): number {
  const trim = to === undefined ? [] : ['trim', String(from), `=${to}`];
  const { stderr } = spawnSync('sox', [file, '-n', ...trim, 'stats'], { encoding: 'utf8' });
  const match = /^RMS lev dB\s+(-?[\d.]+)/m.exec(stderr);
  if (!match) throw new Error(`sox stats gave no RMS level for ${file}: ${stderr}`);
  return Number(match[1]);
}

/** Writes the loop into `dir` and returns its path and how long the voice talks in it; `noiseDb`: the room's level. */
export function writeNoisySpeechWav(dir: string, noiseDb = NOISE_RMS_DB): { file: string; speechSeconds: number } {
  const name = noiseDb === NOISE_RMS_DB ? 'noisy-speech' : `speech-in-${-noiseDb}db`;
  const speech = path.join(dir, 'speech.wav');
  const speech48 = path.join(dir, 'speech-48k.wav');
  const noise = path.join(dir, `${name}-noise.wav`);
  const file = path.join(dir, `${name}.wav`);
  run('espeak-ng', ['-v', 'en-us', '-s', '160', '-w', speech, SPEECH]);
  const speechSeconds = Number(execFileSync('soxi', ['-D', speech], { encoding: 'utf8' }).trim());
  if (!(speechSeconds > 1 && speechSeconds < LOOP_SECONDS / 2)) throw new Error(`the voice lasts ${speechSeconds} s: it must leave most of the loop to the noise`);
  // 48 kHz mono 16-bit, peaks at -3 dBFS, then silence to the loop's end.
  run('sox', [speech, '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', speech48, 'norm', '-3', 'pad', '0', String(LOOP_SECONDS), 'trim', '0', String(LOOP_SECONDS)]);
  // sox's pink noise at vol 1 is about -13 dBFS RMS.
  const vol = 10 ** ((noiseDb + 13) / 20);
  run('sox', ['-n', '-r', String(SAMPLE_RATE), '-c', '1', '-b', '16', noise, 'synth', String(LOOP_SECONDS), 'pinknoise', 'vol', vol.toFixed(4)]);
  run('sox', ['-m', '-v', '1', speech48, '-v', '1', noise, file]);
  return { file, speechSeconds };
}
