/**
 * The entry of `npm run bench:sfu` (run by Vitest, which loads the server
 * suite's TypeScript helpers). Settings through the environment:
 * BENCH_SFU_SIZES (4,6,10,16), BENCH_SFU_WINDOW_S (10), BENCH_SFU_OUT (bench/results/sfu.json).
 */
import path from 'node:path';
import { it } from 'vitest';
import { DEFAULT_SFU_OPTIONS, SFU_RESULT_FILE, formatSfuTable, runSfuBench, writeSfuResult } from './sfu.js';

it('bench:sfu', async () => {
  const sizes = process.env.BENCH_SFU_SIZES ? process.env.BENCH_SFU_SIZES.split(',').map(Number) : DEFAULT_SFU_OPTIONS.sizes;
  const windowS = process.env.BENCH_SFU_WINDOW_S ? Number(process.env.BENCH_SFU_WINDOW_S) : DEFAULT_SFU_OPTIONS.windowS;
  if (sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 64) || !(windowS > 0)) throw new Error('BENCH_SFU_SIZES: whole numbers from 2 to 64; BENCH_SFU_WINDOW_S: seconds above 0');
  const out = path.resolve(process.env.BENCH_SFU_OUT ?? SFU_RESULT_FILE);
  const result = await runSfuBench({ sizes, windowS }, (line) => console.log(line));
  writeSfuResult(result, out);
  console.log(`\n${formatSfuTable(result)}\n\nwritten to ${path.relative(process.cwd(), out)}`);
});
