#!/usr/bin/env node
// `npm run bench:signaling`: the signaling server's capacity and latency,
// against a bare Socket.IO relay started in the same run. See BENCHMARKS.md.
//
//   npm run bench:signaling -- [--clients N] [--duration S] [--rate R] [--quick] [--nodes 2]
//
// Writes bench/results/signaling.json (signaling-2-nodes.json with --nodes 2,
// or --out FILE) and prints a table.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { gitCommit } from '../commit.mjs';
import { contactsOf, username, watcherCounts } from './contacts.mjs';
import { seedTeam } from './seed.mjs';
import { cpuSeconds, startBaseline, startParleyNodes } from './servers.mjs';
import { measureStartup } from './startup.mjs';
import { round, summarize } from './stats.mjs';

const root = path.resolve(import.meta.dirname, '../..');

const USAGE = `npm run bench:signaling -- [options]

  --clients N         concurrent clients (default 10000)
  --duration S        seconds of call setups, and of the relay measurement (default 30)
  --rate R            call setups per second while every client stays connected (default 100)
  --quick             a small run for smoke checks: 1000 clients, 3 s, 50 setups/s (under 45 s)
  --workers W         load-generator threads (default 2)
  --window K          handshakes in flight per thread during the login storm (default 250)
  --transport T       websocket | polling (polling first, then upgrade, as browsers do; default websocket)
  --relay-rate M      call:signal messages per second over all pairs in the relay measurement (default 500)
  --relay-pairs P     calls that relay in the relay measurement (default 100)
  --presence-sizes L  team sizes for presence fan-out, comma-separated (default 100,1000,10000, those ≤ clients)
  --presence-changes C status changes per team size (default 20)
  --skip-watch        clients watch no contacts (for servers without presence:watch)
  --settle S          seconds the servers sit idle, every client connected, before memory is read (default 5)
  --cpu-prof DIR      run parley-server with node --cpu-prof, writing profiles to DIR
  --server-bin FILE   another build's bin/parley-server.js, for before/after comparisons
  --nodes N           parley-server nodes sharing state through a Redis started by the run (default 1);
                      clients alternate between the nodes, so most calls and presence cross nodes
  --startup-runs N    starts of each server for start to listening, on the seeded data dir (default 10, --quick 3)
  --out FILE          where to write the JSON (default bench/results/signaling.json, or signaling-N-nodes.json)
`;

const TARGETS = {
  clients: 10_000,
  loginStormSeconds: 15,
  timeToRingP99Ms: 15,
  timeToRingAtSetupsPerSecond: 100,
  relayRatioP50: 1.3,
  rssBytesPerClient: 20 * 1024,
  startToListeningMs: 300,
};

/** What parley-server runs with here; each differs from a default only where said. */
const SERVER_ENV = {
  PARLEY_LOG_LEVEL: 'info', // the default: production logs, written to a file
  // Defaults (20/s, burst 100, disconnect after 100 refusals): the clients
  // here send at most about 8 messages per call, so no limit is touched and a
  // rate_limited refusal would be an error of the run.
  PARLEY_MESSAGE_RATE: '20',
  PARLEY_MESSAGE_BURST: '100',
  PARLEY_FLOOD_DISCONNECT: '100',
  // A call never rings longer than the benchmark waits for it.
  PARLEY_RING_TIMEOUT_S: '30',
};

