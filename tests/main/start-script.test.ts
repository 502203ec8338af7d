/**
 * `npm start` (scripts/start.mjs) run for real, with `--no-build` and a
 * stand-in web build: it starts the real signaling server, tells a first run
 * from a later one, and, when its port is taken, says by whom and exits 2
 * without claiming to run. Electron is made unreachable (an empty binary
 * folder, a dead download mirror), as on a machine without the binary, so
 * the script keeps the server running for the browser. The server logs
 * nothing (PARLEY_LOG_LEVEL=silent) unless a test reads its log: the script
 * waits for its line for people, which comes at every log level. What the
 * script makes of its environment (start-options.mjs) is checked directly
 * too: the echo test call on for a loopback server, and pino-pretty lines on
 * a terminal (a real one, made by `script`), JSON when piped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import getPort from 'get-port';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOptions } from '../../scripts/start-options.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const SERVER_BUILT = existsSync(join(ROOT, 'signaling-server/dist/parley-server.cjs'));
if (!SERVER_BUILT) console.warn('tests/main/start-script.test.ts skipped: the signaling server is not built (npm run build -w signaling-server)');

/** util-linux `script`: runs a command on a pseudo-terminal, as a person's terminal would. */
const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;
/** /proc shows a process's children and environment (Linux). */
const HAS_PROC = existsSync('/proc/self/environ');

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

interface StartHow {
  /** Its output a terminal (a pseudo-terminal through `script`), not a pipe. */
  terminal?: boolean;
  /** The server's PARLEY_LOG_LEVEL; silent unless given. */
  logLevel?: string;
}

function npmStart(port: number, dataDir: string, how: StartHow = {}): Run {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_') && !/^electron_/i.test(k)) env[k] = v;
  const command = [process.execPath, 'scripts/start.mjs', '--no-build'];
  // `exec`: the script's own SIGTERM (which it sends on SIGINT and SIGTERM) reaches npm start itself.
  const [file, args] = how.terminal ? ['script', ['-qfec', `exec ${command.map((a) => `'${a}'`).join(' ')}`, '/dev/null']] : [command[0]!, command.slice(1)];
  const child = spawn(file, args, {
    cwd: ROOT,
    // Its own process group, so a hung run can be ended with the server it started.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...env,
      PARLEY_PORT: String(port),
      PARLEY_DATA_DIR: dataDir,
      PARLEY_WEB_ROOT: webRoot,
      PARLEY_LOG_LEVEL: how.logLevel ?? 'silent',
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

  it('turns the echo test call on for its loopback server, and leaves the log JSON when piped', { timeout: SLOW, skip: !HAS_PROC }, async () => {
    const port = await getPort();
    const run = npmStart(port, join(work, 'data'), { logLevel: 'info' });
    await run.waitFor(running(port));
    // Its children: the server, and perhaps Electron's installer trying its dead mirror.
    const children = (await readFile(`/proc/${run.child.pid}/task/${run.child.pid}/children`, 'utf8')).trim().split(/\s+/);
    const commands = await Promise.all(children.map(async (pid) => [pid, await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')] as const));
    const server = commands.filter(([, command]) => command.includes('parley-server.js')).map(([pid]) => pid);
    expect(server).toHaveLength(1);
    const env = (await readFile(`/proc/${server[0]}/environ`, 'utf8')).split('\0');
    expect(env).toContain('PARLEY_TEST_CALL=on');
    const listening = run.output().split('\n').find((line) => line.includes('parley-server listening'));
    expect(JSON.parse(listening ?? 'null')).toMatchObject({ level: 30, msg: 'parley-server listening' });
  });

  it('on a terminal, gives people readable log lines instead of JSON', { timeout: SLOW, skip: !HAS_SCRIPT }, async () => {
    const port = await getPort();
    const run = npmStart(port, join(work, 'data'), { terminal: true, logLevel: 'info' });
    await run.waitFor(/Parley is running: open http:\/\/127\.0\.0\.1:\d+ in a browser/);
    // eslint-disable-next-line no-control-regex -- the terminal's colours
    const lines = run.output().replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/);
    expect(lines.find((line) => line.includes('parley-server listening'))).toMatch(/^\[\d\d:\d\d:\d\d\] INFO( \([\w-]+\))?: parley-server listening /);
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
  });
});

describe('what npm start makes of its environment', () => {
  it('turns the echo test call on where only this machine reaches the server, off elsewhere, as PARLEY_TEST_CALL says when set', () => {
    for (const host of [undefined, '127.0.0.1', '127.0.1.1', 'localhost', '::1']) expect(startOptions({ PARLEY_HOST: host }, false).testCall, host).toBe('on');
    for (const host of ['0.0.0.0', '192.168.1.20', 'parley.example.com', '::']) expect(startOptions({ PARLEY_HOST: host }, false).testCall, host).toBe('off');
    expect(startOptions({ PARLEY_TEST_CALL: 'off' }, false).testCall).toBe('off');
    expect(startOptions({ PARLEY_HOST: '0.0.0.0', PARLEY_TEST_CALL: 'lan' }, false).testCall).toBe('lan');
  });

  it('reads the log as lines on a terminal and keeps it JSON when piped', () => {
    expect(startOptions({}, true).log).toBe('pretty');
    expect(startOptions({}, false).log).toBe('json');
  });

  it('listens on loopback port 7070 with its data in parley-data by default', () => {
    expect(startOptions({}, false)).toEqual({ host: '127.0.0.1', port: '7070', dataDir: 'parley-data', webRoot: 'out/renderer', testCall: 'on', log: 'json' });
  });
});
