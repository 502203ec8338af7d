// The two servers under test, each a child process of its own so its memory
// and CPU are its own: the real `parley-server` CLI on a seeded data dir, and
// a bare Socket.IO relay as the baseline.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import getPort from 'get-port';
import path from 'node:path';
import WebSocket from 'ws';

const root = path.resolve(import.meta.dirname, '../..');
export const PARLEY_BIN = path.join(root, 'signaling-server/bin/parley-server.js');
export const BASELINE = path.join(import.meta.dirname, 'baseline-server.mjs');

/** A free TCP port on loopback (the server is then told to listen on it). */

/** Resident set size of a process, in bytes, from /proc (Linux). */
export function rssBytes(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Resolves once the server at `url` answers /healthz; throws if `child` exits or the time runs out. */
export async function waitHealthy(url, child, timeoutMs = 20_000) {
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

async function startChild(args, env, logFile, url) {
  // The inspector's port is set, not opened: collectGarbage() opens it (SIGUSR1) once the figures that matter are taken.
  const inspectPort = await getPort({ host: '127.0.0.1' });
  // Logs go to a file, not through this process, so the generator is not on the server's path.
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [`--inspect-port=127.0.0.1:${inspectPort}`, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
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
    /** A full garbage collection in the server, through its inspector (opened now, and left open). */
    collectGarbage: () => collectGarbage(child, inspectPort),
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
 * Opens the inspector of `child` (SIGUSR1, on the port given at its start)
 * and has V8 collect all the garbage it can: what the process then holds is
 * what it keeps, not what it has yet to collect. Resolves to where its memory
 * is then (process.memoryUsage() and V8's heap spaces, bytes).
 */
async function collectGarbage(child, port) {
  child.kill('SIGUSR1');
  const deadline = Date.now() + 10_000;
  let target;
  while (!target) {
    target = await fetch(`http://127.0.0.1:${port}/json/list`).then((r) => r.json(), () => undefined);
    if (!target && Date.now() > deadline) throw new Error(`the inspector of ${child.pid} did not open`);
    if (!target) await new Promise((r) => setTimeout(r, 50));
  }
  const ws = new WebSocket(target[0].webSocketDebuggerUrl);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const pending = new Map();
  ws.on('message', (data) => {
    const reply = JSON.parse(String(data));
    const settle = pending.get(reply.id);
    if (!settle) return;
    pending.delete(reply.id);
    if (reply.error) settle.reject(new Error(reply.error.message));
    else settle.resolve(reply.result);
  });
  let id = 0;
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      pending.set(++id, { resolve, reject });
      ws.send(JSON.stringify({ id, method, params }));
    });
  // Three full collections half a second apart: each compacts more of the pages the storm left part-used,
  // as V8's memory reducer does over an idle server's first seconds.
  for (let i = 0; i < 3; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 500));
    await call('HeapProfiler.collectGarbage');
  }
  const where = `JSON.stringify({ ...process.memoryUsage(), spaces: Object.fromEntries(process.getBuiltinModule('v8').getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }])) })`;
  const { result } = await call('Runtime.evaluate', { expression: where, returnByValue: true });
  ws.close();
  return JSON.parse(result.value);
}

/**
 * `parley-server` on `dataDir`. `env` adds settings (PARLEY_*); `nodeArgs`
 * adds Node flags such as --cpu-prof; `bin` runs another build.
 */
export async function startParley({ dataDir, env = {}, nodeArgs = [], bin = PARLEY_BIN, logFile }) {
  const port = await getPort({ host: '127.0.0.1' });
  const server = await startChild(
    [...nodeArgs, bin],
    { PARLEY_PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_DATA_DIR: dataDir, PARLEY_REGISTRATION: 'closed', ...env },
    logFile,
    `http://127.0.0.1:${port}`,
  );
  await server.ready();
  return server;
}

/** The bare relay of baseline-server.mjs, with the same engine settings as parley-server; `redisUrl`: one node of several. */
export async function startBaseline({ logFile, nodeArgs = [], redisUrl }) {
  const port = await getPort({ host: '127.0.0.1' });
  const env = { BASELINE_PORT: String(port), ...(redisUrl && { BASELINE_REDIS_URL: redisUrl }) };
  const server = await startChild([...nodeArgs, BASELINE], env, logFile, `http://127.0.0.1:${port}`);
  await server.ready();
  return server;
}

/** `nodes` bare relays; with more than one they share a Redis started here, through the adapter Parley uses. */
export async function startBaselineNodes(nodes, { logFile }) {
  if (nodes === 1) {
    const server = await startBaseline({ logFile });
    return { urls: [server.url], stop: () => server.stop() };
  }
  const redis = await startRedis({ dir: path.dirname(logFile), logFile: `${logFile}.redis` });
  const servers = [];
  for (let i = 0; i < nodes; i++) servers.push(await startBaseline({ logFile: `${logFile}.${i}`, redisUrl: redis.url }));
  return {
    urls: servers.map((s) => s.url),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await redis.stop();
    },
  };
}

/** Write system calls a process has made (Linux): each message between processes is at least one. */
export function writeCalls(pid) {
  return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
}

/** User plus system CPU seconds a process has used (Linux). */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** A redis-server on a free loopback port, no persistence, for two-node runs. */
export async function startRedis({ dir, logFile }) {
  const port = await getPort({ host: '127.0.0.1' });
  const fd = openSync(logFile, 'a');
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  // Not installed: spawn reports it as an 'error' event, which would end the run unexplained.
  let failed;
  child.once('error', (err) => (failed = err));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (failed) throw new Error(`redis-server could not start: ${failed.message} (is it installed? apt-get install redis-server)`);
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode} (is it installed? apt-get install redis-server)`);
    if (readFileSync(logFile, 'utf8').includes('Ready to accept connections')) break;
    if (Date.now() > deadline) throw new Error('redis-server did not start within 10 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * `nodes` parley-server processes on one data dir. With more than one they
 * share a Redis started here; CPU and memory are summed over the nodes (CPU
 * includes Redis's), so the figures compare with one node's.
 */
export async function startParleyNodes(nodes, { dataDir, env = {}, nodeArgs = [], bin, logFile }) {
  if (nodes === 1) {
    const server = await startParley({ dataDir, env, nodeArgs, bin, logFile });
    return { ...server, urls: [server.url], pids: [server.pid], cpu: () => cpuSeconds(server.pid) };
  }
  const redis = await startRedis({ dir: dataDir, logFile: `${logFile}.redis` });
  const servers = [];
  // One after the other: the first migrates the database, the others open it.
  for (let i = 0; i < nodes; i++) {
    servers.push(await startParley({ dataDir, env: { ...env, PARLEY_REDIS_URL: redis.url }, nodeArgs, bin, logFile: `${logFile}.${i}` }));
  }
  return {
    url: servers[0].url,
    urls: servers.map((s) => s.url),
    rss: () => servers.reduce((n, s) => n + s.rss(), 0),
    collectGarbage: () => Promise.all(servers.map((s) => s.collectGarbage())),
    async heapUsed() {
      return (await Promise.all(servers.map((s) => s.heapUsed()))).reduce((a, b) => a + b, 0);
    },
    /** The nodes', then Redis's. */
    pids: [...servers.map((s) => s.pid), redis.pid],
    cpu: () => servers.reduce((n, s) => n + cpuSeconds(s.pid), cpuSeconds(redis.pid)),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await redis.stop();
    },
  };
}
