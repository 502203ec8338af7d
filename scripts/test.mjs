#!/usr/bin/env node
/**
 * `npm test`: every check and suite, with what each costs. Steps run in
 * stages; the steps of one stage run side by side (a server run beside the
 * type checks, the app's unit tests and lint, and the browser files that are
 * light on the CPU beside the other server run), and the media-heavy browser
 * files run alone, last. A slot of a
 * stage may be steps in turn (the app's unit tests, then lint, beside the
 * SQLite run). Each step's output is printed whole when it ends, so parallel
 * steps do not interleave.
 *
 * Writes test-results/durations.json (each step's wall time, and each browser
 * test file's) for .ci/summarize.mjs's table. Exits non-zero when any step
 * failed; a failed stage does not stop the later ones, so one failure does
 * not hide the others.
 *
 *   node scripts/test.mjs               everything
 *   node scripts/test.mjs --only browser  the steps whose names begin so (comma-separated; see STAGES)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'test-results');

/**
 * Browser files light enough to share the cores with the server's PostgreSQL +
 * Redis run: audio between at most three pages, or the UI alone. None has a
 * camera, the SFU, network namespaces or a benchmark's figures. A browser
 * suite alone leaves about a third of two cores idle (waiting on the network
 * and on polls); these fill it. A new file runs with the heavy ones unless it
 * is listed here. multi-node-room is not: a room of three on its own Chromium,
 * two nodes and nginx once missed a connection within 15 s beside the server run;
 * nor are call-setup (calls connected while they ring) and transfer (three
 * people): beside it, on Chromium 156, they kept the server run's child servers
 * from starting within 10 s (the limit is 30 s now). lost-click (twenty fresh
 * sign-ins of two pages, none answered) runs here without harm, but it is no
 * saving: it took 134 s off the heavy stage and the server run grew by about
 * as much beside it (CI, two cores). push-to-talk (two pages, audio) mostly
 * waits: a quiet spell past the media timeout.
 */
const LIGHT_BROWSER_FILES = [
  'calls', 'chat', 'cached-contacts', 'desktop-bridge', 'devices-presence', 'group-restart', 'long-list', 'lost-click',
  'media-timeout', 'multi-node', 'push-to-talk', 'room-owner', 'test-call', 'turn',
].map((name) => `tests/e2e/${name}.e2e.test.ts`);

const vitest = (...args) => ['exec', '--', 'vitest', 'run', ...args];

/** npm commands, by stage; an array in a stage is steps run one after the other, beside the stage's others. */
const STAGES = [
  // The server's types (dist/) first: lint, the type checks and the app read them, so nothing rewrites them while they run.
  [{ name: 'build (server)', script: ['run', 'build', '-w', 'signaling-server'] }],
  [{ name: 'build (app)', script: ['exec', '--', 'electron-vite', 'build'] }],
  // Each server run keeps two test files going at once with their child servers: one server run at a
  // time. The SQLite run (about 300 s under CI) has the type checks, the app's unit tests and then lint
  // beside it (about 90, 150 and 100 s: each alone in a stage would add that much to the run).
  // Both server runs at once loaded two cores past what the tests' start-up timeouts allow.
  [
    // --ignore-scripts: the build stage has built the server; its pretest would build it again.
    { name: 'server (SQLite)', script: ['run', 'test', '-w', 'signaling-server', '--ignore-scripts'] },
    [
      { name: 'typecheck', script: ['run', 'typecheck'] },
      { name: 'app (main, renderer)', script: ['run', 'test:app'] },
      { name: 'lint', script: ['run', 'lint'] },
    ],
  ],
  [
    { name: 'server (PostgreSQL + Redis)', script: ['run', 'test:shared', '-w', 'signaling-server', '--ignore-scripts'] },
    { name: 'browser (light files)', script: vitest('--project', 'e2e', ...LIGHT_BROWSER_FILES, '--outputFile.json=test-results/e2e-light.json') },
  ],
  [
    {
      name: 'browser (e2e, electron)',
      script: vitest('--project', 'e2e', '--project', 'electron', ...LIGHT_BROWSER_FILES.flatMap((f) => ['--exclude', f]), '--outputFile.json=test-results/e2e.json'),
    },
  ],
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

/** Lines of a failed step's output kept for the summary: enough for an error and where it was thrown. */
const WHY_LINES = 30;
// eslint-disable-next-line no-control-regex -- colour codes in the tools' output
const plain = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * Why a step failed, for the end of the CI log (often all of it that is read): vitest's
 * "Unhandled Errors" section when it printed one (such an error fails a run whose every
 * test passed), else the output's last lines (a type error, a lint finding, a crash).
 */
function whyFailed(output) {
  const lines = plain(output).split('\n');
  const start = lines.findIndex((l) => /Unhandled (Errors?|Rejection)/.test(l));
  const picked = start >= 0 ? lines.slice(start, start + WHY_LINES) : lines.filter((l) => l.trim() !== '').slice(-WHY_LINES);
  return picked.join('\n');
}

/** Each browser test file's wall time, from the vitest JSON reports of the browser runs. */
function browserFiles() {
  return ['e2e-light.json', 'e2e.json'].flatMap((name) => {
    try {
      const report = JSON.parse(readFileSync(path.join(RESULTS, name), 'utf8'));
      return (report.testResults ?? []).map((r) => ({
        file: path.relative(ROOT, r.name),
        seconds: Math.max(0, (r.endTime - r.startTime) / 1000),
        ok: r.status !== 'failed',
        tests: (r.assertionResults ?? []).length,
      }));
    } catch {
      return [];
    }
  });
}

const only = parseOnly(process.argv.slice(2));
mkdirSync(RESULTS, { recursive: true });
const began = Date.now();
const steps = [];
const picked = (s) => !only || only.has(s.name) || [...only].some((o) => s.name.startsWith(o));
/** Runs the chosen steps of one slot in turn, each printed whole when it ends. */
async function runInTurn(slot) {
  const results = [];
  for (const s of slot) {
    const r = await run(s);
    process.stdout.write(`\n──── ${r.name}: ${r.ok ? 'passed' : `FAILED (${r.code})`} in ${r.seconds.toFixed(1)} s ────\n${r.output}`);
    results.push(r);
  }
  return results;
}
for (const stage of STAGES) {
  const slots = stage.map((slot) => (Array.isArray(slot) ? slot : [slot]).filter(picked)).filter((slot) => slot.length > 0);
  if (slots.length === 0) continue;
  process.stdout.write(`\n▶ ${slots.map((slot) => slot.map((s) => s.name).join(' → ')).join(' | ')}\n`);
  const done = (await Promise.all(slots.map(runInTurn))).flat();
  steps.push(...done.map(({ output, ...r }) => (r.ok ? r : { ...r, why: whyFailed(output) })));
}
const total = (Date.now() - began) / 1000;
writeFileSync(path.join(RESULTS, 'durations.json'), `${JSON.stringify({ totalSeconds: total, steps, browserFiles: browserFiles() }, null, 2)}\n`);
process.exit(steps.every((s) => s.ok) ? 0 : 1);
