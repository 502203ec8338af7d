/**
 * The entry of `npm run bench:client` (run by Vitest, which loads the e2e
 * harness's TypeScript). Settings through the environment:
 * BENCH_CLIENT_SECONDS (60), BENCH_CLIENT_SETTLE (10), BENCH_CLIENT_CONTACTS (50),
 * BENCH_CLIENT_ONLY (situations, comma-separated: idle,audioCall,audioCallStrong,videoCall,videoRoom4),
 * BENCH_CLIENT_OUT (bench/results/client.json), BENCH_CLIENT_THREADS=1 (each reading's CPU by
 * process type and thread name, in the result file), BENCH_CLIENT_PROFILE=DIR (a CPU profile of each of
 * the app's pages over the window, page-profiles.ts), BENCH_CLIENT_TRACE=DIR (a DevTools trace of the
 * app's browser over the window, page-traces.ts).
 */
import path from 'node:path';
import { it } from 'vitest';
import { fromEnv } from '../call/env.js';
import { CLIENT_RESULT_FILE, DEFAULT_CLIENT_OPTIONS, SITUATIONS, formatClientTable, runClientBench, writeClientResult, type Situation } from './run.js';

function situations(raw: string | undefined): Situation[] {
  const names = (raw ?? '').split(',').filter((s) => s !== '');
  const unknown = names.filter((n) => !(SITUATIONS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`BENCH_CLIENT_ONLY: ${unknown.join(', ')}: not one of ${SITUATIONS.join(', ')}`);
  return names as Situation[];
}

it('bench:client', async () => {
  const options = {
    seconds: Math.max(1, fromEnv('BENCH_CLIENT_SECONDS', DEFAULT_CLIENT_OPTIONS.seconds)),
    settleSeconds: fromEnv('BENCH_CLIENT_SETTLE', DEFAULT_CLIENT_OPTIONS.settleSeconds),
    contacts: fromEnv('BENCH_CLIENT_CONTACTS', DEFAULT_CLIENT_OPTIONS.contacts),
    only: situations(process.env.BENCH_CLIENT_ONLY),
    threads: process.env.BENCH_CLIENT_THREADS === '1',
    ...(process.env.BENCH_CLIENT_PROFILE && { profileDir: path.resolve(process.env.BENCH_CLIENT_PROFILE) }),
    ...(process.env.BENCH_CLIENT_TRACE && { traceDir: path.resolve(process.env.BENCH_CLIENT_TRACE) }),
  };
  const out = path.resolve(process.env.BENCH_CLIENT_OUT ?? CLIENT_RESULT_FILE);
  const result = await runClientBench(options, (line) => console.log(line));
  writeClientResult(result, out);
  console.log(`\n${formatClientTable(result)}\n\nwritten to ${path.relative(process.cwd(), out)}`);
});
