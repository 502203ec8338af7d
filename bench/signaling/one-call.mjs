#!/usr/bin/env node
// One call at a time between two clients, step by step: where a setup's time
// goes without load. With --nodes 2 the caller is on one node and the callee
// on the other, so every step crosses nodes through Redis.
//   node bench/signaling/one-call.mjs [--nodes 2] [--calls 50] [--server-bin PATH] [--cpu-prof DIR] [--json FILE]
// (build first: npm run build -w signaling-server)
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';
import { ANSWER_SDP, CANDIDATE, OFFER_SDP } from './payloads.mjs';
import { seedTeam } from './seed.mjs';
import { PARLEY_BIN, startParleyNodes, writeCalls } from './servers.mjs';
import { summarize } from './stats.mjs';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '2' },
    calls: { type: 'string', default: '50' },
    'server-bin': { type: 'string' },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
  },
});
const nodes = Number(values.nodes);
const calls = Number(values.calls);
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
    const incoming = next(callee, 'call:incoming');
    const { callId } = await ack(caller, 'call:invite', { to: calleeRef.username, media: MEDIA });
    time('invite acknowledged', t0);
    await incoming;
    time('ring at the callee (time to ring)', t0);
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

const { serverCpuMsPerCall, writesPerCall, ...timed } = steps;
const result = Object.fromEntries(Object.entries(timed).map(([k, v]) => [k, summarize(v, [50, 95])]));
const cpuMs = Math.round((serverCpuMsPerCall?.[0] ?? NaN) * 10) / 10;
console.log(`${nodes} node(s), ${calls} calls one at a time (ms):`);
for (const [k, p] of Object.entries(result)) console.log(`  ${k.padEnd(36)} p50 ${String(p.p50).padStart(7)}  p95 ${String(p.p95).padStart(7)}`);
console.log(`  server CPU per call (nodes${nodes > 1 ? ' and Redis' : ''})   ${cpuMs} ms`);
console.log(`  write system calls per call           ${writesPerCall?.join(' + ')} (${nodes > 1 ? 'each node, then Redis' : 'the server'})`);
if (values.json) writeFileSync(values.json, JSON.stringify({ nodes, calls, steps: result, serverCpuMsPerCall: cpuMs, writesPerCall }, null, 1));
