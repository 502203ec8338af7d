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
import { gitCommit } from '../commit.mjs';
import { contactsOf, username, watcherCounts } from './contacts.mjs';
import { seedTeam } from './seed.mjs';
import { cpuSeconds, startBaseline, startParleyNodes, writeCalls } from './servers.mjs';
import { Generator } from './generator.mjs';
import { options } from './options.mjs';
import { fullTeamWatch } from './full-team.mjs';
import { measureStartup } from './startup.mjs';
import { marginalPerClient, keptPerClient, rssAfterCollection } from './memory.mjs';
import { connectAll } from './storm.mjs';
import { printTable, TARGETS } from './table.mjs';
import { round, summarize } from './stats.mjs';

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

// ---------------------------------------------------------------- helpers


const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms) => round(ms / 1000, 2);

/** CPU seconds this process (every generator thread) has used. */
function ownCpuSeconds() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

// ----------------------------------------------------------------- phases


/** Client i connects to node i mod N: neighbours, who call each other, are on different nodes. */
const spread = (list, urls) => (urls.length === 1 ? list : list.map((c, i) => ({ ...c, url: urls[i % urls.length] })));


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
    const team = await seedTeam(opts.clients + opts.marginal);
    cleanup.push(() => rmSync(team.dataDir, { recursive: true, force: true }));
    const contacts = (i, size, offset = 0) => (opts.watch ? contactsOf(i, size).map((j) => username(offset + j)) : []);
    const list = team.clients.slice(0, opts.clients).map((c, i) => ({ ...c, contacts: contacts(i, opts.clients) }));
    // Connected at the end for the marginal memory figure: a team of their own, watching and watched as the others are.
    const late = team.clients.slice(opts.clients).map((c, i) => ({ ...c, contacts: contacts(i, opts.marginal, opts.clients) }));
    log(`seeded ${opts.clients + opts.marginal} accounts and tokens in ${seconds(performance.now() - t)} s`);

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
    const baseWrites = writeCalls(base.pid);
    const baseConn = await connectAll(gen, { url: base.url, mode: 'baseline', list: list.map(({ username: u }) => ({ username: u })), opts });
    const baseStormCpu = cpuSeconds(base.pid) - baseCpu;
    const baseStormWrites = writeCalls(base.pid) - baseWrites;
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
    const baseKept = await rssAfterCollection(base);
    const baseLate = late.map(({ username: u }) => ({ username: u }));
    const baseMarginal = opts.marginal > 0 ? await marginalPerClient(gen, base, { before: baseKept, settleMs: IDLE_MS, url: base.url, mode: 'baseline', list: baseLate, opts }) : null;
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
    const writes = () => server.pids.reduce((n, pid) => n + writeCalls(pid), 0);
    const writes0 = writes();
    log(`login storm${since()}`);
    const conn = await connectAll(gen, { url: server.url, mode: 'parley', list: spread(list, server.urls), opts });
    const stormCpu = server.cpu() - cpu;
    const stormWrites = writes() - writes0;
    log(
      `parley: ${conn.connected} clients ready and watching in ${seconds(conn.stormMs)} s ` +
        `(CPU: server ${round(stormCpu, 1)} s, generator ${round(ownCpuSeconds() - genCpu, 1)} s; ` +
        `write system calls per client: ${round(stormWrites / conn.connected, 1)}, bare relay ${round(baseStormWrites / baseConn.connected, 1)})`,
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
    const kept = await rssAfterCollection(server);
    const keptBreakdown = { parley: keptPerClient(kept, rss0, conn.connected), baseline: keptPerClient(baseKept, baseRss0, baseConn.connected) };
    const kb1 = (o) => Object.entries(o).filter(([k]) => k !== 'clients').map(([k, v]) => `${k} ${round(v / 1024, 1)}`).join(', ');
    log(`kept after a collection, KB per client: parley ${kb1(keptBreakdown.parley)}; bare relay ${kb1(keptBreakdown.baseline)}`);
    const marginal = opts.marginal > 0 ? await marginalPerClient(gen, server, { before: kept, settleMs: IDLE_MS, url: server.url, mode: 'parley', list: spread(late, server.urls), opts }) : null;
    if (marginal) log(`one client more (${marginal.clients} connected after the run), KB: parley ${kb1(marginal)}; bare relay ${kb1(baseMarginal)}`);

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

    // --- the full-team watch: everyone watching 500 others, against the bare relay's barest presence
    if (opts.fullTeam > 0) {
      log(`full-team watch: ${opts.fullTeam} clients`);
      result.fullTeamWatch = await fullTeamWatch(gen, { size: opts.fullTeam, opts, env: SERVER_ENV, bin: opts.serverBin, logDir, cleanup });
      const f = result.fullTeamWatch;
      log(`full-team watch: all see all online in ${f.seenAllSeconds} s, bare relay ${f.baselineSeenAllSeconds} s (×${f.ratio})`);
    }

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
        contactList: `own department (19 others) + 10 colleagues elsewhere, watched ${opts.watchBy === 'message' ? 'with presence:watch' : 'from the handshake (auth.watch)'}`,
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
      // What each client keeps: the RSS once V8 has collected all it can (the figure above also holds the storm's garbage).
      rssKeptBytesPerClient: {
        parley: keptBreakdown.parley.rss,
        baseline: keptBreakdown.baseline.rss,
      },
      keptAfterCollectionBytesPerClient: keptBreakdown,
      // What one client more keeps, the process's one-off costs paid (memory.mjs).
      ...(marginal && { rssMarginalBytesPerClient: { parley: marginal, baseline: baseMarginal } }),
      heapBytesPerClient: {
        parley: Math.round((heap1 - heap0) / Math.max(1, conn.connected)),
        baseline: Math.round((baseHeap1 - baseHeap0) / Math.max(1, baseConn.connected)),
      },
      serverCpu: {
        loginStormSeconds: round(stormCpu, 1),
        loginStormWritesPerClient: round(stormWrites / Math.max(1, conn.connected), 1),
        baselineLoginStormWritesPerClient: round(baseStormWrites / Math.max(1, baseConn.connected), 1),
        baselineLoginStormSeconds: round(baseStormCpu, 1),
        idlePercent: round((100 * idleCpu * 1000) / IDLE_MS, 1),
        baselineIdlePercent: round((100 * baseIdleCpu * 1000) / IDLE_MS, 1),
      },
      serverCpuPercentDuringSetups: round((100 * setupCpu) / setupWallS, 0),
      generatorCpuPercentDuringSetups: round((100 * setupGenCpu) / setupWallS, 0),
      presenceMessagesPerChange: Object.fromEntries(presence.map((p) => [String(p.teamSize), p.messagesPerChange])),
      presence,
      errors: gen.errorCount + (opts.clients - conn.connected) + (opts.clients - baseConn.connected) + (result.fullTeamWatch?.unseen ?? 0),
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

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
