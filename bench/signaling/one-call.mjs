#!/usr/bin/env node
// One call at a time between two clients, step by step: where a setup's time
// goes without load. With --nodes 2 the caller is on one node and the callee
// on the other, so every step crosses nodes through Redis. Then, in the same
// run, the floor: the bare Socket.IO relay on as many nodes (with the same
// Redis adapter), one message at a time from the caller's node to the callee's.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { io } from 'socket.io-client';
import { benchOptions, wholeNumber } from '../cli-options.mjs';
import { ANSWER_SDP, CANDIDATE, OFFER_SDP } from './payloads.mjs';
import { seedTeam } from './seed.mjs';
import { PARLEY_BIN, startBaselineNodes, startParleyNodes, writeCalls } from './servers.mjs';
import { summarize } from './stats.mjs';

const USAGE = `Usage: node bench/signaling/one-call.mjs [options]   (build first: npm run build -w signaling-server)

One call at a time between two clients (invite, ring, accept, offer, answer,
candidates, hang-up), each step's p50 and p95, then the bare relay's floor.

  --nodes N          parley-server nodes (2: they share a Redis started here, the caller
                     on the first, the callee on the second); the floor runs on as many (default 2)
  --calls N          calls, and floor messages (default 50)
  --server-bin PATH  run another build of parley-server
  --cpu-prof DIR     write each node's CPU profile (node --cpu-prof) to DIR
  --json FILE        write the figures as JSON
  -h, --help         this text`;
const values = benchOptions(
  {
    nodes: { type: 'string', default: '2' },
    calls: { type: 'string', default: '50' },
    'server-bin': { type: 'string' },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
  },
  USAGE,
);
const nodes = wholeNumber(values, 'nodes', 1);
const calls = wholeNumber(values, 'calls', 1);
const now = () => performance.now();
const MEDIA = { audio: true, video: false };

