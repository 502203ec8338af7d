#!/usr/bin/env node
/**
 * `npm run bench:quality -- [options]`: reads the options (or prints --help
 * without building anything), builds the app, then runs bench/quality/main.ts
 * under Vitest, which loads the e2e harness's TypeScript. main.ts takes its
 * settings from the environment, so they can also be set there.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { benchOptions, wholeNumber } from '../cli-options.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');

const USAGE = `npm run bench:quality -- [options]

Speech through a call on bad networks, against a bare pair of
RTCPeerConnections (Chromium's defaults) in the same run. Alice's uplink gets
each condition of the lab (tests/e2e/net-conditions.ts) in turn: clean,
loss5, loss10, loss20 (random loss), burst5 (Gilbert-Elliott bursts, 5 %
average), jitter30 (50 ± 30 ms delay), uplink100 (100 kbit/s, a video call).
Also on --only: runs10 (10 % lost three in a row: the speech test's condition).
Bob's page reports WebRTC's receive statistics (concealed samples,
concealment events, jitter buffer delay) and records what it plays, scored
against the known tone sequence Alice sends (bench/quality/tone-sequence.ts).
Needs root (network namespaces, tc) and python3.

  --seconds S        the window read per call (default 15; four times it in bursts, rare events)
  --settle S         seconds on the condition before the window (default 5)
  --uplink-settle S  the same on the thin uplink (default 20)
  --only LIST        conditions, comma-separated (default the seven above)
  --recordings DIR   keep what Bob heard, one WAV per condition and call
  --out FILE         where to write the JSON (default bench/results/quality.json)
  --no-build         measure the existing build in out/ (default: npm run build first)
  -h, --help         this text

Each option sets the variable main.ts reads: BENCH_QUALITY_SECONDS, BENCH_QUALITY_SETTLE,
BENCH_QUALITY_UPLINK_SETTLE, BENCH_QUALITY_ONLY, BENCH_QUALITY_RECORDINGS, BENCH_QUALITY_OUT.
`;

const values = benchOptions(
  {
    seconds: { type: 'string' },
    settle: { type: 'string' },
    'uplink-settle': { type: 'string' },
    only: { type: 'string' },
    recordings: { type: 'string' },
    out: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
  USAGE,
);

const env = { ...process.env };
for (const [option, name] of [['seconds', 'BENCH_QUALITY_SECONDS'], ['settle', 'BENCH_QUALITY_SETTLE'], ['uplink-settle', 'BENCH_QUALITY_UPLINK_SETTLE']]) {
  const n = wholeNumber(values, option);
  if (n !== undefined) env[name] = String(n);
}
if (values.only !== undefined) env.BENCH_QUALITY_ONLY = values.only;
if (values.recordings !== undefined) env.BENCH_QUALITY_RECORDINGS = path.resolve(values.recordings);
if (values.out !== undefined) env.BENCH_QUALITY_OUT = path.resolve(values.out);

function run(args) {
  const { status } = spawnSync('npx', args, { cwd: ROOT, env, stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}

if (!values['no-build']) run(['--no-install', 'npm', 'run', 'build']);
run(['vitest', 'run', '--config', 'bench/call/vitest.config.ts', 'bench/quality/main.ts']);