function options(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      clients: { type: 'string' },
      duration: { type: 'string' },
      rate: { type: 'string' },
      quick: { type: 'boolean', default: false },
      workers: { type: 'string', default: '2' },
      window: { type: 'string', default: '250' },
      transport: { type: 'string', default: 'websocket' },
      'relay-rate': { type: 'string', default: '500' },
      'relay-pairs': { type: 'string', default: '100' },
      'presence-sizes': { type: 'string' },
      'presence-changes': { type: 'string', default: '20' },
      'skip-watch': { type: 'boolean', default: false },
      settle: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'server-bin': { type: 'string' },
      nodes: { type: 'string', default: '1' },
      'startup-runs': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name, v, min) => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min} (got "${v}")`);
    return n;
  };
  const quick = values.quick;
  const clients = num('clients', values.clients ?? (quick ? 1000 : 10_000), 4);
  const sizes = values['presence-sizes']
    ? values['presence-sizes'].split(',').map((s) => num('presence-sizes', s, 2))
    : [100, 1000, 10_000].filter((s) => s <= clients);
  if (!['websocket', 'polling'].includes(values.transport)) throw new Error('--transport must be websocket or polling');
  return {
    clients,
    durationS: num('duration', values.duration ?? (quick ? 3 : 30), 1),
    rate: num('rate', values.rate ?? (quick ? 50 : 100), 1),
    quick,
    workers: num('workers', values.workers, 1),
    window: num('window', values.window, 1),
    transport: values.transport,
    relayRate: num('relay-rate', values['relay-rate'], 1),
    relayPairs: Math.min(num('relay-pairs', values['relay-pairs'], 1), Math.floor(clients / 4)),
    presenceSizes: sizes.length > 0 ? sizes : [clients],
    presenceChanges: num('presence-changes', values['presence-changes'], 1),
    watch: !values['skip-watch'],
    settleMs: 1000 * num('settle', values.settle ?? (quick ? 2 : 5), 0.5),
    serverBin: values['server-bin'] ? path.resolve(values['server-bin']) : undefined,
    cpuProf: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
    nodes: num('nodes', values.nodes, 1),
    startupRuns: num('startup-runs', values['startup-runs'] ?? (quick ? 3 : 10), 1),
    out: path.resolve(
      values.out ?? path.join(root, 'bench/results', Number(values.nodes) > 1 ? `signaling-${Number(values.nodes)}-nodes.json` : 'signaling.json'),
    ),
  };
}

// ------------------------------------------------------------- the threads

class Generator {
  constructor(count) {
    this.workers = Array.from({ length: count }, () => new Worker(new URL('./load-worker.mjs', import.meta.url)));
    this.seq = 0;
    this.pending = new Map();
    this.errors = {};
    this.errorSamples = [];
    for (const w of this.workers) {
      w.on('message', (m) => {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        for (const [k, v] of Object.entries(m.errors ?? {})) this.errors[k] = (this.errors[k] ?? 0) + v;
        this.errorSamples.push(...(m.errorSamples ?? []));
        if (m.failed) p?.reject(new Error(m.failed));
        else p?.resolve(m);
      });
      // A thread that dies fails the run at once, not at the next command it would never answer.
      const dead = (err) => {
        this.failure ??= err;
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      };
      w.on('error', dead);
      w.on('exit', (code) => dead(new Error(`a load-generator thread exited (${code})`)));
    }
  }

  /** Sends a command to one thread. */
  ask(index, msg) {
    const id = ++this.seq;
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[index].postMessage({ ...msg, id });
    });
  }

  /** Sends a command to every thread, `each(i)` adding thread-specific fields. */
  all(msg, each = () => ({})) {
    return Promise.all(this.workers.map((_, i) => this.ask(i, { ...msg, ...each(i) })));
  }

  get errorCount() {
    return Object.values(this.errors).reduce((a, b) => a + b, 0);
  }

  stop() {
    this.failure ??= new Error('stopped');
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Contiguous slices, so a thread's calls stay between its own clients. */
function slices(list, n) {
  const size = Math.ceil(list.length / n);
  return Array.from({ length: n }, (_, i) => list.slice(i * size, (i + 1) * size));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => round(ms / 1000, 2);

/** CPU seconds this process (every generator thread) has used. */
function ownCpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}


// ----------------------------------------------------------------- phases

async function connectAll(gen, { url, mode, list, opts }) {
  const parts = slices(list, gen.workers.length);
  const t0 = performance.now();
  const replies = await gen.all({ type: 'connect', url, mode, window: opts.window, transports: transportsFor(opts) }, (i) => ({
    list: parts[i],
  }));
  const stormMs = performance.now() - t0;
  return {
    connected: replies.reduce((n, r) => n + r.connected, 0),
    stormMs,
    readyMs: summarize(replies.flatMap((r) => r.readyMs)),
  };
}

/** Client i connects to node i mod N: neighbours, who call each other, are on different nodes. */
const spread = (list, urls) => (urls.length === 1 ? list : list.map((c, i) => ({ ...c, url: urls[i % urls.length] })));

const transportsFor = (opts) => (opts.transport === 'polling' ? ['polling', 'websocket'] : ['websocket']);

async function relay(gen, mode, opts) {
  const W = gen.workers.length;
  const replies = await gen.all({
    type: 'relay',
    mode,
    pairs: Math.max(1, Math.floor(opts.relayPairs / W)),
    rate: opts.relayRate / W,
    durationS: Math.min(opts.durationS, 20),
  });
  return summarize(replies.flatMap((r) => r.latencyMs), [50, 95, 99]);
}

async function presenceFanOut(gen, size, owner, opts) {
  const watchers = watcherCounts(size);
  const changes = Math.min(opts.presenceChanges, size);
  await sleep(500);
  await gen.all({ type: 'presence:count' });
  let expected = 0;
  for (let k = 0; k < changes; k++) {
    const i = Math.floor(((k + 0.5) * size) / changes);
    const { worker, index } = owner(i);
    // One device per user: its own device gets the delta too.
    expected += 2 * (watchers[i] + 1);
    await gen.ask(worker, { type: 'presence:set', index, status: 'away' });
    await sleep(50);
    await gen.ask(worker, { type: 'presence:set', index, status: 'available' });
    await sleep(50);
  }
  // The last "available" is held to the end of its user's presence window (1 s by default).
  await sleep(2000);
  const received = (await gen.all({ type: 'presence:count' })).reduce((n, r) => n + r.received, 0);
  return {
    teamSize: size,
    changes: 2 * changes,
    messagesPerChange: round(received / (2 * changes), 1),
    expectedPerChange: round(expected / (2 * changes), 1),
  };
}

/** Who holds global client `i`: the thread and its index there. */
function ownerOf(total, threads) {
  const size = Math.ceil(total / threads);
  return (i) => ({ worker: Math.floor(i / size), index: i % size });
}

// ------------------------------------------------------------------- main

async function main() {
  const opts = options(process.argv.slice(2));
  const IDLE_MS = opts.settleMs;
  const command = `npm run bench:signaling -- ${process.argv.slice(2).join(' ')}`.trim();
  const logDir = path.join(os.tmpdir(), `parley-bench-logs-${process.pid}`);
  mkdirSync(logDir, { recursive: true });
  const log = (s) => console.error(`[bench] ${s}`);
  const loadStart = os.loadavg();
  log(`load average ${loadStart.map((l) => l.toFixed(2)).join(' ')}; ${opts.clients} clients, ${opts.workers} threads, logs in ${logDir}`);

  const gen = new Generator(opts.workers);
  const cleanup = [];
  const result = {};
  // Ctrl-C (or a timeout) stops the servers this run started, then exits.
  const interrupted = (signal) => {
    log(`${signal}: stopping`);
    void Promise.allSettled(cleanup.reverse().map((fn) => fn())).then(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    // --- seed
    let t = performance.now();
    const team = await seedTeam(opts.clients);
    cleanup.push(() => rmSync(team.dataDir, { recursive: true, force: true }));
    const contacts = (i, size) => (opts.watch ? contactsOf(i, size).map(username) : []);
    const list = team.clients.map((c, i) => ({ ...c, contacts: contacts(i, opts.clients) }));
    log(`seeded ${opts.clients} accounts and tokens in ${seconds(performance.now() - t)} s`);

    // --- start to listening, on the data dir just made
    result.startToListeningMs = await measureStartup({ dataDir: team.dataDir, runs: opts.startupRuns, env: SERVER_ENV, bin: opts.serverBin });
    log(`start to listening p50: parley ${result.startToListeningMs.parley.p50} ms, bare relay ${result.startToListeningMs.baseline.p50} ms`);

    // --- baseline: the bare relay
    const base = await startBaseline({ logFile: path.join(logDir, 'baseline.log') });
    cleanup.push(() => base.stop());
    await sleep(Math.min(1000, IDLE_MS));
    const baseRss0 = base.rss();
    const baseHeap0 = await base.heapUsed();
    let baseCpu = cpuSeconds(base.pid);
    const baseConn = await connectAll(gen, { url: base.url, mode: 'baseline', list: list.map(({ username: u }) => ({ username: u })), opts });
    const baseStormCpu = cpuSeconds(base.pid) - baseCpu;
    baseCpu = cpuSeconds(base.pid);
    await sleep(IDLE_MS);
    const baseIdleCpu = cpuSeconds(base.pid) - baseCpu;
    const baseRss1 = base.rss();
    const baseHeap1 = await base.heapUsed();
    log(
      `baseline: ${baseConn.connected} clients in ${seconds(baseConn.stormMs)} s (server CPU ${round(baseStormCpu, 1)} s), ` +
        `+${Math.round((baseRss1 - baseRss0) / 1024 / 1024)} MiB, idle CPU ${round((100 * baseIdleCpu * 1000) / IDLE_MS, 1)} %`,
    );
    const baselineRelay = await relay(gen, 'baseline', opts);
    log(`baseline relay p50 ${baselineRelay.p50} ms over ${baselineRelay.samples} messages`);
    await gen.all({ type: 'close' });
    await base.stop();

    // --- parley-server
    const nodeArgs = opts.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProf}`] : [];
    const spawnedAt = performance.now();
    const since = () => (opts.cpuProf ? ` [profile t=${seconds(performance.now() - spawnedAt)} s]` : '');
    const server = await startParleyNodes(opts.nodes, {
      dataDir: team.dataDir,
      env: SERVER_ENV,
      nodeArgs,
      bin: opts.serverBin,
      logFile: path.join(logDir, 'parley.log'),
    });
    if (opts.nodes > 1) log(`${opts.nodes} nodes sharing a Redis: ${server.urls.join(', ')}`);
    cleanup.push(() => server.stop());
    await sleep(Math.min(1000, IDLE_MS));
    const rss0 = server.rss();
    const heap0 = await server.heapUsed();
    let cpu = server.cpu();
    let genCpu = ownCpuSeconds();
    log(`login storm${since()}`);
    const conn = await connectAll(gen, { url: server.url, mode: 'parley', list: spread(list, server.urls), opts });
    const stormCpu = server.cpu() - cpu;
    log(
      `parley: ${conn.connected} clients ready and watching in ${seconds(conn.stormMs)} s ` +
        `(CPU: server ${round(stormCpu, 1)} s, generator ${round(ownCpuSeconds() - genCpu, 1)} s)`,
    );
    cpu = server.cpu();
    await sleep(IDLE_MS);
    const idleCpu = server.cpu() - cpu;
    const rss1 = server.rss();
    const heap1 = await server.heapUsed();
    log(
      `parley idle: CPU ${round((100 * idleCpu * 1000) / IDLE_MS, 1)} % with every client connected; ` +
        `per client: RSS ${round((rss1 - rss0) / conn.connected / 1024, 1)} KB, heap ${round((heap1 - heap0) / conn.connected / 1024, 1)} KB ` +
        `(bare relay: ${round((baseRss1 - baseRss0) / baseConn.connected / 1024, 1)} KB, ${round((baseHeap1 - baseHeap0) / baseConn.connected / 1024, 1)} KB)`,
    );

    cpu = server.cpu();
    genCpu = ownCpuSeconds();
    t = performance.now();
    log(`call setups${since()}`);
    const setupReplies = await gen.all({ type: 'setups', rate: opts.rate / opts.workers, durationS: opts.durationS, timeoutMs: 10_000 });
    const setupWallS = (performance.now() - t) / 1000;
    const setupCpu = server.cpu() - cpu;
    const setupGenCpu = ownCpuSeconds() - genCpu;
    const completed = setupReplies.reduce((n, r) => n + r.completed, 0);
    const timeToRing = summarize(setupReplies.flatMap((r) => r.ringMs));
    const setup = summarize(setupReplies.flatMap((r) => r.setupMs));
    log(`setups: ${completed} in ${round(setupWallS, 1)} s, ring p99 ${timeToRing.p99} ms, CPU: server ${round((100 * setupCpu) / setupWallS, 0)} %, generator ${round((100 * setupGenCpu) / setupWallS, 0)} %`);

    log(`relay${since()}`);
    const parleyRelay = await relay(gen, 'parley', opts);
    log(`parley relay p50 ${parleyRelay.p50} ms over ${parleyRelay.samples} messages`);

    const presence = [];
    if (opts.presenceSizes.includes(opts.clients)) {
      presence.push(await presenceFanOut(gen, opts.clients, ownerOf(opts.clients, opts.workers), opts));
      log(`presence, team of ${opts.clients}: ${presence.at(-1).messagesPerChange} messages per change`);
    }
    const stillConnected = (await gen.all({ type: 'close' })).reduce((n, r) => n + r.open, 0);
    await server.stop();

    // --- presence fan-out in smaller teams, each on a server of its own
    for (const size of opts.presenceSizes.filter((s) => s !== opts.clients)) {
      const small = await seedTeam(size);
      cleanup.push(() => rmSync(small.dataDir, { recursive: true, force: true }));
      const srv = await startParleyNodes(opts.nodes, { dataDir: small.dataDir, env: SERVER_ENV, bin: opts.serverBin, logFile: path.join(logDir, `parley-${size}.log`) });
      cleanup.push(() => srv.stop());
      const smallList = small.clients.map((c, i) => ({ ...c, contacts: contacts(i, size) }));
      await connectAll(gen, { url: srv.url, mode: 'parley', list: spread(smallList, srv.urls), opts });
      presence.push(await presenceFanOut(gen, size, ownerOf(size, opts.workers), opts));
      log(`presence, team of ${size}: ${presence.at(-1).messagesPerChange} messages per change`);
      await gen.all({ type: 'close' });
      await srv.stop();
    }
    presence.sort((a, b) => a.teamSize - b.teamSize);

    Object.assign(result, {
      benchmark: 'signaling',
      command,
      date: new Date().toISOString(),
      commit: gitCommit(),
      machine: {
        cpus: os.cpus().length,
        memoryGiB: round(os.totalmem() / 2 ** 30, 1),
        node: process.version,
        loadAverageAtStart: loadStart.map((l) => round(l, 2)),
        loadAverageAtEnd: os.loadavg().map((l) => round(l, 2)),
      },
      settings: {
        nodes: opts.nodes,
        ...(opts.nodes > 1 && { sharedState: 'Redis (redis-server on loopback); clients alternate between nodes; server CPU and memory summed over the nodes, CPU with Redis' }),
        clients: opts.clients,
        durationS: opts.durationS,
        setupsPerSecond: opts.rate,
        workers: opts.workers,
        handshakeWindowPerWorker: opts.window,
        transport: opts.transport,
        relayMessagesPerSecond: opts.relayRate,
        relayPairs: opts.relayPairs,
        presenceChangesPerTeam: 2 * opts.presenceChanges,
        serverEnv: SERVER_ENV,
        contactList: 'own department (19 others) + 10 colleagues elsewhere, watched with presence:watch',
      },
      clients: Math.min(conn.connected, stillConnected),
      loginStormSeconds: seconds(conn.stormMs),
      baselineLoginStormSeconds: seconds(baseConn.stormMs),
      sessionReadyMs: conn.readyMs,
      setupsPerSecond: round(completed / opts.durationS, 1),
      timeToRingMs: timeToRing,
      setupMs: setup,
      relayMs: parleyRelay,
      baselineRelayMs: baselineRelay,
      relayRatioP50: parleyRelay.p50 && baselineRelay.p50 ? round(parleyRelay.p50 / baselineRelay.p50, 2) : null,
      rssBytesPerClient: {
        parley: Math.round((rss1 - rss0) / Math.max(1, conn.connected)),
        baseline: Math.round((baseRss1 - baseRss0) / Math.max(1, baseConn.connected)),
      },
      heapBytesPerClient: {
        parley: Math.round((heap1 - heap0) / Math.max(1, conn.connected)),
        baseline: Math.round((baseHeap1 - baseHeap0) / Math.max(1, baseConn.connected)),
      },
      serverCpu: {
        loginStormSeconds: round(stormCpu, 1),
        baselineLoginStormSeconds: round(baseStormCpu, 1),
        idlePercent: round((100 * idleCpu * 1000) / IDLE_MS, 1),
        baselineIdlePercent: round((100 * baseIdleCpu * 1000) / IDLE_MS, 1),
      },
      serverCpuPercentDuringSetups: round((100 * setupCpu) / setupWallS, 0),
      generatorCpuPercentDuringSetups: round((100 * setupGenCpu) / setupWallS, 0),
      presenceMessagesPerChange: Object.fromEntries(presence.map((p) => [String(p.teamSize), p.messagesPerChange])),
      presence,
      errors: gen.errorCount + (opts.clients - conn.connected) + (opts.clients - baseConn.connected),
      errorKinds: gen.errors,
      errorSamples: gen.errorSamples.slice(0, 20),
      targets: TARGETS,
    });
  } finally {
    for (const fn of cleanup.reverse()) await fn();
    await gen.stop();
  }
  mkdirSync(path.dirname(opts.out), { recursive: true });
  writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
  printTable(result);
  console.log(`\nwritten to ${path.relative(process.cwd(), opts.out) || opts.out}`);
  if (result.errors > 0) {
    console.log(`\n${result.errors} errors: ${JSON.stringify(result.errorKinds)}`);
    process.exitCode = 1;
  }
}


