/**
 * The entry of `npm run bench:call` (run by Vitest, which loads the e2e
 * harness's TypeScript). Settings through the environment:
 * BENCH_CALL_RUNS (20), BENCH_CALL_WARMUP (1), BENCH_CALL_FIRST_CALLS (5: calls each
 * after both pages are reloaded), BENCH_CALL_RING_MS (1000),
 * BENCH_CALL_OUT (bench/results/call.json), BENCH_CALL_TRACE=1 (print what
 * each peer connection did in every call), BENCH_CALL_PROFILE=DIR (a CPU profile of both pages from each
 * measured call's Answer to its audio both ways; the profiler's cost is in that run's figures),
 * BENCH_CALL_CHROME_TRACE=DIR (a Chromium trace of the same window for each call, `first-<n>.json` and `call-<n>.json`),
 * BENCH_CALL_RECORD=ring (profile and trace the Call click to the ring painted instead).
 */
import path from 'node:path';
import { it } from 'vitest';
import { fromEnv } from './env.js';
import { formatTable } from './report.js';
import { DEFAULT_OPTIONS, RESULT_FILE, runCallBench, writeResult, type CallBenchOptions } from './run.js';

it('bench:call', async () => {
  const options: CallBenchOptions = {
    runs: Math.max(1, fromEnv('BENCH_CALL_RUNS', DEFAULT_OPTIONS.runs)),
    warmup: fromEnv('BENCH_CALL_WARMUP', DEFAULT_OPTIONS.warmup),
    firstCalls: Math.max(1, fromEnv('BENCH_CALL_FIRST_CALLS', DEFAULT_OPTIONS.firstCalls)),
    ringMs: fromEnv('BENCH_CALL_RING_MS', DEFAULT_OPTIONS.ringMs),
    trace: process.env.BENCH_CALL_TRACE === '1',
    ...(process.env.BENCH_CALL_PROFILE && { profileDir: path.resolve(process.env.BENCH_CALL_PROFILE) }),
    ...(process.env.BENCH_CALL_CHROME_TRACE && { chromeTraceDir: path.resolve(process.env.BENCH_CALL_CHROME_TRACE) }),
    ...(process.env.BENCH_CALL_RECORD === 'ring' && { record: 'ring' as const }),
  };
  const out = path.resolve(process.env.BENCH_CALL_OUT ?? RESULT_FILE);
  const result = await runCallBench(options, (line) => console.log(line));
  writeResult(result, out);
  console.log(`\n${formatTable(result)}\n\nwritten to ${path.relative(process.cwd(), out)}`);
});
