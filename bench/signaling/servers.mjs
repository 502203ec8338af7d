// The two servers under test, each a child process of its own so its memory
// and CPU are its own: the real `parley-server` CLI on a seeded data dir, and
// a bare Socket.IO relay as the baseline.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');
export const PARLEY_BIN = path.join(root, 'signaling-server/bin/parley-server.js');
const BASELINE = path.join(import.meta.dirname, 'baseline-server.mjs');

/** A free TCP port on loopback (the server is then told to listen on it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size of a process, in bytes, from /proc (Linux). */
export function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

async function waitHealthy(url, child, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode} before it was ready`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`server at ${url} not ready within ${timeoutMs} ms`);
}

function startChild(args, env, logFile, url) {
  // Logs go to a file, not through this process, so the generator is not on the server's path.
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return {
    url,
    pid: child.pid,
    child,
    ready: () => waitHealthy(url, child),
    rss: () => rssBytes(child.pid),
    /** V8 heap in use: parley-server's /metrics, or the baseline's /healthz. */
    async heapUsed() {
      const metrics = await fetch(`${url}/metrics`);
      if (metrics.ok) return Number(/^parley_nodejs_heap_size_used_bytes (\S+)$/m.exec(await metrics.text())?.[1]);
      return (await (await fetch(`${url}/healthz`)).json()).heapUsed;
    },
    async stop() {
      if (child.exitCode !== null) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/**
 * `parley-server` on `dataDir`. `env` adds settings (PARLEY_*); `nodeArgs`
 * adds Node flags such as --cpu-prof; `bin` runs another build.
 */
export async function startParley({ dataDir, env = {}, nodeArgs = [], bin = PARLEY_BIN, logFile }) {
  const port = await freePort();
  const server = startChild(
    [...nodeArgs, bin],
    { PARLEY_PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_DATA_DIR: dataDir, PARLEY_REGISTRATION: 'closed', ...env },
    logFile,
    `http://127.0.0.1:${port}`,
  );
  await server.ready();
  return server;
}

/** The bare relay of baseline-server.mjs, with the same engine settings as parley-server. */
export async function startBaseline({ logFile, nodeArgs = [] }) {
  const port = await freePort();
  const server = startChild([...nodeArgs, BASELINE], { BASELINE_PORT: String(port) }, logFile, `http://127.0.0.1:${port}`);
  await server.ready();
  return server;
}
