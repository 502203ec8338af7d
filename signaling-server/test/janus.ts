/**
 * Janus (Debian package "janus") on loopback with the deploy kit's
 * deploy/janus/ config, on free ports, for the tests of the SFU path: the
 * config files are copied to a folder of its own with the WebSocket port,
 * the VideoRoom admin key and a narrow RTP port range filled in. Tests skip
 * without Janus installed, saying so (missingTool in coturn.ts). The copy
 * alone also turns on Janus's Admin API (HTTP, loopback, an admin_secret),
 * through which tests count what Janus holds; the deploy kit keeps it off.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import type { Config } from '../src/config.js';
import { DEPLOY, tool } from './coturn.js';
import { spawnOwned } from './owned-process.js';

export interface Janus {
  /** ws://127.0.0.1:<port>, what PARLEY_JANUS_URL names. */
  url: string;
  adminKey: string;
  /** Its api_secret, when it was started with one (what PARLEY_JANUS_API_SECRET names). */
  apiSecret: string | undefined;
  /** Everything Janus logged so far. */
  output(): string;
  /** Its process id (the SFU benchmark reads its CPU time). */
  pid: number;
  /** The handles Janus holds, in all its sessions (Admin API). */
  handles(): Promise<number>;
  /** The ids of the VideoRoom rooms that exist (Admin API, message_plugin). */
  rooms(): Promise<string[]>;
  /** Stops it (SIGTERM, then SIGKILL) and removes its folder. */
  stop(): Promise<void>;
}

/** The server's PARLEY_JANUS_* settings (Config.sfu) for these instances, which share one admin key and api_secret. */
export function sfuSettings(...janus: [Janus, ...Janus[]]): NonNullable<Config['sfu']> {
  const [first] = janus;
  return { janusUrls: janus.map((j) => j.url), adminKey: first.adminKey, ...(first.apiSecret !== undefined && { apiSecret: first.apiSecret }) };
}

/** A free range of UDP ports for Janus's media, away from other suites' (get-port picks one and the range follows it). */
async function rtpRange(): Promise<string> {
  const base = await getPort({ port: Array.from({ length: 50 }, (_, i) => 42000 + i * 200) });
  return `${base}-${base + 199}`;
}

/**
 * A Janus on a free port, or on `port` (to start one again where a stopped one was); with
 * `apiSecret`, that is its api_secret, else it takes requests without one (the kit's placeholder goes).
 * `ice`: its ICE flags, by default media on loopback only (the participants are on this machine).
 */
export async function startJanus(
  adminKey = `test-admin-${Date.now()}`,
  port?: number,
  { apiSecret, ice = ['--ice-enforce-list=lo'] }: { apiSecret?: string; ice?: string[] } = {},
): Promise<Janus> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-janus-'));
  port ??= await getPort({ host: '127.0.0.1' });
  const adminPort = await getPort({ host: '127.0.0.1' });
  const adminSecret = `test-admin-secret-${Date.now()}`;
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
  edit('janus.jcfg', /\tapi_secret = "[^"]*"\n/, apiSecret === undefined ? '' : `\tapi_secret = "${apiSecret}"\n`);
  // The Admin API, in this copy only: the HTTP transport with its Janus API off and the admin one on loopback.
  edit('janus.jcfg', /libjanus_http\.so,/, '');
  edit('janus.jcfg', /general: \{/, `general: {\n\tadmin_secret = "${adminSecret}"`);
  writeFileSync(
    path.join(dir, 'janus.transport.http.jcfg'),
    `general: {\n\thttp = false\n\thttps = false\n}\nadmin: {\n\tadmin_base_path = "/admin"\n\tadmin_http = true\n\tadmin_ip = "127.0.0.1"\n\tadmin_port = ${adminPort}\n\tadmin_https = false\n}\n`,
  );
  // Dies with this process (owned-process.ts).
  const child = spawnOwned(tool('janus') as string, ['-C', path.join(dir, 'janus.jcfg'), '-F', dir, '-o', ...ice], {
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
  const admin = async <T>(request: Record<string, unknown>): Promise<T> => {
    const res = await fetch(`http://127.0.0.1:${adminPort}/admin`, { method: 'POST', body: JSON.stringify({ ...request, transaction: `t${Date.now()}`, admin_secret: adminSecret }) });
    const body = (await res.json()) as T & { janus: string };
    if (body.janus !== 'success') throw new Error(`Janus Admin API: ${JSON.stringify(body)}`);
    return body;
  };
  const handles = async () => {
    const { sessions } = await admin<{ sessions: number[] }>({ janus: 'list_sessions' });
    const each = await Promise.all(sessions.map((id) => admin<{ handles: number[] }>({ janus: 'list_handles', session_id: id })));
    return each.reduce((sum, s) => sum + s.handles.length, 0);
  };
  const rooms = async () => {
    const { response } = await admin<{ response: { list: { room: string }[] } }>({ janus: 'message_plugin', plugin: 'janus.plugin.videoroom', request: { request: 'list', admin_key: adminKey } });
    return response.list.map((r) => r.room);
  };
  return { url: `ws://127.0.0.1:${port}`, adminKey, apiSecret, output: () => output, pid: child.pid ?? 0, handles, rooms, stop };
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
