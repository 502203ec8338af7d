/**
 * The entry of `npm run bench:quality` (run by Vitest, which loads the e2e
 * harness's TypeScript; bench/quality/cli.mjs reads the command line).
 * Settings through the environment: BENCH_QUALITY_SECONDS (15),
 * BENCH_QUALITY_SETTLE (5), BENCH_QUALITY_UPLINK_SETTLE (20),
 * BENCH_QUALITY_ONLY (conditions, comma-separated; issue 39's by default),
 * BENCH_QUALITY_OUT (bench/results/quality.json), BENCH_QUALITY_RECORDINGS
 * (a folder: what Bob heard in each call, as WAV files).
 */
import path from 'node:path';
import { it } from 'vitest';
import { CONDITION_NAMES, type ConditionName } from '../../tests/e2e/net-conditions.js';
import { netnsAvailable } from '../../tests/e2e/netns.js';
import { fromEnv } from '../call/env.js';
import { formatQualityTable } from './report.js';
import { DEFAULT_QUALITY_OPTIONS, QUALITY_RESULT_FILE, runQualityBench, writeQualityResult } from './run.js';

function conditions(): ConditionName[] {
  const only = process.env.BENCH_QUALITY_ONLY;
  if (!only) return DEFAULT_QUALITY_OPTIONS.conditions;
  const names = only.split(',').map((s) => s.trim());
  for (const n of names) if (!(CONDITION_NAMES as string[]).includes(n)) throw new Error(`unknown condition ${n}: one of ${CONDITION_NAMES.join(', ')}`);
  return names as ConditionName[];
}

it('bench:quality', async () => {
  const probe = await netnsAvailable();
  if (!probe.ok) throw new Error(`bench:quality needs the network lab: ${probe.reason}`);
  const options = {
    seconds: Math.max(3, fromEnv('BENCH_QUALITY_SECONDS', DEFAULT_QUALITY_OPTIONS.seconds)),
    settleSeconds: fromEnv('BENCH_QUALITY_SETTLE', DEFAULT_QUALITY_OPTIONS.settleSeconds),
    uplinkSettleSeconds: fromEnv('BENCH_QUALITY_UPLINK_SETTLE', DEFAULT_QUALITY_OPTIONS.uplinkSettleSeconds),
    conditions: conditions(),
    ...(process.env.BENCH_QUALITY_RECORDINGS && { recordings: path.resolve(process.env.BENCH_QUALITY_RECORDINGS) }),
  };
  const out = path.resolve(process.env.BENCH_QUALITY_OUT ?? QUALITY_RESULT_FILE);
  const result = await runQualityBench(options, (line) => console.log(line));
  writeQualityResult(result, out);
  console.log(`\n${formatQualityTable(result)}\n\nwritten to ${path.relative(process.cwd(), out)}`);
});
