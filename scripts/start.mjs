#!/usr/bin/env node
// `npm start`: a local signaling server (embedded SQLite in ./parley-data,
// registration open on loopback, serving the web build too) and the desktop
// app pointed at it. Both stop together.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { electronBinary, tryInstallElectron } from './electron-binary.mjs';

const root = path.resolve(import.meta.dirname, '..');
const port = process.env.PARLEY_PORT ?? '7070';
const children = [];

function run(command, args, options = {}) {
  const child = spawn(command, args, { cwd: root, stdio: 'inherit', ...options });
  children.push(child);
  return child;
}

function stopAll(code) {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  process.exitCode = code;
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

async function waitForServer(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the signaling server did not start on ${url}`);
}

const build = run('npx', ['electron-vite', 'build']);
build.on('exit', async (code) => {
  if (code !== 0) return stopAll(code ?? 1);
  const url = `http://127.0.0.1:${port}`;
  const server = run(process.execPath, ['signaling-server/bin/parley-server.js', '--web-root', 'out/renderer'], {
    env: { ...process.env, PARLEY_PORT: port, PARLEY_DATA_DIR: process.env.PARLEY_DATA_DIR ?? 'parley-data' },
  });
  server.on('exit', (c) => stopAll(c ?? 0));
  try {
    await waitForServer(url, 15_000);
  } catch (err) {
    console.error(`npm start: ${err.message}`);
    return stopAll(1);
  }
  if (!electronBinary() && !(await tryInstallElectron())) {
    console.error(
      `npm start: the Electron binary is not installed on this machine, so the desktop app cannot open.\n` +
        `The signaling server is running: open ${url} in a browser for the web client (Ctrl-C stops it).`,
    );
    return;
  }
  const app = run('npx', ['electron-vite', 'preview', '--skipBuild']);
  app.on('exit', (c) => stopAll(c ?? 0));
});
