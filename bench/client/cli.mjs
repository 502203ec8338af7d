#!/usr/bin/env node
/**
 * `npm run bench:client -- [options]`: reads the options (or prints --help
 * without building anything), builds the app, then runs bench/client/main.ts
 * under Vitest, which loads the e2e harness's TypeScript. main.ts takes its
 * settings from the environment, so they can also be set there.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { benchOptions, wholeNumber } from '../cli-options.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

const USAGE = `npm run bench:client -- [options]

What the app costs a user, against a bare page or call in the same run: CPU
(percent of one core, every Chromium process) and memory, in each situation.

  --seconds S     length of each measuring window (default 60)
  --settle S      seconds each situation runs before its window opens (default 10)
  --contacts N    contacts in the signed-in user's list (default 50)
  --only LIST     situations, comma-separated: idle,audioCall,audioCallStrong,
                  videoCall,videoRoom4 (default all)
  --threads       also record each reading's CPU by process type and thread name
  --profile DIR   also write a CPU profile of each of the app's pages over the window
                  (DIR/<situation>-<user>.cpuprofile; the profiler's cost is in that run's figures)
  --trace DIR     also write a DevTools trace of the app's browser over the window (DIR/<situation>.json;
                  node bench/client/trace-summary.mjs FILE prints each page's main thread by event)
  --out FILE      where to write the JSON (default bench/results/client.json)
  --no-build      measure the existing build in out/ (default: npm run build first)
  -h, --help      this text

Each option sets the variable main.ts reads: BENCH_CLIENT_SECONDS, BENCH_CLIENT_SETTLE,
BENCH_CLIENT_CONTACTS, BENCH_CLIENT_ONLY, BENCH_CLIENT_THREADS=1, BENCH_CLIENT_PROFILE, BENCH_CLIENT_TRACE,
BENCH_CLIENT_OUT.
`;

const values = benchOptions(
  {
    seconds: { type: 'string' },
    settle: { type: 'string' },
    contacts: { type: 'string' },
    only: { type: 'string' },
    threads: { type: 'boolean', default: false },
    profile: { type: 'string' },
    trace: { type: 'string' },
    out: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
  USAGE,
);

const env = { ...process.env };
for (const [option, name] of [['seconds', 'BENCH_CLIENT_SECONDS'], ['settle', 'BENCH_CLIENT_SETTLE'], ['contacts', 'BENCH_CLIENT_CONTACTS']]) {
  const n = wholeNumber(values, option);
  if (n !== undefined) env[name] = String(n);
}
if (values.only !== undefined) env.BENCH_CLIENT_ONLY = values.only;
if (values.threads) env.BENCH_CLIENT_THREADS = '1';
if (values.profile !== undefined) env.BENCH_CLIENT_PROFILE = path.resolve(values.profile);
if (values.trace !== undefined) env.BENCH_CLIENT_TRACE = path.resolve(values.trace);
if (values.out !== undefined) env.BENCH_CLIENT_OUT = path.resolve(values.out);

function run(args) {
  const { status } = spawnSync('npx', args, { cwd: ROOT, env, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

if (!values['no-build']) run(['--no-install', 'npm', 'run', 'build']);
run(['vitest', 'run', '--config', 'bench/call/vitest.config.ts', 'bench/client/main.ts']);
