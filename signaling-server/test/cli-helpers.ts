/**
 * Helpers for tests that run the real `parley-server` binary as a child
 * process: one-shot admin commands, and long-running servers whose JSON log
 * lines are captured. Every child a test starts is killed (by its pid) after
 * the test if it is still running.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterTest } from './cleanup.js';
import type { Client } from './harness.js';
import { testDatabaseUrl, testRedisUrl } from './test-stores.js';

export const BIN = path.resolve(import.meta.dirname, '../bin/parley-server.js');

/**
 * How long a child server may take to log that it listens: a guard against one that never does, not a speed check.
 * It starts in about 0.5 s on SQLite and 1.2 s on PostgreSQL + Redis; beside a browser run under CI, on two cores,
 * starts on PostgreSQL + Redis have taken over 10 s.
 */
const START_TIMEOUT_MS = 30_000;

/**
 * The timeout of a test that starts a child server: its start alone may take START_TIMEOUT_MS, more than the suite's
 * 20 s default, and a SIGKILL test that signs up three people on PostgreSQL beside the light browser lane took 23 s.
 */
export const CHILD_SERVER_TEST = { timeout: 60_000 };

/** Kills `child` after the test if it is still running. */
function killAfterTest(child: ChildProcess): void {
  afterTest(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

/** PARLEY_DATABASE_URL for a data dir when this run is on PostgreSQL (test-stores.ts). */
async function storeEnv(dataDir: string): Promise<Record<string, string>> {
  const url = await testDatabaseUrl(dataDir);
  return url ? { PARLEY_DATABASE_URL: url } : {};
}

/** The environment of this process without any PARLEY_* setting (but the suite's cheap hashes), plus `extra`. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PARLEY_') || k === 'PARLEY_TEST_CHEAP_HASHES') env[k] = v;
  return { ...env, ...extra };
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
}

/**
 * Runs `parley-server ...args` to completion. `stdin` is piped in and closed;
 * without it stdin is closed at once (a pipe, not a TTY).
 */
export async function runCli(
  args: string[],
  options: { dataDir: string; env?: Record<string, string>; stdin?: string; timeoutMs?: number },
): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: cleanEnv({ PARLEY_DATA_DIR: options.dataDir, ...(await storeEnv(options.dataDir)), ...options.env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  killAfterTest(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  child.stdin.on('error', () => undefined); // the command may exit before reading stdin
  child.stdin.end(options.stdin ?? '');
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    const exit = await exitOf(child);
    // 'exit' can come before the pipes are drained.
    await Promise.all([closed(child.stdout), closed(child.stderr)]);
    if (exit.signal === 'SIGKILL') throw new Error(`parley-server ${args.join(' ')} did not finish within ${timeoutMs} ms\n${stdout}\n${stderr}`);
    return { ...exit, stdout, stderr };
  } finally {
    clearTimeout(timer);
  }
}

function closed(stream: NodeJS.ReadableStream & { closed?: boolean }): Promise<void> {
  if (stream.closed) return Promise.resolve();
  return new Promise((resolve) => stream.once('close', () => resolve()));
}

/** One pino log line. */
export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface ChildServer {
  child: ChildProcess;
  url: string;
  /** Everything written to stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Parsed JSON log lines so far. */
  logs(): LogLine[];
  /** Resolves with the exit once the process has exited and its output is read. */
  exited: Promise<Exit>;
}

/**
 * Starts `parley-server` on port 0 (unless `env` says otherwise) and waits for
 * its "parley-server listening" log line, whose `url` says where it is.
 */
export async function startChildServer(options: { dataDir: string; env?: Record<string, string>; timeoutMs?: number }): Promise<ChildServer> {
  // A Redis URL the test gives is the one to use: a fresh database would be flushed for nothing.
  const redisUrl = options.env?.PARLEY_REDIS_URL ?? (await testRedisUrl());
  const child = spawn(process.execPath, [BIN], {
    env: cleanEnv({
      PARLEY_PORT: '0',
      PARLEY_LOG_LEVEL: 'info',
      PARLEY_DATA_DIR: options.dataDir,
      ...(await storeEnv(options.dataDir)),
      ...(redisUrl !== undefined && { PARLEY_REDIS_URL: redisUrl }),
      ...options.env,
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killAfterTest(child);
  let stdout = '';
  let stderr = '';
  let partial = '';
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (s: string) => {
    stdout += s;
    partial += s;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ level: 0, msg: `(not JSON) ${line}` });
      }
    }
    for (const w of [...waiters]) w();
  });
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = exitOf(child).then(async (exit) => {
    await Promise.all([closed(child.stdout), closed(child.stderr)]);
    for (const w of [...waiters]) w();
    return exit;
  });
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const timeoutMs = options.timeoutMs ?? START_TIMEOUT_MS;
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const line = logs.find((l) => l.msg === 'parley-server listening');
      if (line && typeof line.url === 'string') {
        finish();
        resolve(line.url);
      } else if (hasExited || child.exitCode !== null) {
        finish();
        reject(new Error(`parley-server exited before listening (code ${child.exitCode})\n${stdout}\n${stderr}`));
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`parley-server did not log "parley-server listening" within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });

  return { child, url, stdout: () => stdout, stderr: () => stderr, logs: () => logs, exited };
}

/** Resolves with the exit, or rejects when the process is still running after `ms`. */
export function exitWithin(server: ChildServer, ms: number): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parley-server still running ${ms} ms after the signal`)), ms);
    void server.exited.then((exit) => {
      clearTimeout(timer);
      resolve(exit);
    });
  });
}

/** Resolves with the disconnect reason once `socket` is disconnected (at once if it already is). */
export function disconnected(socket: Client, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (socket.disconnected) {
      resolve('already disconnected');
      return;
    }
    const timer = setTimeout(() => reject(new Error('socket was not disconnected')), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

/** The `connect_error` a connection attempt ends with; rejects if it connects instead. */
export function connectError(socket: Client, timeoutMs = 5000): Promise<Error & { data?: { code?: string } }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('neither connect nor connect_error')), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      reject(new Error('connected, but a refusal was expected'));
    });
    socket.once('connect_error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}
