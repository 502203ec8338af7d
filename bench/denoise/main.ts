/**
 * The entry of `npm run bench:denoise` (run by Vitest, which loads the e2e
 * harness's TypeScript). Settings through the environment:
 * BENCH_DENOISE_SECONDS (60), BENCH_DENOISE_SETTLE (5), BENCH_DENOISE_LEVELS
 * (comma-separated, off,browser,auto,strong), BENCH_DENOISE_MUTED (1: with Off and Strong, a call more
 * on each muted; 0: not), BENCH_DENOISE_OUT (bench/results/denoise.json).
 */
import path from 'node:path';
import { it } from 'vitest';
import { NOISE_SUPPRESSION_LEVELS, type NoiseSuppression } from '../../src/shared/preferences.js';
import { fromEnv } from '../call/env.js';
import { DEFAULT_DENOISE_OPTIONS, DENOISE_RESULT_FILE, formatDenoiseTable, runDenoiseBench, writeDenoiseResult } from './run.js';
import { missingTools } from './noisy-speech.js';

it('bench:denoise', async () => {
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`bench:denoise needs ${missing.join(' and ')} (apt-get install espeak-ng sox)`);
  const levels = (process.env.BENCH_DENOISE_LEVELS ?? '').split(',').filter((l) => l !== '');
  const unknown = levels.filter((l) => !(NOISE_SUPPRESSION_LEVELS as readonly string[]).includes(l));
  if (unknown.length > 0) throw new Error(`BENCH_DENOISE_LEVELS: ${unknown.join(', ')}: not one of ${NOISE_SUPPRESSION_LEVELS.join(', ')}`);
  const options = {
    ...DEFAULT_DENOISE_OPTIONS,
    ...(levels.length > 0 && { levels: levels as NoiseSuppression[] }),
    seconds: Math.max(1, fromEnv('BENCH_DENOISE_SECONDS', DEFAULT_DENOISE_OPTIONS.seconds)),
    settleSeconds: fromEnv('BENCH_DENOISE_SETTLE', DEFAULT_DENOISE_OPTIONS.settleSeconds),
    muted: process.env.BENCH_DENOISE_MUTED !== '0',
  };
  const out = path.resolve(process.env.BENCH_DENOISE_OUT ?? DENOISE_RESULT_FILE);
  const result = await runDenoiseBench(options, (line) => console.log(line));
  writeDenoiseResult(result, out);
  console.log(`\n${formatDenoiseTable(result)}\n\nwritten to ${path.relative(process.cwd(), out)}`);
});
