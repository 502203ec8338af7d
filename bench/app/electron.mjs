#!/usr/bin/env node
/**
 * The desktop app's own weight, where an Electron binary runs:
 * `npm run bench:electron` (builds first), or `node bench/app/electron.mjs
 * [--runs N] [--contacts N] [--out FILE]` on an existing build.
 *
 * Against a real parley-server (temp data dir, a team of 500 contacts):
 * 1. sign in once through the window, as a person would (the session is
 *    remembered, encrypted with safeStorage where the OS offers it);
 * 2. N launches of the built app (out/) as a user starts it: the Electron
 *    binary spawned directly, timed from the spawn to
 *    - `trayMs`: the main process logs `started`, which it does right after
 *      it has created the tray and asked for the window (src/main/index.ts);
 *    - `contactsMs`: the window shows the first contact's Call button,
 *      enabled (read over the DevTools protocol, polled every frame);
 * 3. the memory of every process (app.getAppMetrics(): browser, renderers,
 *    GPU, utilities) after 10 s idle, signed in with the contacts listed.
 *
 * Where the Electron binary is not installed (it downloads from GitHub on
 * first use) it prints "skipped: no Electron binary" and exits 0. Writes
 * bench/results/electron.json and prints a table.
 */
/* global document -- in the function run in the window */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { _electron, chromium } from 'playwright-core';
import { electronBinary } from '../../scripts/electron-binary.mjs';
import { BENCH_USER, seedTeam } from './team.mjs';

const ROOT = path.resolve(import.meta.dirname, '../..');
const CALL_BUTTON = 'button[aria-label^="Call "]';

const { values: opts } = parseArgs({ options: { runs: { type: 'string' }, contacts: { type: 'string' }, out: { type: 'string' } } });
const RUNS = Number(opts.runs ?? 5);
const CONTACTS = Number(opts.contacts ?? 500);
const OUT = path.resolve(opts.out ?? path.join(ROOT, 'bench/results/electron.json'));

const binary = electronBinary();
if (!binary) {
  console.log('bench:electron skipped: no Electron binary (Electron downloads it from GitHub on first use; `npx install-electron` where GitHub is reachable). Nothing measured.');
  process.exit(0);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const summary = (xs) => ({ p50: Math.round(median(xs)), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) });

/** The server package's build (npm run build): the server as it ships. */
async function startParleyServer(dir) {
  const { loadConfig } = await import('../../signaling-server/dist/config.js');
  const { createLogger } = await import('../../signaling-server/dist/logger.js');
  const { startServer } = await import('../../signaling-server/dist/server.js');
  return startServer(loadConfig({}, {}, { port: 0, dataDir: path.join(dir, 'server'), logLevel: 'silent' }), { logger: createLogger('silent') });
}

const appArgs = (profile) => [ROOT, `--user-data-dir=${profile}`, '--no-sandbox'];

/** First run: sign in through the window so later launches open signed in. */
async function signInOnce(serverUrl, profile) {
  const app = await _electron.launch({ executablePath: binary, args: appArgs(profile), env: { ...process.env, PARLEY_LOG_LEVEL: 'warn' } });
  try {
    const window = await app.firstWindow();
    await window.getByLabel('Server').fill(serverUrl);
    await window.getByLabel('Username').fill(BENCH_USER.username);
    await window.getByLabel('Password').fill(BENCH_USER.password);
    await window.getByRole('button', { name: 'Sign in' }).click();
    await window.locator(CALL_BUTTON).first().waitFor({ timeout: 30_000 });
  } finally {
    await app.close();
  }
}

/** One launch as a user starts the app: spawn to tray, and to a usable contact list. */
async function launchOnce(profile) {
  const t0 = performance.now();
  const child = spawn(binary, [...appArgs(profile), '--remote-debugging-port=0'], {
    env: { ...process.env, PARLEY_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    const tray = new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
        if (/\[main\] started/.test(out)) resolve(performance.now() - t0);
      });
      child.once('exit', (code) => reject(new Error(`Electron exited (${code}) before it logged "started"`)));
    });
    const devtools = new Promise((resolve, reject) => {
      let err = '';
      child.stderr.on('data', (chunk) => {
        err += chunk;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(`Electron exited before DevTools listened: ${err.slice(-500)}`)));
    });
    const browser = await chromium.connectOverCDP(await devtools);
    let contactsMs;
    try {
      const page = await waitForMainWindow(browser);
      await page.waitForFunction(
        (selector) => {
          const b = document.querySelector(selector);
          return b !== null && !b.disabled && b.checkVisibility();
        },
        CALL_BUTTON,
        { polling: 'raf', timeout: 30_000 },
      );
      contactsMs = performance.now() - t0;
    } finally {
      await browser.close().catch(() => undefined);
    }
    return { trayMs: await tray, contactsMs };
  } finally {
    child.kill('SIGTERM');
    const killed = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killed);
  }
}

async function waitForMainWindow(browser) {
  for (let i = 0; i < 300; i++) {
    for (const context of browser.contexts())
      for (const page of context.pages()) if (page.url().startsWith('app://') && !page.url().includes('#incoming')) return page;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the main window never opened');
}

/** Every process's memory after 10 s idle, signed in with the contacts listed. */
async function idleMemory(profile) {
  const app = await _electron.launch({ executablePath: binary, args: appArgs(profile), env: { ...process.env, PARLEY_LOG_LEVEL: 'warn' } });
  try {
    const window = await app.firstWindow();
    await window.locator(CALL_BUTTON).first().waitFor({ timeout: 30_000 });
    await window.waitForTimeout(10_000);
    const metrics = await app.evaluate(({ app: electronApp }) => electronApp.getAppMetrics());
    // workingSetSize is in KB.
    const processes = metrics.map((m) => ({ type: m.type, workingSetBytes: m.memory.workingSetSize * 1024, privateBytes: m.memory.privateBytes === undefined ? null : m.memory.privateBytes * 1024 }));
    return { totalWorkingSetBytes: processes.reduce((s, p) => s + p.workingSetBytes, 0), processes };
  } finally {
    await app.close();
  }
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-electron-'));
  const server = await startParleyServer(dir);
  try {
    await seedTeam(server, server.url, CONTACTS);
    const profile = path.join(dir, 'profile');
    await signInOnce(server.url, profile);
    await launchOnce(profile); // warm-up: the OS file cache
    const runs = [];
    for (let i = 0; i < RUNS; i++) runs.push(await launchOnce(profile));
    const memory = await idleMemory(profile);
    const result = {
      date: new Date().toISOString(),
      command: 'npm run bench:electron',
      machine: { platform: process.platform, cpus: cpus().length, cpu: cpus()[0]?.model, loadAverage1m: loadavg()[0] },
      config: { runs: RUNS, warmupRuns: 1, contacts: CONTACTS },
      startupToTrayMs: summary(runs.map((r) => r.trayMs)),
      startupToContactsMs: summary(runs.map((r) => r.contactsMs)),
      idleMemory: memory,
      runs,
    };
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');
    const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
    console.log(`startup to tray, p50 of ${RUNS}:          ${result.startupToTrayMs.p50} ms`);
    console.log(`startup to usable contacts, p50 of ${RUNS}: ${result.startupToContactsMs.p50} ms`);
    console.log(`idle memory, all processes:       ${mb(memory.totalWorkingSetBytes)} (${memory.processes.map((p) => `${p.type} ${mb(p.workingSetBytes)}`).join(', ')})`);
    console.log(`wrote ${path.relative(ROOT, OUT)}`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
