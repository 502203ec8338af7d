/**
 * `npm start` (scripts/start.mjs) run for real, with `--no-build` and a
 * stand-in web build: it starts the real signaling server, tells a first run
 * from a later one, and, when its port is taken, says by whom and exits 2
 * without claiming to run. Electron is made unreachable (an empty binary
 * folder, a dead download mirror), as on a machine without the binary, so
 * the script keeps the server running for the browser. The server logs
 * nothing (PARLEY_LOG_LEVEL=silent): the script waits for its line for
 * people, which comes at every log level.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import getPort from 'get-port';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVER_BUILT = existsSync(join(ROOT, 'signaling-server/dist/cli.js'));
if (!SERVER_BUILT) console.warn('tests/main/start-script.test.ts skipped: the signaling server is not built (npm run build -w signaling-server)');

/** Starting Node processes on a busy two-core machine takes seconds. */
const SLOW = 60_000;

interface Run {
  child: ChildProcess;
  output(): string;
  stderr(): string;
  /** Resolves once everything written so far matches. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

let work: string;
let webRoot: string;
const runs: Run[] = [];
const blockers: Server[] = [];

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'parley-start-'));
  webRoot = join(work, 'web');
  await mkdir(webRoot);
  await writeFile(join(webRoot, 'index.html'), '<!doctype html><title>Parley</title>');
});

afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
    run.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      try {
        process.kill(-run.child.pid!, 'SIGKILL');
      } catch {
        // the group is gone already
      }
    }, 10_000);
    await run.exited;
    clearTimeout(timer);
  }
  await Promise.all(blockers.splice(0).map((s) => new Promise((r) => s.close(r))));
  await rm(work, { recursive: true, force: true });
});

function npmStart(port: number, dataDir: string): Run {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_') && !/^electron_/i.test(k)) env[k] = v;
  const child = spawn(process.execPath, ['scripts/start.mjs', '--no-build'], {
    cwd: ROOT,
    // Its own process group, so a hung run can be ended with the server it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      PARLEY_PORT: String(port),
      PARLEY_DATA_DIR: dataDir,
      PARLEY_WEB_ROOT: webRoot,
      PARLEY_LOG_LEVEL: 'silent',
      ELECTRON_OVERRIDE_DIST_PATH: join(work, 'no-electron'),
      ELECTRON_MIRROR: 'http://127.0.0.1:9/',
      electron_config_cache: join(work, 'electron-cache'),
    },
  });
  let output = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let done = false;
  void exited.then(() => {
    done = true;
    for (const w of [...waiters]) w();
  });
  const onData = (isErr: boolean) => (s: string) => {
    output += s;
    if (isErr) stderr += s;
    for (const w of [...waiters]) w();
  };
  child.stdout.setEncoding('utf8').on('data', onData(false));
  child.stderr.setEncoding('utf8').on('data', onData(true));
  const run: Run = {
    child,
    output: () => output,
    stderr: () => stderr,
    exited,
    waitFor: (pattern, ms = 30_000) =>
      new Promise((res, rej) => {
        const timer = setTimeout(() => finish(new Error(`no ${String(pattern)} within ${ms} ms:\n${output}`)), ms);
        const finish = (err?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) rej(err);
          else res(match!);
        };
        const check = () => {
          const match = pattern.exec(output);
          if (match) finish(undefined, match);
          else if (done) finish(new Error(`npm start exited (${child.exitCode}) without ${String(pattern)}:\n${output}`));
        };
        waiters.add(check);
        check();
      }),
  };
  runs.push(run);
  return run;
}

const running = (port: number) => new RegExp(`^Parley is running: open http://127\\.0\\.0\\.1:${port} in a browser$`, 'm');

describe.skipIf(!SERVER_BUILT)('npm start', () => {
  it('says "first run" on a new data folder only, serves the web client, and stops on Ctrl-C', { timeout: SLOW }, async () => {
    const port = await getPort();
    const dataDir = join(work, 'data');
    const first = npmStart(port, dataDir);
    await first.waitFor(running(port));
    await first.waitFor(/the desktop app cannot open[\s\S]*open http:\/\/127\.0\.0\.1:\d+ in a browser for the web client/);
    expect(first.output()).toContain(`npm start: first run: the server keeps its data in a new folder, ${dataDir}.`);
    expect(first.output()).not.toContain('from an earlier run');
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('<title>Parley</title>');
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);

    const later = npmStart(port, dataDir);
    await later.waitFor(running(port));
    expect(later.output()).toContain(`npm start: the server's accounts and history are in ${dataDir}, from an earlier run`);
    expect(later.output()).not.toContain('first run');
    later.child.kill('SIGINT');
    expect(await later.exited).toBe(0);
  });

  it('with the port held by another program that answers HTTP: says so, exits 2, never claims to run', { timeout: SLOW }, async () => {
    const port = await getPort();
    // It answers every path, /healthz too, with 200.
    const other = createServer((_req, res) => res.end('ok'));
    blockers.push(other);
    await new Promise<void>((r) => other.listen(port, '127.0.0.1', r));
    const dataDir = join(work, 'data');
    const run = npmStart(port, dataDir);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toContain(
      `npm start: the signaling server cannot start: port ${port} on 127.0.0.1 belongs to another program: stop it, or start on another port: PARLEY_PORT=${port + 1} npm start`,
    );
    expect(run.output()).not.toMatch(/is running/);
    expect(run.output()).not.toContain('first run');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('with another Parley server on the port: names it, exits 2, and leaves it serving', { timeout: SLOW }, async () => {
    const port = await getPort();
    const first = npmStart(port, join(work, 'one'));
    await first.waitFor(running(port));
    const second = npmStart(port, join(work, 'two'));
    expect(await second.exited).toBe(2);
    expect(second.stderr()).toMatch(
      new RegExp(`another Parley server \\(\\d+\\.\\d+\\.\\d+\\) is already running on port ${port}, from an earlier \`npm start\` or \`npm run web\`: use it at http://127\\.0\\.0\\.1:${port}, or stop it`),
    );
    expect(second.output()).not.toMatch(/is running: open/);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(first.child.exitCode).toBe(null);
  });
});
