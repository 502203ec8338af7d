/**
 * Test harness: real servers on port 0 with a temp data dir (and, when the
 * run is on PostgreSQL or Redis, a fresh database of their own there:
 * test-stores.ts), real socket.io-clients, and teardown of everything a
 * test started.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { io as connectClient, type Socket } from 'socket.io-client';
import { loadOrCreateSecret, loadOrCreateStoredSecret } from '../src/auth/tokens.js';
import { loadConfig, type Config } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import type {
  Ack,
  ClientEvent,
  ClientPayload,
  ClientReplies,
  ClientToServerEvents,
  LoginResponse,
  ServerToClientEvents,
  SessionReady,
} from '../src/protocol/index.js';
import { startServer, type RunningServer, type ServerOptions } from '../src/server.js';
import { afterEveryFile, afterTest } from './cleanup.js';
import { testDatabaseUrl, testRedis, testRedisUrl } from './test-stores.js';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
export type EventName = keyof ServerToClientEvents;
export type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

export function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-test-'));
  afterTest(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestServer extends RunningServer {
  dataDir: string;
  config: Config;
}

export async function startTestServer(
  overrides: Partial<Config> = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const dataDir = overrides.dataDir ?? tempDir();
  const databaseUrl = 'databaseUrl' in overrides ? overrides.databaseUrl : await testDatabaseUrl(dataDir);
  const redisUrl = 'redisUrl' in overrides ? overrides.redisUrl : await testRedisUrl();
  const config = loadConfig({}, {}, { port: 0, dataDir, databaseUrl, redisUrl, logLevel: 'silent', ...overrides });
  const server = await startServer(config, { logger: createLogger('silent'), accountPollMs: 100, ...options });
  afterTest(() => server.close());
  return { ...server, dataDir, config };
}

/** Two in-process nodes on one fresh Redis database (this file's redis-server) and one data dir, whatever the run's stores. */
export async function twoNodes(overrides: Partial<Config> = {}, options: ServerOptions = {}): Promise<[TestServer, TestServer]> {
  const redisUrl = await (await testRedis()).freshUrl();
  const dataDir = tempDir();
  const one = await startTestServer({ dataDir, redisUrl, ...overrides }, options);
  const two = await startTestServer({ dataDir, redisUrl, ...overrides }, options);
  return [one, two];
}

