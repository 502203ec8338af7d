#!/usr/bin/env node
// `npm start`: a local signaling server (embedded SQLite in ./parley-data,
// registration open on loopback, serving the web build too) and the desktop
// app pointed at it. Both stop together.
//   npm start -- --no-build    use the build a previous run left in out/
// PARLEY_PORT, PARLEY_HOST, PARLEY_DATA_DIR and PARLEY_WEB_ROOT change where
// the server listens, keeps its data and finds the web build. On loopback the
// echo test call of Settings › Network is on (PARLEY_TEST_CALL=off turns it
// off). On a terminal the server's log reads as lines for people (pino-pretty);
// piped elsewhere it stays JSON, one object a line.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pretty from 'pino-pretty';
import { electronBinary, tryInstallElectron } from './electron-binary.mjs';
import { startOptions } from './start-options.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { host, port, dataDir, webRoot, testCall, log } = startOptions(process.env, process.stdout.isTTY === true);
/** Where the server's output goes: readable lines on a terminal, JSON as it is anywhere else. */
const serverOut = log === 'pretty' ? pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname', singleLine: true }) : process.stdout;
/** The line parley-server prints for people once it serves the web client (signaling-server/src/cli.ts). */
const RUNNING = /^Parley is running: open (\S+) in a browser$/m;
const children = [];

function say(message) {
  console.info(`npm start: ${message}`);
}

function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
  children.push(child);
  return child;
}

function stopAll(code) {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  process.exitCode = code;
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

/** Undefined when the port is free; otherwise who holds it, in words. */
async function portHolder() {
  const free = await new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', (err) => resolve(err.code !== 'EADDRINUSE'));
    probe.listen(Number(port), host, () => probe.close(() => resolve(true)));
  });
  if (free) return undefined;
  const address = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    const info = await (await fetch(`http://${address}/api/info`, { signal: AbortSignal.timeout(2000) })).json();
    if (info?.name === 'parley-server') {
      return `another Parley server (${info.version}) is already running on port ${port}, from an earlier \`npm start\` or \`npm run web\`: use it at http://${address}, or stop it`;
    }
  } catch {
    // not a Parley server, or not HTTP at all
  }
  return `port ${port} on ${host} belongs to another program: stop it`;
}

async function refuseTakenPort() {
  const holder = await portHolder();
  if (holder === undefined) return false;
  console.error(`npm start: the signaling server cannot start: ${holder}, or start on another port: PARLEY_PORT=${Number(port) + 1} npm start`);
  stopAll(2);
  return true;
}

/**
 * Starts the server and resolves with the address it serves once it says so
 * (its own line, not a health check another program on the port could
 * answer); undefined when it stopped first.
 */
function startServer() {
  const server = run(process.execPath, ['signaling-server/bin/parley-server.js', '--web-root', webRoot], {
    env: { ...process.env, PARLEY_PORT: port, PARLEY_DATA_DIR: dataDir, PARLEY_TEST_CALL: testCall },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve) => {
    let seen = '';
    server.stdout.setEncoding('utf8').on('data', (chunk) => {
      serverOut.write(chunk);
      if (seen === undefined) return;
      seen += chunk;
      const match = RUNNING.exec(seen);
      if (match) {
        seen = undefined;
        resolve(match[1]);
      }
    });
    // 'close': the process has exited and its output is all read.
    server.on('close', (code, signal) => {
      resolve(undefined);
      stopAll(code ?? (signal === 'SIGTERM' ? 0 : 1));
    });
  });
}

async function main() {
  if (await refuseTakenPort()) return;
  if (process.env.PARLEY_DATABASE_URL) say('the server keeps its data in PostgreSQL (PARLEY_DATABASE_URL).');
  else if (existsSync(path.resolve(root, dataDir, 'parley.sqlite'))) {
    say(`the server's accounts and history are in ${dataDir}, from an earlier run: sign in as before (delete the folder to start afresh).`);
  } else say(`first run: the server keeps its data in a new folder, ${dataDir}. On the sign-in screen choose Create account.`);

  if (!process.argv.includes('--no-build')) {
    const built = await new Promise((resolve) => run('npx', ['electron-vite', 'build']).on('exit', (code) => resolve(code)));
    if (built !== 0) return stopAll(built ?? 1);
    if (await refuseTakenPort()) return; // taken while building
  }
  const url = await startServer();
  if (url === undefined) {
    // Its own message is above; say who holds the port when that was why.
    if (!(await refuseTakenPort())) console.error('npm start: the signaling server stopped before serving (its message is above).');
    return;
  }
  if (!electronBinary() && !(await tryInstallElectron())) {
    console.error(
      `npm start: the Electron binary is not installed on this machine, so the desktop app cannot open.\n` +
        `The signaling server is running: open ${url} in a browser for the web client (Ctrl-C stops it).`,
    );
    return;
  }
  say('opening the desktop app.');
  const app = run('npx', ['electron-vite', 'preview', '--skipBuild']);
  app.on('exit', (c) => stopAll(c ?? 0));
}

await main();
