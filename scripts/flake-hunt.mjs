#!/usr/bin/env node
/**
 * Hunts flakes as CI's loaded machine would show them: runs each given test
 * file `--runs` times in a row while `--load` busy loops take the cores, and
 * prints a table of passes, failures and wall times per file (also written to
 * test-results/flake-hunt.json). A file is run alone each time, by its own
 * suite: tests/e2e and tests/main files through the root vitest projects,
 * signaling-server/test files in the server package.
 *
 *   node scripts/flake-hunt.mjs tests/e2e/calls.e2e.test.ts --runs 5 --load 2
 *   node scripts/flake-hunt.mjs tests/e2e/*.e2e.test.ts --runs 5 --load 2 --stop-on-failure
 *
 * Exits 1 when any run failed. The failed runs' output is kept in
 * test-results/flake-hunt/<file>-<run>.log.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '..');
const USAGE = `usage: node scripts/flake-hunt.mjs FILE... [--runs N (5)] [--load N (2)] [--stop-on-failure]
Runs each test file N times in a row beside N busy loops, and prints a table.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '5' },
    load: { type: 'string', default: '2' },
    'stop-on-failure': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const runs = Number(values.runs);
const load = Number(values.load);
if (values.help || positionals.length === 0 || !Number.isInteger(runs) || runs < 1 || !Number.isInteger(load) || load < 0) {
  console.log(USAGE);
  process.exit(values.help ? 0 : 2);
}

/** The command that runs one file alone, in the suite it belongs to. */
function command(file) {
  const rel = path.relative(ROOT, path.resolve(file));
  if (rel.startsWith(`signaling-server${path.sep}`)) {
    return { cwd: path.join(ROOT, 'signaling-server'), args: ['vitest', 'run', path.relative('signaling-server', rel)] };
  }
  const project = rel.startsWith(`tests${path.sep}e2e`) ? 'e2e' : rel.startsWith(`tests${path.sep}main`) ? 'main' : rel.startsWith(`tests${path.sep}electron`) ? 'electron' : 'renderer';
  return { cwd: ROOT, args: ['vitest', 'run', '--project', project, rel] };
}

function runOnce(file) {
  const { cwd, args } = command(file);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn('npx', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('close', (code) => resolve({ ok: code === 0, seconds: (Date.now() - started) / 1000, output: Buffer.concat(out).toString() }));
  });
}

/** Busy loops, one per core to take: CI runs the suites beside a loaded machine. */
const loops = Array.from({ length: load }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const stopLoops = () => loops.forEach((l) => l.kill('SIGKILL'));
process.on('exit', stopLoops);
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

const logs = path.join(ROOT, 'test-results', 'flake-hunt');
mkdirSync(logs, { recursive: true });
const results = [];
let failedAny = false;
outer: for (const file of positionals) {
  const row = { file: path.relative(ROOT, path.resolve(file)), passed: 0, failed: 0, seconds: [] };
  results.push(row);
  for (let i = 1; i <= runs; i++) {
    const r = await runOnce(file);
    row.seconds.push(Number(r.seconds.toFixed(1)));
    if (r.ok) row.passed++;
    else {
      row.failed++;
      failedAny = true;
      const log = path.join(logs, `${path.basename(file)}-${i}.log`);
      writeFileSync(log, r.output);
      console.log(`${row.file}: run ${i} FAILED in ${r.seconds.toFixed(1)} s (output in ${path.relative(ROOT, log)})`);
    }
    if (r.ok) console.log(`${row.file}: run ${i} passed in ${r.seconds.toFixed(1)} s`);
    if (!r.ok && values['stop-on-failure']) break outer;
  }
}
stopLoops();

writeFileSync(path.join(ROOT, 'test-results', 'flake-hunt.json'), `${JSON.stringify({ runs, load, results }, null, 2)}\n`);
console.log(`\nFlake hunt: ${runs} run(s) per file beside ${load} busy loop(s)\n`);
console.log('| File | Passed | Failed | Slowest s | Runs (s) |\n|---|---:|---:|---:|---|');
for (const r of results) console.log(`| ${r.file} | ${r.passed} | ${r.failed} | ${Math.max(...r.seconds).toFixed(1)} | ${r.seconds.join(', ')} |`);
process.exit(failedAny ? 1 : 0);