/** The key a server signs tokens with: its data dir's file, or on PostgreSQL the database's. */
export async function serverTokenSecret(server: TestServer): Promise<Uint8Array> {
  return server.config.databaseUrl ? loadOrCreateStoredSecret(server.db) : loadOrCreateSecret(server.dataDir);
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Usernames registered through register(), by server URL: what connect() watches by default. */
const registered = new Map<string, Set<string>>();
// Forgotten after each file: a later file's server may listen at an address this one's did.
afterEveryFile(() => registered.clear());

export async function register(server: { url: string }, username: string, displayName = capitalize(username)): Promise<LoginResponse> {
  const res = await postJson(`${server.url}/api/register`, { username, password: `${username}-password`, displayName });
  if (res.status !== 201) throw new Error(`register ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  const names = registered.get(server.url) ?? new Set();
  registered.set(server.url, names.add(username));
  return res.body as unknown as LoginResponse;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * How long a test waits for the server to acknowledge an emit: a guard against one never acknowledged, not a speed
 * check (a node's first call under CI, beside a browser run, once took over 5 s).
 */
const ACK_TIMEOUT_MS = 10_000;

/** A connected device: the socket, its session:ready, and every event it received. */
export interface Device {
  socket: Client;
  ready: SessionReady;
  received: { event: EventName; payload: unknown }[];
  events<E extends EventName>(event: E): EventPayload<E>[];
  next<E extends EventName>(event: E, match?: (p: EventPayload<E>) => boolean, timeoutMs?: number): Promise<EventPayload<E>>;
  emit<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>>;
  /** Sends anything at all, for malformed-input tests. */
  emitRaw(event: string, ...args: unknown[]): Promise<Ack>;
}

export function openSocket(url: string, auth: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): Client {
  const socket: Client = connectClient(url, {
    auth,
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    ...extra,
  });
  afterTest(() => {
    socket.disconnect();
  });
  return socket;
}

/**
 * Connects a device and waits for session:ready. Like an app showing its
 * team, the device then watches everyone register() made on this server so
 * far (one presence:watch); `watch` names others, `[]` watches nobody.
 */
export async function connect(
  server: { url: string },
  login: LoginResponse,
  auth: Record<string, unknown> = {},
  watch: string[] = [...(registered.get(server.url) ?? [])].filter((u) => u !== login.user.username),
): Promise<Device> {
  const socket = openSocket(server.url, { token: login.token, ...auth });
  const received: Device['received'] = [];
  const waiters: (() => void)[] = [];
  socket.onAny((event: EventName, payload: unknown) => {
    received.push({ event, payload });
    for (const w of [...waiters]) w();
  });
  // Socket.IO's own timeout error names nothing: say which acknowledgement never came, and to whom.
  const named = <T>(event: string, ack: Promise<T>): Promise<T> =>
    ack.catch((e: unknown) => {
      const at = new Date().toISOString().slice(11, 23);
      throw new Error(`${event} from ${login.user.username}: no acknowledgement within ${ACK_TIMEOUT_MS} ms (gave up at ${at}): ${String(e)}`);
    });
  const device: Device = {
    socket,
    ready: undefined as unknown as SessionReady,
    received,
    events: <E extends EventName>(event: E) =>
      received.filter((r) => r.event === event).map((r) => r.payload as EventPayload<E>),
    next: <E extends EventName>(event: E, match: (p: EventPayload<E>) => boolean = () => true, timeoutMs = 5000) =>
      new Promise<EventPayload<E>>((resolve, reject) => {
        let seen = 0;
        const check = () => {
          const list = device.events(event);
          for (; seen < list.length; seen++) {
            const p = list[seen] as EventPayload<E>;
            if (match(p)) {
              done();
              resolve(p);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${event} on ${login.user.username}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.splice(waiters.indexOf(check), 1);
        };
        waiters.push(check);
        check();
      }),
    emit: (event, payload) => named(event, (socket.timeout(ACK_TIMEOUT_MS).emitWithAck as (e: string, p: unknown) => Promise<Ack<ClientReplies[typeof event]>>)(event, payload)),
    emitRaw: (event, ...args) => named(event, (socket.timeout(ACK_TIMEOUT_MS).emitWithAck as (e: string, ...a: unknown[]) => Promise<Ack>)(event, ...args)),
  };
  device.ready = await device.next('session:ready');
  if (watch.length > 0) expectOk(await device.emit('presence:watch', { usernames: watch }));
  return device;
}

/**
 * Registers and connects users by name: `const { alice, bob } = await team(server, 'alice', 'bob')`.
 * All are registered first, so each device watches all the others (see connect()).
 */
export async function team<N extends string>(server: { url: string }, ...names: N[]): Promise<Record<N, Device> & { logins: Record<N, LoginResponse> }> {
  const logins = {} as Record<N, LoginResponse>;
  const devices = {} as Record<N, Device>;
  for (const name of names) logins[name] = await register(server, name);
  for (const name of names) devices[name] = await connect(server, logins[name]);
  return Object.assign(devices, { logins });
}

export function expectOk<T extends object>(ack: Ack<T>): T & { ok: true } {
  if (!ack.ok) throw new Error(`expected ok, got ${ack.code}: ${ack.message}`);
  return ack;
}

/** A signal from one device reaches the other: the relay works for this call. */
export async function expectRelay(from: Device, to: Device, callId: string): Promise<void> {
  const candidate = { candidate: `candidate:${Math.random()} 1 udp 1 10.0.0.1 9 typ host`, sdpMid: '0' };
  const arrived = to.next('call:signal', (p) => p.callId === callId && p.candidate?.candidate === candidate.candidate);
  expectOk(await from.emit('call:signal', { callId, candidate }));
  await arrived;
}

/**
 * `from` signals participant `to` of a group call; it arrives there stamped
 * with `from`, and at none of `others`. The candidate is random, so a
 * device's signals from earlier checks never match a later one.
 */
export async function expectPairRelay(callId: string, from: Device, to: Device, others: Device[]): Promise<void> {
  const candidate = { candidate: `candidate:${Math.random()} 1 udp 1 10.0.0.1 9 typ host`, sdpMid: '0' };
  const arrived = to.next('call:signal', (p) => p.callId === callId && p.candidate?.candidate === candidate.candidate);
  expectOk(await from.emit('call:signal', { callId, to: to.ready.user.username, candidate }));
  expect(await arrived).toMatchObject({ from: from.ready.user.username });
  await settle(...others);
  for (const o of others) expect(o.events('call:signal').filter((p) => p.candidate?.candidate === candidate.candidate)).toEqual([]);
}

/** Places a call from `caller` to `callee` and answers it on `callee`. */
export async function establishCall(caller: Device, callee: Device): Promise<string> {
  const { callId } = expectOk(await caller.emit('call:invite', { to: callee.ready.user.username, media: { audio: true, video: false } }));
  await callee.next('call:incoming', (p) => p.callId === callId);
  expectOk(await callee.emit('call:accept', { callId }));
  await caller.next('call:accepted', (p) => p.callId === callId);
  return callId;
}

/**
 * A round trip on each device: whatever the server emitted to a device
 * before this call (for example effects of a message another device already
 * had acknowledged) has arrived once its acknowledgement is back.
 */
export async function settle(...devices: Device[]): Promise<void> {
  // history:list, not directory:list: a listing would change what the device watches.
  for (const d of devices) await d.emit('history:list', { limit: 1 });
}
