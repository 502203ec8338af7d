#!/usr/bin/env node
/**
 * `npm test`: every check and suite, with what each costs. Steps run in
 * stages; the steps of one stage run side by side (two cores take lint beside
 * the type checks, and a server run beside the app's unit tests), and the
 * browser suite runs alone, last. Each step's output is printed whole
 * when it ends, so parallel steps do not interleave.
 *
 * Writes test-results/durations.json (each step's wall time, and each browser
 * test file's) for .ci/summarize.mjs's table. Exits non-zero when any step
 * failed; a failed stage does not stop the later ones, so one failure does
 * not hide the others.
 *
 *   node scripts/test.mjs               everything
 *   node scripts/test.mjs --only e2e    the named steps only (comma-separated; see STAGES)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'test-results');

/** npm scripts, by stage. */
const STAGES = [
  [
    { name: 'lint', script: ['run', 'lint'] },
    { name: 'typecheck', script: ['run', 'typecheck'] },
  ],
  [{ name: 'build', script: ['run', 'build'] }],
  // Each server run keeps two test files going at once with their child servers: one server run at a
  // time, beside the app's unit tests. Both server runs at once loaded two cores past what the tests'
  // start-up timeouts allow.
  [
    // --ignore-scripts: the build stage has built the server; its pretest would build it again.
    { name: 'server (SQLite)', script: ['run', 'test', '-w', 'signaling-server', '--ignore-scripts'] },
    { name: 'app (main, renderer)', script: ['run', 'test:app'] },
  ],
  [{ name: 'server (PostgreSQL + Redis)', script: ['run', 'test:shared', '-w', 'signaling-server', '--ignore-scripts'] }],
  [{ name: 'browser (e2e, electron)', script: ['run', 'test:e2e'] }],
];

function parseOnly(argv) {
  const i = argv.indexOf('--only');
  if (i < 0) return undefined;
  return new Set((argv[i + 1] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
}

/** Runs one npm script, its output kept until it ends. */
function run(step) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn('npm', step.script, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    const out = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => out.push(b));
    child.on('close', (code, signal) => {
      const seconds = (Date.now() - started) / 1000;
      resolve({ name: step.name, seconds, ok: code === 0, code: code ?? signal, output: Buffer.concat(out).toString() });
    });
  });
}

/** Each browser test file's wall time, from the vitest JSON report of the browser run. */
function browserFiles() {
  try {
    const report = JSON.parse(readFileSync(path.join(RESULTS, 'e2e.json'), 'utf8'));
    return (report.testResults ?? []).map((r) => ({
      file: path.relative(ROOT, r.name),
      seconds: Math.max(0, (r.endTime - r.startTime) / 1000),
      ok: r.status !== 'failed',
      tests: (r.assertionResults ?? []).length,
    }));
  } catch {
    return [];
  }
}

const only = parseOnly(process.argv.slice(2));
mkdirSync(RESULTS, { recursive: true });
const began = Date.now();
const steps = [];
for (const stage of STAGES) {
  const chosen = stage.filter((s) => !only || only.has(s.name) || [...only].some((o) => s.name.startsWith(o)));
  if (chosen.length === 0) continue;
  process.stdout.write(`\n▶ ${chosen.map((s) => s.name).join(' | ')}\n`);
  const done = await Promise.all(
    chosen.map((s) =>
      run(s).then((r) => {
        process.stdout.write(`\n──── ${r.name}: ${r.ok ? 'passed' : `FAILED (${r.code})`} in ${r.seconds.toFixed(1)} s ────\n${r.output}`);
        return r;
      }),
    ),
  );
  steps.push(...done.map(({ output: _output, ...r }) => r));
}
const total = (Date.now() - began) / 1000;
writeFileSync(path.join(RESULTS, 'durations.json'), `${JSON.stringify({ totalSeconds: total, steps, browserFiles: browserFiles() }, null, 2)}\n`);
process.exit(steps.every((s) => s.ok) ? 0 : 1);
