// Start to listening: how long `parley-server` takes from its process being
// spawned to accepting a TCP connection on an existing data dir (the seeded
// one: its database made and migrated), next to the bare relay started the
// same way in the same run. Both pay for starting Node; the difference is
// Parley's own start (its modules, the store, the migrations check, the
// token secret). Started in turn, after one unmeasured start of each (the
// OS's file cache).
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import getPort from 'get-port';
import { BASELINE, PARLEY_BIN } from './servers.mjs';
import { summarize } from './stats.mjs';

/** Resolves when `port` on loopback accepts a connection; rejects if the process exits first. */
function accepting(port, child) {
  return new Promise((resolve, reject) => {
    const exited = (code) => reject(new Error(`the server exited with ${code} before it listened`));
    child.once('exit', exited);
    const attempt = () => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        child.off('exit', exited);
        resolve();
      });
      // Not listening yet: ask again at once (a refused connect on loopback costs microseconds).
      socket.once('error', () => setTimeout(attempt, 1));
    };
    attempt();
  });
}

/** Spawns one server, returns ms from spawn to accepting connections, then stops it. */
async function startOnce(script, env) {
  const port = await getPort({ host: '127.0.0.1' });
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], { env: { ...process.env, ...env(port) }, stdio: 'ignore' });
  try {
    await accepting(port, child);
    return performance.now() - t0;
  } finally {
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  }
}

/** `runs` starts of each, in turn: ms to listening, p50/min/max, and Parley's p50 over the relay's. */
export async function measureStartup({ dataDir, runs, env = {}, bin = PARLEY_BIN }) {
  const parleyEnv = (port) => ({ ...env, PARLEY_PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_DATA_DIR: dataDir, PARLEY_REGISTRATION: 'closed' });
  const baselineEnv = (port) => ({ BASELINE_PORT: String(port) });
  await startOnce(bin, parleyEnv);
  await startOnce(BASELINE, baselineEnv);
  const parley = [];
  const baseline = [];
  for (let i = 0; i < runs; i++) {
    parley.push(await startOnce(bin, parleyEnv));
    baseline.push(await startOnce(BASELINE, baselineEnv));
  }
  const figure = (xs) => ({ ...summarize(xs, [50]), min: Math.round(Math.min(...xs)), max: Math.round(Math.max(...xs)) });
  const p = figure(parley);
  const b = figure(baseline);
  return { parley: p, baseline: b, ratioP50: Math.round((p.p50 / b.p50) * 100) / 100 };
}