const team = await seedTeam(2);
const logDir = mkdtempSync(path.join(tmpdir(), 'parley-one-call-'));
const server = await startParleyNodes(nodes, {
  dataDir: team.dataDir,
  // One client sends about 13 messages per call, faster than the default 20/s allows.
  env: { PARLEY_LOG_LEVEL: 'warn', PARLEY_RING_TIMEOUT_S: '30', PARLEY_MESSAGE_RATE: '1000', PARLEY_MESSAGE_BURST: '1000' },
  bin: values['server-bin'] ? path.resolve(values['server-bin']) : PARLEY_BIN,
  nodeArgs: values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(values['cpu-prof'])}`] : [],
  logFile: path.join(logDir, 'parley.log'),
});

function open(c, url) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { auth: { token: c.token, status: 'available', device: `one-${c.username}` }, transports: ['websocket'], forceNew: true, reconnection: false });
    socket.once('session:ready', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}
const ack = (s, event, payload) =>
  new Promise((resolve, reject) =>
    s.timeout(15_000).emit(event, payload, (err, reply) => (err ? reject(err) : reply.ok ? resolve(reply) : reject(new Error(`${event}: ${reply.code}`)))),
  );
const next = (s, event) => new Promise((resolve) => s.once(event, resolve));

const [callerRef, calleeRef] = team.clients;
const caller = await open(callerRef, server.urls[0]);
const callee = await open(calleeRef, server.urls[1 % server.urls.length]);
const steps = {};
const time = (name, since) => (steps[name] ??= []).push(now() - since);

const cpu0 = server.cpu();
const writes = () => server.pids.map(writeCalls);
const writes0 = writes();
try {
  for (let i = 0; i < calls; i++) {
    const t0 = now();
    // When the ring arrives, not when it is awaited: the caller's acknowledgement may come after it.
    const incoming = next(callee, 'call:incoming').then(() => now());
    const { callId } = await ack(caller, 'call:invite', { to: calleeRef.username, media: MEDIA });
    time('invite acknowledged', t0);
    (steps['ring at the callee (time to ring)'] ??= []).push((await incoming) - t0);
    let t = now();
    const accepted = next(caller, 'call:accepted');
    await ack(callee, 'call:accept', { callId });
    time('accept acknowledged', t);
    await accepted;
    time('call:accepted at the caller', t);
    // The exchange the load generator runs: offer, answer, two candidates each way.
    t = now();
    const offer = next(callee, 'call:signal');
    await ack(caller, 'call:signal', { callId, description: { type: 'offer', sdp: OFFER_SDP } });
    await offer;
    time('one relayed signal (offer)', t);
    const answer = next(caller, 'call:signal');
    await ack(callee, 'call:signal', { callId, description: { type: 'answer', sdp: ANSWER_SDP } });
    await answer;
    for (const [from, to] of [[caller, callee], [callee, caller], [caller, callee], [callee, caller]]) {
      const got = next(to, 'call:signal');
      await ack(from, 'call:signal', { callId, candidate: CANDIDATE });
      await got;
    }
    t = now();
    const ended = next(callee, 'call:ended');
    await ack(caller, 'call:hangup', { callId });
    time('hang-up acknowledged', t);
    await ended;
    time('call:ended at the callee', t);
    time('whole call, invite to call:ended', t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  // CPU of the servers (both nodes and Redis) per call: what a setup costs, whatever the machine's load.
  steps.serverCpuMsPerCall = [((server.cpu() - cpu0) * 1000) / calls];
  // Write system calls per call of each server process: the messages between them (and to the clients).
  steps.writesPerCall = writes().map((w, i) => Math.round((w - (writes0[i] ?? 0)) / calls));
} finally {
  caller.close();
  callee.close();
  await server.stop();
}

// The floor: a bare relay's message from the caller's node to the callee's, one at a time (baseline-server.mjs).
const floor = await startBaselineNodes(nodes, { logFile: path.join(logDir, 'baseline.log') });
try {
  const connectBare = (url) =>
    new Promise((resolve, reject) => {
      const socket = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      socket.once('connect', () => resolve(socket));
      socket.once('connect_error', reject);
    });
  const from = await connectBare(floor.urls[0]);
  const to = await connectBare(floor.urls[1 % floor.urls.length]);
  // The adapter's subscription to the callee's room is in place once its connection is.
  for (let i = 0; i < calls; i++) {
    const t0 = now();
    const got = next(to, 'signal');
    from.emit('signal', to.id, { n: i });
    await got;
    time('bare relay, one message (the floor)', t0);
    await new Promise((r) => setTimeout(r, 5));
  }
  from.close();
  to.close();
} finally {
  await floor.stop();
}

const { serverCpuMsPerCall, writesPerCall, ...timed } = steps;
const result = Object.fromEntries(Object.entries(timed).map(([k, v]) => [k, summarize(v, [50, 95])]));
const cpuMs = Math.round((serverCpuMsPerCall?.[0] ?? NaN) * 10) / 10;
console.log(`${nodes} node(s), ${calls} calls one at a time (ms):`);
for (const [k, p] of Object.entries(result)) console.log(`  ${k.padEnd(36)} p50 ${String(p.p50).padStart(7)}  p95 ${String(p.p95).padStart(7)}`);
console.log(`  server CPU per call (nodes${nodes > 1 ? ' and Redis' : ''})   ${cpuMs} ms`);
console.log(`  write system calls per call           ${writesPerCall?.join(' + ')} (${nodes > 1 ? 'each node, then Redis' : 'the server'})`);
const ring = result['ring at the callee (time to ring)']?.p50;
const bare = result['bare relay, one message (the floor)']?.p50;
const ringOverFloor = ring && bare ? Math.round((ring / bare) * 100) / 100 : null;
console.log(`  time to ring over the floor, p50      ${ringOverFloor}x`);
if (values.json) writeFileSync(values.json, JSON.stringify({ nodes, calls, steps: result, ringOverFloor, serverCpuMsPerCall: cpuMs, writesPerCall }, null, 1));
