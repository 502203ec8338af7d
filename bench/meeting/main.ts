/**
 * The entry of `npm run bench:meeting` (run by Vitest, which loads the e2e
 * harness's and the server suite's TypeScript). Settings through the
 * environment: BENCH_MEETING_SIZES (4,6,10), BENCH_MEETING_SECONDS (60),
 * BENCH_MEETING_SETTLE (10), BENCH_MEETING_OUT (bench/results/meeting.json).
 */
import path from 'node:path';
import { it } from 'vitest';
import { fromEnv } from '../call/env.js';
import { DEFAULT_MEETING_OPTIONS, MEETING_RESULT_FILE, formatMeetingTable, runMeetingBench, writeMeetingResult } from './run.js';

it('bench:meeting', async () => {
  const sizes = process.env.BENCH_MEETING_SIZES ? process.env.BENCH_MEETING_SIZES.split(',').map(Number) : DEFAULT_MEETING_OPTIONS.sizes;
  if (sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 64)) throw new Error('BENCH_MEETING_SIZES: whole numbers from 2 to 64');
  const options = {
    sizes,
    seconds: Math.max(1, fromEnv('BENCH_MEETING_SECONDS', DEFAULT_MEETING_OPTIONS.seconds)),
    settleSeconds: fromEnv('BENCH_MEETING_SETTLE', DEFAULT_MEETING_OPTIONS.settleSeconds),
  };
  const out = path.resolve(process.env.BENCH_MEETING_OUT ?? MEETING_RESULT_FILE);
  const result = await runMeetingBench(options, (line) => console.log(line));
  writeMeetingResult(result, out);
  console.log(`\n${formatMeetingTable(result)}\n\nwritten to ${path.relative(process.cwd(), out)}`);
});