function printTable(r) {
  const kb = (b) => `${round(b / 1024, 1)} KB`;
  const p = (o, ks) => ks.map((k) => `${k} ${o[k]}`).join(' / ');
  const rows = [
    ['clients', String(r.clients), `≥ ${TARGETS.clients}`, ''],
    ['loginStormSeconds', String(r.loginStormSeconds), `< ${TARGETS.loginStormSeconds}`, `bare relay ${r.baselineLoginStormSeconds}`],
    [
      `timeToRingMs (${r.setupsPerSecond} setups/s)`,
      p(r.timeToRingMs, ['p50', 'p95', 'p99']),
      `p99 < ${TARGETS.timeToRingP99Ms} at ${TARGETS.timeToRingAtSetupsPerSecond}/s`,
      '',
    ],
    ['setupMs', p(r.setupMs, ['p50', 'p95', 'p99']), '', ''],
    ['relayMs', p(r.relayMs, ['p50', 'p99']), '', `bare relay ${p(r.baselineRelayMs, ['p50', 'p99'])}`],
    ['relayRatioP50', String(r.relayRatioP50), `≤ ${TARGETS.relayRatioP50}`, ''],
    ['rssBytesPerClient', kb(r.rssBytesPerClient.parley), `< ${kb(TARGETS.rssBytesPerClient)}`, `bare relay ${kb(r.rssBytesPerClient.baseline)}`],
    ...r.presence.map((x) => [
      `presenceMessagesPerChange (team ${x.teamSize})`,
      String(x.messagesPerChange),
      'grows with watchers',
      `watchers + own device ${x.expectedPerChange}; team-wide ${x.teamSize}`,
    ]),
    ['startToListeningMs (p50)', String(r.startToListeningMs.parley.p50), `≤ ${TARGETS.startToListeningMs}`, `bare relay ${r.startToListeningMs.baseline.p50} (×${r.startToListeningMs.ratioP50})`],
    ['errors', String(r.errors), '0', ''],
  ];
  const head = ['figure', 'value', 'target', 'baseline'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
