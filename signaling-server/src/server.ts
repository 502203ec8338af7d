/**
 * Builds and starts one server node from a Config, and stops it cleanly:
 * tell clients, end ringing calls, close connections (clients reconnect and
 * resume their answered calls), close the store.
 */
import './validation-messages.js';
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { hashParams, PARAMS } from './accounts/passwords.js';
import { RevocationWatcher } from './accounts/revocation-watcher.js';
import { UserRepository } from './accounts/users.js';
import { LoginThrottle } from './auth/login-throttle.js';
import { SignOuts } from './auth/sign-outs.js';
import { loadOrCreateSecret, loadOrCreateStoredSecret, TokenService } from './auth/tokens.js';
import { CallService } from './calls/call-service.js';
import { LocalCallTimers } from './calls/call-timers.js';
import { PersistentRooms } from './calls/persistent-rooms.js';
import { RoomCodes } from './calls/room-codes.js';
import { RoomListing } from './calls/room-listing.js';
import { RoomOwner } from './calls/room-owner.js';
import type { SharedState } from './cluster/shared-state.js';
import { isLoopback, type Config } from './config.js';
import { openStore, pingDatabase, type Database } from './db/database.js';
import { writePidFile } from './db/pid-file.js';
import { HistoryRepository } from './history/history-repository.js';
import { createHttpApp } from './http/app.js';
import { hostPolicy } from './http/hosts.js';
import { memoryLimiter } from './limits.js';
import { createLogger, type Logger } from './logger.js';
import { startMemoryTrimmer } from './memory-trim.js';
import { Metrics } from './metrics.js';
import { Retention } from './retention.js';
import { AccountLimits } from './realtime/account-limits.js';
import { PresenceService } from './realtime/presence-service.js';
import { attachRealtime, createIo } from './realtime/socket-server.js';
import { TEST_CALL_MAX_MS, TestCalls } from './testcall/test-calls.js';
import { MemoryTestCallClaims, RedisTestCallClaims } from './testcall/test-call-claims.js';
import { TokenRefresher } from './realtime/token-refresh.js';
import { MemoryPlacement, RedisPlacement } from './sfu/placement.js';
import { NO_SFU, SFU_CALL_LIMIT } from './sfu/sfu.js';
import type { ParleyServer } from './realtime/types.js';
import { createMemoryStores } from './stores/memory.js';
import { VERSION } from './version.js';
import { GreetingRepository } from './voicemail/greetings.js';
import { VoicemailMetrics } from './voicemail/voicemail-metrics.js';
import { VoicemailRepository } from './voicemail/voicemail-repository.js';
import { VoicemailService } from './voicemail/voicemail-service.js';

/** How long shutdown waits for clients to receive their last messages. */
const SHUTDOWN_FLUSH_MS = 1500;

/**
 * Closes every client's transport once what is queued for it has been sent
 * (io.close() would drop those buffers), waiting at most `timeoutMs`. A
 * transport close, unlike a Socket.IO disconnect, lets clients reconnect by
 * themselves when the server is back.
 */
