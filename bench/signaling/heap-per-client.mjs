#!/usr/bin/env node
// What one connection keeps on the server's heap, by kind of object: a server
// (parley-server on a seeded team, or the bare relay) takes a V8 heap snapshot
// before and after N clients connect (each Parley client watching its 29
// contacts, as in the login storm), and the difference is printed per client,
// largest first. A snapshot collects garbage first, so this is what is kept,
// unlike the RSS figure of bench:signaling, which also holds what is not yet
// collected.
//
// With --calls, every pair of clients then makes that many calls (invite,
// accept, an offer, hang-up, as bench:signaling's setups do), and a third
// snapshot shows what the calls left behind, per client.
//
//   node bench/signaling/heap-per-client.mjs [--clients 3000] [--baseline] [--top 30] [--calls 1]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import getPort from 'get-port';
import { contactsOf, username } from './contacts.mjs';
import { MEDIA, OFFER_SDP } from './payloads.mjs';
import { seedTeam } from './seed.mjs';
import { BASELINE, PARLEY_BIN, waitHealthy } from './servers.mjs';

const { io } = createRequire(import.meta.url)('socket.io-client');
const { values } = parseArgs({ options: { clients: { type: 'string', default: '3000' }, baseline: { type: 'boolean', default: false }, top: { type: 'string', default: '30' }, calls: { type: 'string', default: '0' } } });
const N = Number(values.clients);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Self size and count per object kind (type and constructor name) in a snapshot. */
function byKind(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [iType, iName, iSize] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const kinds = new Map();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const type = types[s.nodes[i + iType]];
    const kind = type.endsWith('string') ? '(strings)' : type === 'code' || type === 'hidden' ? `(${type})` : `${type}:${s.strings[s.nodes[i + iName]]}`.slice(0, 80);
    const k = kinds.get(kind) ?? { count: 0, bytes: 0 };
    k.count++;
    k.bytes += s.nodes[i + iSize];
    kinds.set(kind, k);
  }
  return kinds;
}

const team = await seedTeam(N);
const snapshots = mkdtempSync(path.join(tmpdir(), 'parley-heap-'));
const port = await getPort();
const env = values.baseline
  ? { BASELINE_PORT: String(port) }
  : { PARLEY_DATA_DIR: team.dataDir, PARLEY_PORT: String(port), PARLEY_HOST: '127.0.0.1', PARLEY_LOG_LEVEL: 'warn' };
const server = spawn(process.execPath, ['--heapsnapshot-signal=SIGUSR2', values.baseline ? BASELINE : PARLEY_BIN], {
  cwd: snapshots,
  env: { ...process.env, ...env },
  stdio: ['ignore', 'ignore', 'inherit'],
});
const url = `http://127.0.0.1:${port}`;
await waitHealthy(url, server);

/** Asks for a snapshot and waits until it is written whole (the JSON object closed). */
async function snapshot() {
  const before = readdirSync(snapshots).length;
  server.kill('SIGUSR2');
  while (readdirSync(snapshots).length === before) await sleep(200);
  const file = path.join(snapshots, readdirSync(snapshots).sort().at(-1));
  while (!readFileSync(file, 'utf8').trimEnd().endsWith('}')) await sleep(500);
  return file;
}

await sleep(1000);
const empty = await snapshot();
const sockets = [];
for (let i = 0; i < N; i += 100) {
  await Promise.all(
    team.clients.slice(i, i + 100).map(
      (c, k) =>
        new Promise((resolve) => {
          // As the app connects: the contact list named in the handshake.
          const watch = contactsOf(i + k, N).map(username);
          const auth = { token: c.token, status: 'available', device: `heap-${c.username}`, presenceBatch: true, watch };
          const s = io(url, { auth, transports: ['websocket'], forceNew: true, reconnection: false });
          sockets.push(s);
          s.once('connect_error', (err) => {
            console.error(`${c.username}: ${err.message}`);
            resolve();
          });
          if (values.baseline) s.once('connect', resolve);
          else s.once('session:ready', resolve);
        }),
    ),
  );
}
await sleep(3000);
const full = await snapshot();
printDifference(`${values.baseline ? 'bare relay' : 'parley-server'}, ${N} clients`, byKind(empty), byKind(full));

/** One call from `caller` to `callee`, set up and hung up as bench:signaling's setups do. */
function call(caller, callee) {
  return new Promise((resolve) => {
    callee.once('call:incoming', (p) => callee.emit('call:accept', { callId: p.callId }, () => undefined));
    caller.once('call:accepted', (p) => {
      caller.emit('call:signal', { callId: p.callId, description: { type: 'offer', sdp: OFFER_SDP } }, () => {
        caller.emit('call:hangup', { callId: p.callId }, () => undefined);
      });
    });
    callee.once('call:ended', () => resolve());
    caller.emit('call:invite', { to: callee.username, media: MEDIA }, () => undefined);
  });
}

const calls = Number(values.calls);
if (calls > 0 && !values.baseline) {
  sockets.forEach((s, i) => (s.username = team.clients[i].username));
  for (let k = 0; k < calls; k++) {
    for (let i = 0; i + 1 < sockets.length; i += 200) {
      const pairs = [];
      for (let j = i; j + 1 < Math.min(i + 200, sockets.length); j += 2) pairs.push(call(sockets[j], sockets[j + 1]));
      await Promise.all(pairs);
    }
  }
  await sleep(3000);
  printDifference(`after ${calls} call(s) for every pair`, byKind(full), byKind(await snapshot()));
}
server.kill('SIGTERM');
for (const s of sockets) s.disconnect();

/** Prints what `b` holds beyond `a`, per client, largest first. */
function printDifference(title, a, b) {
  const rows = [...b].map(([kind, v]) => {
    const was = a.get(kind) ?? { count: 0, bytes: 0 };
    return { kind, count: (v.count - was.count) / N, bytes: (v.bytes - was.bytes) / N };
  });
  rows.sort((x, y) => y.bytes - x.bytes);
  console.log(`${title}: ${rows.reduce((n, r) => n + r.bytes, 0).toFixed(0)} bytes of heap kept per client`);
  console.log('bytes  objects  kind');
  for (const r of rows.slice(0, Number(values.top))) console.log(`${r.bytes.toFixed(0).padStart(6)} ${r.count.toFixed(2).padStart(8)}  ${r.kind}`);
}
rmSync(snapshots, { recursive: true, force: true });
rmSync(team.dataDir, { recursive: true, force: true });
process.exit(0);
