/**
 * Janus (Debian package "janus") on loopback with the deploy kit's
 * deploy/janus/ config, on free ports, for the tests of the SFU path: the
 * config files are copied to a folder of its own with the WebSocket port,
 * the VideoRoom admin key and a narrow RTP port range filled in. Tests skip
 * without Janus installed, saying so (missingTool in coturn.ts).
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { DEPLOY, tool } from './coturn.js';
import { spawnOwned } from './owned-process.js';

export interface Janus {
  /** ws://127.0.0.1:<port>, what PARLEY_JANUS_URL names. */
  url: string;
  adminKey: string;
  /** Everything Janus logged so far. */
  output(): string;
  /** Its process id (the SFU benchmark reads its CPU time). */
  pid: number;
  /** Stops it (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

/** A free range of UDP ports for Janus's media, away from other suites' (get-port picks one and the range follows it). */
async function rtpRange(): Promise<string> {
  const base = await getPort({ port: Array.from({ length: 50 }, (_, i) => 42000 + i * 200) });
  return `${base}-${base + 199}`;
}

/** A Janus on a free port, or on `port` (to start one again where a stopped one was). */
export async function startJanus(adminKey = `test-admin-${Date.now()}`, port?: number): Promise<Janus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-janus-'));
  port ??= await getPort({ host: '127.0.0.1' });
  for (const file of readdirSync(path.join(DEPLOY, 'janus')).filter((f) => f.endsWith('.jcfg'))) copyFileSync(path.join(DEPLOY, 'janus', file), path.join(dir, file));
  const edit = (file: string, from: RegExp, to: string) => {
    const text = readFileSync(path.join(dir, file), 'utf8');
    if (!from.test(text)) throw new Error(`deploy/janus/${file} has no ${String(from)}`);
    writeFileSync(path.join(dir, file), text.replace(from, to));
  };
  edit('janus.jcfg', /configs_folder = "[^"]*"/, `configs_folder = "${dir}"`);
  edit('janus.jcfg', /rtp_port_range = "[^"]*"/, `rtp_port_range = "${await rtpRange()}"`);
  edit('janus.transport.websockets.jcfg', /ws_port = \d+/, `ws_port = ${port}`);
  edit('janus.plugin.videoroom.jcfg', /admin_key = "[^"]*"/, `admin_key = "${adminKey}"`);
  // Media on loopback only: the test's participants are on this machine. Dies with this process (owned-process.ts).
  const child = spawnOwned(tool('janus') as string, ['-C', path.join(dir, 'janus.jcfg'), '-F', dir, '-o', '--ice-enforce-list=lo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (output += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (output += s));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killer);
    rmSync(dir, { recursive: true, force: true });
  };
  // Up once its WebSocket port accepts connections.
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`janus exited at start:\n${output}`);
    if (await accepts(port)) break;
    if (i > 100) {
      await stop();
      throw new Error(`janus did not listen on ${port} within 10 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `ws://127.0.0.1:${port}`, adminKey, output: () => output, pid: child.pid ?? 0, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