async function disconnectAll(io: ParleyServer, timeoutMs: number): Promise<void> {
  const sockets = [...io.of('/').sockets.values()];
  const gone = sockets.map((s) => new Promise<void>((resolve) => s.conn.once('close', () => resolve())));
  for (const s of sockets) s.conn.close();
  await Promise.race([Promise.all(gone), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}

/** Resolves when every socket has closed, or after `timeoutMs`. */
async function closedWithin(sockets: Socket[], timeoutMs: number): Promise<void> {
  const closed = sockets.map((s) => (s.closed ? Promise.resolve() : new Promise<void>((resolve) => s.once('close', () => resolve()))));
  await Promise.race([Promise.all(closed), new Promise((resolve) => setTimeout(resolve, timeoutMs).unref())]);
}

export interface ServerOptions {
  logger?: Logger;
  /** How often account changes from the admin CLI are picked up. */
  accountPollMs?: number;
  /** How long a test call may run (tests shorten it). */
  testCallMaxMs?: number;
  /** How often connected sessions are checked for a token to refresh (token-refresh.ts). */
  tokenSweepMs?: number;
  /** How often the SFU's handles are checked against live calls (sfu-service.ts, SWEEP_MS). */
  sfuSweepMs?: number;
}

export interface RunningServer {
  /** http(s)://host:port of this node. */
  url: string;
  port: number;
  io: ParleyServer;
  db: Database;
  /** Acts on account changes (revocations, the live directory) made anywhere; polls on its own. */
  revocations: RevocationWatcher;
  /** Deletes call history past PARLEY_HISTORY_DAYS; prunes on its own every hour. */
  retention: Retention;
  /** Deletes voicemail past PARLEY_VOICEMAIL_DAYS; prunes on its own every hour. */
  voicemailRetention: Retention;
  /** The session ids on this node that get `username`'s presence changes (tests, diagnostics). */
  presenceWatchers(username: string): string[];
  /** Stops the node; safe to call more than once. */
  close(): Promise<void>;
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger(config.logLevel);
  // Throws outside the test suites; inside them, says so.
  if (hashParams() !== PARAMS) log.warn('PARLEY_TEST_CHEAP_HASHES: new password hashes are cheap to crack (test suites only)');
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, dbSync: config.dbSync }, log.child({ module: 'db' }));
  const { db } = store;
  const users = new UserRepository(db);
  const history = new HistoryRepository(db);
  const startedAt = Date.now();
  const secret = store.dialect === 'postgres' ? await loadOrCreateStoredSecret(db) : loadOrCreateSecret(config.dataDir);
  const tokens = new TokenService(secret, config.tokenTtlS);
  const signOuts = new SignOuts(db, config.tokenTtlS);
  const node = randomUUID();
  let shared: SharedState | undefined;
  try {
    // Loaded only for a Redis URL: a single node never loads the Redis client and adapter (a faster start).
    if (config.redisUrl) shared = await (await import('./cluster/shared-state.js')).connectSharedState(config.redisUrl, node, log);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const stores = shared?.stores ?? createMemoryStores();

  const metrics = new Metrics(stores, () => io.of('/').sockets.size);
  const hosts = hostPolicy(config);
  const voicemails = new VoicemailRepository(db, store.dialect);
  const voicemail = new VoicemailService({
    messages: voicemails,
    greetings: new GreetingRepository(db),
    users,
    io: () => io,
    limiter: shared?.limiter ?? memoryLimiter,
    maxSeconds: config.voicemailMaxS,
    mailbox: { count: config.voicemailCount, bytes: config.voicemailMb * 1024 * 1024 },
    metrics: new VoicemailMetrics(metrics.registry, voicemails),
    log: log.child({ module: 'voicemail' }),
  });
  // The app is the server's request handler before Socket.IO attaches, so
  // Socket.IO can take its own path (/socket.io/) away from it.
  const app = createHttpApp({
    version: VERSION,
    registration: config.registration,
    inviteCode: config.inviteCode,
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    users,
    tokens,
    signOuts,
    throttle: new LoginThrottle(shared?.limiter),
    limiter: shared?.limiter,
    metrics,
    log: log.child({ module: 'http' }),
    healthChecks: [{ name: 'database', check: () => pingDatabase(db) }, ...(shared ? [{ name: 'redis', check: () => shared.redis.ping() }] : [])],
    sessions: () => io.of('/').sockets.size,
    webRoot: config.webRoot,
    metricsToken: config.metricsToken,
    hosts,
    tls: config.tls !== undefined,
    voicemail,
    statuses: (names) => stores.presence.statuses(names),
  });
  const httpServer: HttpServer = config.tls ? createHttpsServer(config.tls, app) : createHttpServer(app);
  const io = createIo(httpServer, config.allowedOrigins, metrics, hosts);
  // Every TCP connection, upgraded ones too (the HTTP server stops tracking a
  // WebSocket once upgraded): shutdown drops those that never answer its close.
  const connections = new Set<Socket>();
  httpServer.on('connection', (socket: Socket) => {
    connections.add(socket);
    socket.once('close', () => connections.delete(socket));
  });
  const encodeBroadcast = shared?.attach(io);
  const presence = new PresenceService(io, stores, users, config.presenceWindowMs, config.presenceBatchMs, { windowMs: config.presenceBurstMs, from: config.presenceBurstFrom });
  await presence.start();
  // Counts shared by every node when there are several, so no limit is multiplied by the number of nodes.
  const limiter = shared?.limiter ?? memoryLimiter;
  const limits = new AccountLimits(limiter, config);
  const rooms = new PersistentRooms(db);
  const listing = new RoomListing({ io, stores, users, rooms, log: log.child({ module: 'rooms' }) });
  const calls = new CallService({
    io,
    stores,
    users,
    history,
    presence,
    metrics,
    ringTimeoutMs: config.ringTimeoutS * 1000,
    graceMs: config.callGraceS * 1000,
    timers: shared?.timers ?? new LocalCallTimers((err, timer) => log.error({ err, timer }, 'a call timer failed')),
    ...(encodeBroadcast && { encodeBroadcast }),
    // On the SFU a call holds what a Janus room does; it moves there at sfuFrom people, or past the mesh limit.
    callLimit: config.sfu ? SFU_CALL_LIMIT : config.meshLimit,
    sfuFrom: config.sfu ? Math.min(config.sfuFrom, config.meshLimit + 1) : null,
    roomCodes: new RoomCodes(limiter),
    rooms,
    listing,
    limits,
    log: log.child({ module: 'calls' }),
  });
  // Answered calls of the previous run wait for their devices to claim them.
  await calls.recoverAfterRestart(startedAt);
  let closing = false;
  const testCalls = new TestCalls(
    { enabled: config.testCall !== 'off', lan: config.testCall === 'lan', behindProxy: config.trustProxy.length > 0, max: config.testCallMax, maxMs: options.testCallMaxMs ?? TEST_CALL_MAX_MS },
    // One per account however the nodes share the devices.
    shared ? new RedisTestCallClaims(shared.redis) : new MemoryTestCallClaims(),
    log.child({ module: 'testcall' }),
    metrics.registry,
  );
  const refresher = new TokenRefresher(tokens, () => io.of('/').sockets.values(), log.child({ module: 'realtime' }), options.tokenSweepMs);
  refresher.run();
  // Janus's client library only where there is a Janus (sfu/sfu.ts).
  const sfu = config.sfu
    ? new (await import('./sfu/sfu-service.js')).SfuService({
        io,
        calls,
        log: log.child({ module: 'sfu' }),
        janus: { urls: config.sfu.janusUrls, adminKey: config.sfu.adminKey, apiSecret: config.sfu.apiSecret },
        placement: shared ? new RedisPlacement(shared.redis) : new MemoryPlacement(),
        liveCalls: stores.calls,
        sweepMs: options.sfuSweepMs,
      })
    : NO_SFU;

  const directory = attachRealtime({
    testCalls,
    io,
    stores,
    users,
    tokens,
    history,
    presence,
    calls,
    limits,
    roomOwner: new RoomOwner(stores, rooms, users, history, listing),
    listing,
    sfu,
    maxDevices: config.maxDevices,
    metrics,
    log: log.child({ module: 'realtime' }),
    ice: config,
    messageRate: config.messageRate,
    messageBurst: config.messageBurst,
    floodDisconnect: config.floodDisconnect,
    closing: () => closing,
    // The registry is made below, before the server listens.
    cutOff: () => registry?.cutOff ?? false,
    refresher,
  });
  const watcher = new RevocationWatcher(io, users, log.child({ module: 'accounts' }), options.accountPollMs ?? 1000, (events) =>
    directory.announce(events),
  );
  await watcher.start();
  const retention = new Retention('call history', config.historyDays, (before) => history.prune(before), log.child({ module: 'history' }));
  retention.start();
  const voicemailRetention = new Retention('voicemail', config.voicemailDays, (before) => voicemails.prune(before), log.child({ module: 'voicemail' }));
  voicemailRetention.start();
  const registry = shared?.registry({
    timeoutMs: config.nodeTimeoutMs,
    localSessions: () => [...io.of('/').sockets.keys()],
    sessionLost: async (session) => {
      await calls.disconnected(session);
      await presence.refresh(session.username);
    },
    resync: (reason) => {
      const at = Date.now();
      void (async () => {
        // Ringing calls were lost with the data: their devices hear so before they reconnect.
        if (reason === 'data-lost') await calls.endLostRinging(at).catch((err: unknown) => log.error({ err }, 'ending lost ringing calls failed'));
        // Clients reconnect by themselves after a transport close and resume their answered calls.
        for (const s of io.of('/').sockets.values()) s.conn.close();
        if (reason === 'data-lost') await calls.recoverAfterRestart(at, true).catch((err: unknown) => log.error({ err }, 'recovering calls failed'));
      })();
    },
  });
  await registry?.start();

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const trimmer = config.mallocTrimMs > 0 ? startMemoryTrimmer(log, config.mallocTrimMs) : undefined;
  // Tells `parley-server restore` that this data dir's file is in use.
  const removePidFile = store.dialect === 'sqlite' ? writePidFile(config.dataDir) : () => undefined;
  const { port } = httpServer.address() as AddressInfo;
  const hostInUrl = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  const url = `${config.tls ? 'https' : 'http'}://${hostInUrl}:${port}`;
  log.info(
    { url, store: store.location, registration: config.registration, webRoot: config.webRoot, version: VERSION, node, shared: shared !== undefined },
    'parley-server listening',
  );
  if (!isLoopback(config.host) && !config.tls && config.trustProxy.length === 0) {
    log.warn(
      { host: config.host },
      `listening on ${config.host} without TLS and without PARLEY_TRUST_PROXY: passwords and sign-in tokens cross the network readable by anyone on the way; ` +
        'serve HTTPS with PARLEY_TLS_CERT and PARLEY_TLS_KEY, or put a TLS proxy in front and set PARLEY_TRUST_PROXY to its address',
    );
  }
  if (config.sfu && config.sfu.apiSecret === undefined) {
    log.warn("PARLEY_JANUS_API_SECRET is not set: Janus's API answers whoever reaches its port; set api_secret in janus.jcfg and the same value here");
  }
  if (!hosts) log.info('the Host header is not checked (no PARLEY_PUBLIC_URL, and not on loopback alone): set PARLEY_PUBLIC_URL to refuse other names');

  let closed: Promise<void> | undefined;
  const close = () =>
    (closed ??= (async () => {
      log.info('shutting down');
      watcher.stop();
      retention.stop();
      voicemailRetention.stop();
      refresher.stop();
      trimmer?.stop();
      httpServer.close(); // stop accepting; live connections stay until told
      io.emit('server:closing', { reason: 'shutdown' });
      // Ringing calls end; answered ones keep their media (peer to peer) and
      // are claimed again by both sides when the server is back. With other
      // nodes going on, only the calls of this node's devices, and its devices
      // count as disconnected: their clients reconnect to another node and resume.
      if (registry) {
        const devices = new Set([...io.of('/').sockets.values()].map((s) => s.data.device));
        // With Redis away this cannot be done now: the other nodes do it once this node's key runs out.
        await calls.endRinging('failed', devices).catch((err: unknown) => log.warn({ err }, 'could not end ringing calls: Redis is unreachable'));
        await registry.leave();
      } else await calls.endRinging('failed');
      calls.dispose();
      testCalls.closeAll();
      presence.stop();
      closing = true;
      await disconnectAll(io, SHUTDOWN_FLUSH_MS);
      await sfu.close();
      // A client whose address vanished never completes the WebSocket close
      // (30 s and more): what is still open after a last flush period is dropped.
      await closedWithin([...connections], SHUTDOWN_FLUSH_MS);
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => {
        void io.close(() => resolve());
        httpServer.closeAllConnections();
      });
      await shared?.close();
      await db.destroy();
      removePidFile();
      log.info('stopped');
    })());

  const presenceWatchers = (username: string) => presence.watches.watchersOf(username).map((s) => s.id);
  return { url, port, io, db, revocations: watcher, retention, voicemailRetention, presenceWatchers, close };
}
