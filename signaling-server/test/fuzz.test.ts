/**
 * Fuzzing the realtime API: several authenticated connections send thousands
 * of random and malformed messages (wrong types, huge strings, deep nesting,
 * binary Buffers, unknown events, raw malformed Socket.IO packets, requests
 * on calls that do not exist or belong to others, floods), reconnecting
 * whenever the server closes them, while a well-behaved pair keeps placing
 * whole calls. The server runs in this process, so its heap can be measured.
 *
 * Reproduce a run with `FUZZ_SEED=<seed printed below>`. Each connection
 * draws its messages from its own generator seeded from it; which call ids
 * the generators find to reuse, and the interleaving of connections, still
 * depend on timing. `FUZZ_MESSAGES` sets how many messages the server must
 * have answered before the run stops (default 10,000); more are sent, since
 * floods, raw packets and messages without an acknowledgement come on top.
 */
import { randomInt } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { io as connectClient } from 'socket.io-client';
import { clientSchemas, ERROR_CODES, SETTABLE_STATUSES, type ErrorCode, type LoginResponse } from '../src/protocol/index.js';
import { connect, type Client, type Device, expectOk, register, startTestServer, type TestServer } from './harness.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
const TARGET = process.env.FUZZ_MESSAGES ? Number(process.env.FUZZ_MESSAGES) : 10_000;
/** Messages answered (and connections closed) before the second heap measurement. */
const WARM_UP = 2_000;
const FUZZ_USERS = ['fuzz-a', 'fuzz-b', 'fuzz-c', 'fuzz-d'];
/** Connections per fuzz user: a user with two devices makes calls ring twice. */
const DEVICES_PER_USER = 2;
/** Messages a fuzz connection keeps in flight while it waits for acknowledgements. */
const WINDOW = 4;
/** An acknowledgement that takes this long on an open connection counts as lost. */
const ACK_TIMEOUT_MS = 15_000;
const EVENTS = Object.keys(clientSchemas);
const CALL_EVENTS = EVENTS.filter((e) => e.startsWith('call:') && e !== 'call:invite');
const CODES = new Set<string>(ERROR_CODES);
const REFUSED_ANYWAY = new Set<string>(['bad_request', 'rate_limited']);

// ------------------------------------------------------------ random values

type Rng = () => number;

/** mulberry32: a tiny seeded PRNG, so a seed replays the same messages. */
function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const below = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[below(rng, xs.length)] as T;
const chance = (rng: Rng, p: number) => rng() < p;

const NASTY_STRINGS = [
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '$ne', '../../etc/passwd', '\u0000',
  '\ud800', 'null', 'undefined', 'NaN', "'; drop table users; --", '%s%s%n', '{{7*7}}', '<script>', 'alice', 'bob',
];
const NUMBERS = [0, -1, 1, 1.5, -0, NaN, Infinity, -Infinity, 2 ** 53 + 1, Number.MAX_VALUE, Number.MIN_VALUE, 1e308, -1e308];
const FIELDS = ['status', 'query', 'limit', 'to', 'media', 'audio', 'video', 'callId', 'description', 'type', 'sdp', 'candidate', 'muted', 'before', 'reason'];

function ascii(rng: Rng, max: number): string {
  return Array.from({ length: below(rng, max) }, () => String.fromCharCode(32 + below(rng, 95))).join('');
}

function shortString(rng: Rng): string {
  switch (below(rng, 5)) {
    case 0:
      return '';
    case 1:
      // Any UTF-16 code unit, lone surrogates included.
      return String.fromCharCode(...Array.from({ length: below(rng, 32) }, () => below(rng, 0x10000)));
    case 2:
      return pick(rng, NASTY_STRINGS);
    case 3:
      return uuid(rng);
    default:
      return ascii(rng, 80);
  }
}

function uuid(rng: Rng): string {
  const hex = () => below(rng, 16).toString(16);
  const part = (n: number) => Array.from({ length: n }, hex).join('');
  return `${part(8)}-${part(4)}-4${part(3)}-a${part(3)}-${part(12)}`;
}

function bytes(rng: Rng, max: number): Buffer {
  return Buffer.from(Array.from({ length: below(rng, max) }, () => below(rng, 256)));
}

/** Any JSON-ish value, Buffers and prototype-pollution attempts included. */
function junk(rng: Rng, depth = 0): unknown {
  switch (below(rng, depth > 3 ? 7 : 11)) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return pick(rng, NUMBERS);
    case 3:
      return chance(rng, 0.5);
    case 4:
      return shortString(rng);
    case 5:
      return bytes(rng, 2048);
    case 6:
      return below(rng, 1_000_000);
    case 7:
      return Array.from({ length: below(rng, 5) }, () => junk(rng, depth + 1));
    case 8:
      // An own "__proto__" key, as JSON.parse makes one on the server.
      return JSON.parse('{"__proto__": {"polluted": "yes"}, "constructor": {"prototype": {"polluted": "yes"}}}') as unknown;
    default: {
      const obj: Record<string, unknown> = {};
      for (let i = below(rng, 5); i > 0; i--) obj[chance(rng, 0.6) ? pick(rng, FIELDS) : shortString(rng)] = junk(rng, depth + 1);
      return obj;
    }
  }
}

/** Nesting far deeper than any payload, as objects or arrays. */
function deep(rng: Rng): unknown {
  const depth = 10 + below(rng, 8000);
  const arrays = chance(rng, 0.5);
  let value: unknown = chance(rng, 0.3) ? bytes(rng, 16) : 'bottom';
  for (let i = 0; i < depth; i++) value = arrays ? [value] : { [pick(rng, FIELDS)]: value };
  return value;
}

// ------------------------------------------------------ what the fuzzers know

/** Call ids seen so far: the fuzzers' own (to act on out of turn) and the well-behaved pair's (never theirs to touch). */
class CallIds {
  readonly fuzz: string[] = [];
  readonly pair: string[] = [];

  static remember(list: string[], id: string): void {
    list.push(id);
    if (list.length > 64) list.shift();
  }

  any(rng: Rng): string {
    const r = rng();
    if (r < 0.6 && this.fuzz.length > 0) return pick(rng, this.fuzz);
    if (r < 0.75 && this.pair.length > 0) return pick(rng, this.pair);
    if (r < 0.9) return uuid(rng);
    return ascii(rng, 64) || 'c';
  }
}

interface Message {
  kind: string;
  event: string | number;
  args: unknown[];
  ack: boolean;
  /** When set, the only acceptable answers: these codes (never ok). */
  refused?: ReadonlySet<string>;
}

function media(rng: Rng) {
  return { audio: chance(rng, 0.8), video: chance(rng, 0.2) };
}

function signalPayload(rng: Rng, callId: string): Record<string, unknown> {
  if (chance(rng, 0.5)) {
    return { callId, description: { type: pick(rng, ['offer', 'answer', 'pranswer', 'rollback'] as const), sdp: `v=0\r\no=- ${below(rng, 1e9)} 2 IN IP4 127.0.0.1\r\n` } };
  }
  if (chance(rng, 0.2)) return { callId, candidate: null };
  return { callId, candidate: { candidate: `candidate:1 1 udp 2122260223 10.0.0.${below(rng, 255)} ${below(rng, 65535)} typ host`, sdpMid: '0', sdpMLineIndex: 0 } };
}

/** A payload that passes the event's schema (the request itself may still be refused). */
function validPayload(rng: Rng, event: string, self: string, calls: CallIds, callId = calls.any(rng)): Record<string, unknown> {
  switch (event) {
    case 'presence:set':
      return { status: pick(rng, SETTABLE_STATUSES) };
    case 'directory:list':
      return { ...(chance(rng, 0.5) && { query: ascii(rng, 64) }), ...(chance(rng, 0.5) && { limit: 1 + below(rng, 500) }) };
    case 'call:invite':
      // Never alice or bob: a ringing call would rightly make them busy.
      return { to: chance(rng, 0.85) ? pick(rng, [...FUZZ_USERS, self]) : `nobody-${below(rng, 100)}`, media: media(rng) };
    case 'call:add':
      return { callId, to: pick(rng, [...FUZZ_USERS, self]) };
    case 'room:join':
      return { name: `fuzz-room-${below(rng, 3)}`, ...(chance(rng, 0.3) && { code: pick(rng, ['a', 'b']) }) };
    case 'call:signal':
      return { ...signalPayload(rng, callId), ...(chance(rng, 0.3) && { to: pick(rng, [...FUZZ_USERS, 'alice', 'bob']) }) };
    case 'call:mute':
      return { callId, muted: chance(rng, 0.5) };
    case 'call:hold':
      return { callId, held: chance(rng, 0.5) };
    case 'call:swap':
      return { callId };
    case 'call:recording':
      return { callId, on: chance(rng, 0.5) };
    case 'call:note':
      return { callId, chat: true };
    case 'history:list':
      return { ...(chance(rng, 0.5) && { before: 1 + below(rng, 10_000) }), ...(chance(rng, 0.5) && { limit: 1 + below(rng, 100) }) };
    case 'history:seen':
      return {};
    default:
      // call:accept, call:decline, call:cancel, call:hangup, and any call event added later.
      return event.startsWith('call:') ? { callId } : {};
  }
}

function mutate(rng: Rng, payload: Record<string, unknown>): unknown {
  const keys = Object.keys(payload);
  const copy: Record<string, unknown> = { ...payload };
  switch (below(rng, 5)) {
    case 0: {
      const drop = keys.length > 0 ? pick(rng, keys) : undefined;
      return Object.fromEntries(Object.entries(payload).filter(([key]) => key !== drop));
    }
    case 1:
      copy[chance(rng, 0.5) ? pick(rng, FIELDS) : shortString(rng)] = junk(rng);
      return copy;
    case 2:
      if (keys.length > 0) copy[pick(rng, keys)] = junk(rng);
      return copy;
    case 3:
      // A huge string that still fits in one message (64 KiB).
      copy[keys.length > 0 && chance(rng, 0.7) ? pick(rng, keys) : 'x'] = 'x'.repeat(below(rng, 60_000));
      return copy;
    default:
      return chance(rng, 0.5) ? [copy] : JSON.stringify(copy);
  }
}

const UNKNOWN_EVENTS = ['error', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'call:INVITE', ' call:invite', 'call:invite ', 'admin:drop-tables', 'session:ready', 'call:incoming', 'presence:changed'];

function unknownEvent(rng: Rng): string | number {
  switch (below(rng, 4)) {
    case 0:
      return pick(rng, UNKNOWN_EVENTS);
    case 1:
      return below(rng, 1000); // Socket.IO allows numeric event names
    case 2:
      return 'e'.repeat(below(rng, 20_000));
    default:
      return shortString(rng) || 'x';
  }
}

/**
 * Hand-made Socket.IO packets the client library would never send: broken
 * JSON, reserved names, unknown packet types, other namespaces, lying
 * attachment counts, nesting deeper than any stack. Most make the server
 * close the connection.
 */
function rawPackets(rng: Rng): (string | Buffer)[] {
  const deepArrays = (n: number) => '['.repeat(n) + ']'.repeat(n);
  switch (below(rng, 18)) {
    case 0: return ['2'];
    case 1: return ['2['];
    case 2: return ['2{"a":1}'];
    case 3: return ['2[]'];
    case 4: return ['2[null]'];
    case 5: return ['2["disconnect"]'];
    case 6: return ['2["newListener",{}]'];
    case 7: return ['9'];
    case 8: return ['3[1]', '31000000[]'];
    case 9: return ['40/admin,{}'];
    case 10: return ['41'];
    case 11: return ['2/nowhere,["directory:list",{}]'];
    case 12: return ['21000001["directory:list",{}]'];
    case 13: return [`2["directory:list",${deepArrays(30_000)}]`];
    case 14: return ['51-["call:signal",{"_placeholder":true,"num":7}]', bytes(rng, 64)];
    case 15: return ['52-["x",{"_placeholder":true,"num":0}]', bytes(rng, 64), '2["directory:list",{}]'];
    case 16: return ['51000000000-["x"]', '2["directory:list",{}]'];
    default: return [`51-["x",${'{"a":'.repeat(5000)}{"_placeholder":true,"num":0}${'}'.repeat(5000)}]`, bytes(rng, 8)];
  }
}

function nextMessage(rng: Rng, self: string, calls: CallIds): Message {
  const ack = !chance(rng, 0.05);
  const event = pick(rng, EVENTS);
  const r = rng();
  if (r < 0.25) return { kind: 'valid', event, args: [validPayload(rng, event, self, calls)], ack };
  if (r < 0.33 && calls.pair.length > 0) {
    // The pair's call, mostly the one going on now: never anyone else's to touch.
    const callId = chance(rng, 0.8) ? (calls.pair.at(-1) as string) : pick(rng, calls.pair);
    const callEvent = pick(rng, CALL_EVENTS);
    return { kind: 'others-call', event: callEvent, args: [validPayload(rng, callEvent, self, calls, callId)], ack, refused: new Set(['not_found', 'not_in_call', 'rate_limited']) };
  }
  if (r < 0.48) return { kind: 'mutated', event, args: [mutate(rng, validPayload(rng, event, self, calls))], ack };
  if (r < 0.63) return { kind: 'junk', event, args: [junk(rng)], ack };
  if (r < 0.68) {
    const args = chance(rng, 0.3) ? [] : Array.from({ length: 2 + below(rng, 2) }, () => validPayload(rng, event, self, calls));
    return { kind: 'arg-count', event, args, ack, refused: REFUSED_ANYWAY };
  }
  if (r < 0.76) return { kind: 'unknown-event', event: unknownEvent(rng), args: [junk(rng)], ack, refused: REFUSED_ANYWAY };
  if (r < 0.83) {
    const buffer = bytes(rng, chance(rng, 0.2) ? 60_000 : 512);
    const payloads = [buffer, { callId: buffer }, { status: Buffer.from('away') }, { ...validPayload(rng, event, self, calls), blob: buffer }, [buffer, buffer]];
    return { kind: 'binary', event, args: [pick(rng, payloads)], ack, refused: REFUSED_ANYWAY };
  }
  if (r < 0.88) {
    const nested = deep(rng);
    return { kind: 'deep', event, args: [chance(rng, 0.5) ? nested : { callId: nested }], ack, refused: REFUSED_ANYWAY };
  }
  return { kind: 'junk', event: chance(rng, 0.5) ? event : unknownEvent(rng), args: Array.from({ length: below(rng, 4) }, () => junk(rng)), ack };
}

// --------------------------------------------------------------- bookkeeping

interface Stats {
  sent: number;
  byKind: Record<string, number>;
  acks: number;
  codes: Record<string, number>;
  /** Acks lost because the connection closed first (a flood, a raw packet, an oversized message). */
  lostToClose: number;
  /** Messages the client library itself refused to encode (too deep for its stack). */
  unsendable: number;
  connections: number;
  closes: Record<string, number>;
  floods: number;
  problems: string[];
}

const newStats = (): Stats => ({ sent: 0, byKind: {}, acks: 0, codes: {}, lostToClose: 0, unsendable: 0, connections: 0, closes: {}, floods: 0, problems: [] });

function describeMessage(m: Message): string {
  const event = String(m.event).slice(0, 40);
  let args: string;
  try {
    args = (JSON.stringify(m.args) as string | undefined)?.slice(0, 120) ?? '';
  } catch {
    args = '(not serialisable)';
  }
  return `${m.kind} ${event} ${args}`;
}

function checkAck(reply: unknown, m: Message, stats: Stats): void {
  stats.acks++;
  const r = reply as { ok?: unknown; code?: unknown; message?: unknown; retryAfterMs?: unknown } | null;
  const well =
    typeof r === 'object' && r !== null &&
    (r.ok === true || (r.ok === false && typeof r.code === 'string' && CODES.has(r.code) && typeof r.message === 'string'));
  if (!well) {
    stats.problems.push(`malformed ack ${(JSON.stringify(reply) as string | undefined)?.slice(0, 200)} for ${describeMessage(m)}`);
    return;
  }
  const code = r.ok === true ? 'ok' : (r.code as ErrorCode);
  stats.codes[code] = (stats.codes[code] ?? 0) + 1;
  // `internal` is a valid code, but on these inputs it would mean a handler threw: a bug.
  if (code === 'internal') stats.problems.push(`internal error for ${describeMessage(m)}`);
  if (m.refused && !m.refused.has(code)) stats.problems.push(`${code} for ${describeMessage(m)}`);
}

/** One fuzzing connection slot: connects, sends until closed, reconnects, until the run has sent enough. */
class Fuzzer {
  private readonly rng: Rng;

  constructor(
    private readonly server: TestServer,
    private readonly login: LoginResponse,
    slot: number,
    private readonly calls: CallIds,
    private readonly stats: Stats,
    private readonly sockets: Set<Client>,
  ) {
    this.rng = prng(SEED + slot * 0x9e3779b9);
  }

  /** Sends until the server has answered `until` messages of the whole run. */
  async run(until: number): Promise<void> {
    while (this.stats.acks < until) await this.session(until);
  }

  private async session(until: number): Promise<void> {
    const socket: Client = connectClient(this.server.url, {
      auth: { token: this.login.token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.sockets.add(socket);
    const closed = new Promise<void>((resolve) =>
      socket.on('disconnect', (reason) => {
        this.stats.closes[reason] = (this.stats.closes[reason] ?? 0) + 1;
        resolve();
      }),
    );
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      const settle = (ok: boolean) => {
        clearTimeout(timer);
        resolve(ok);
      };
      socket.on('session:ready', () => settle(true));
      socket.on('connect_error', () => settle(false));
    });
    if (!ready) {
      this.stats.problems.push(`${this.login.user.username} could not connect`);
      socket.disconnect();
      this.sockets.delete(socket);
      return;
    }
    this.stats.connections++;
    const self = this.login.user.username;
    const inflight = new Set<Promise<void>>();
    socket.on('call:incoming', ({ callId }) => {
      CallIds.remember(this.calls.fuzz, callId);
      // Answer half the calls at once, so some calls between fuzzers are live.
      if (chance(this.rng, 0.5) && socket.connected) this.track(inflight, this.send(socket, { kind: 'valid', event: 'call:accept', args: [{ callId }], ack: true }));
    });
    const budget = 200 + below(this.rng, 1500);
    for (let i = 0; i < budget && socket.connected && this.stats.acks < until; i++) {
      const r = this.rng();
      if (r < 0.001) {
        this.flood(socket, self, inflight);
      } else if (r < 0.0025) {
        // Over 64 KiB: the transport closes the connection.
        this.stats.sent++;
        this.count('oversized');
        socket.emit('call:signal', { callId: 'c', description: { type: 'offer', sdp: 'x'.repeat(70 * 1024) } }, () => undefined);
      } else if (r < 0.0125) {
        this.count('raw');
        for (const packet of rawPackets(this.rng)) {
          this.stats.sent++;
          (socket.io.engine as unknown as { send(p: string | Buffer): void }).send(packet);
        }
      } else if (r < 0.0135) {
        break; // leave on its own, possibly mid-call
      } else {
        this.track(inflight, this.send(socket, nextMessage(this.rng, self, this.calls)));
      }
      if (inflight.size >= WINDOW) await Promise.race(inflight);
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(inflight);
    socket.disconnect();
    await closed;
    socket.removeAllListeners();
    this.sockets.delete(socket);
  }

  /** Hundreds of messages at once, never waiting: past the rate limit and the flood rule. */
  private flood(socket: Client, self: string, inflight: Set<Promise<void>>): void {
    this.stats.floods++;
    // At most 200 pass (rate plus burst); the 101st refusal closes the connection.
    const n = 350 + below(this.rng, 150);
    for (let k = 0; k < n && socket.connected; k++) {
      const m: Message = chance(this.rng, 0.5)
        ? { kind: 'flood', event: 'directory:list', args: [{ limit: 1 }], ack: true }
        : { ...nextMessage(this.rng, self, this.calls), kind: 'flood' };
      this.track(inflight, this.send(socket, m));
    }
  }

  private track(inflight: Set<Promise<void>>, p: Promise<void>): void {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  }

  private count(kind: string): void {
    this.stats.byKind[kind] = (this.stats.byKind[kind] ?? 0) + 1;
  }

  private send(socket: Client, m: Message): Promise<void> {
    const emit = socket.emit.bind(socket) as unknown as (event: string | number, ...args: unknown[]) => void;
    const timed = socket.timeout(ACK_TIMEOUT_MS) as unknown as { emit: typeof emit };
    return new Promise<void>((resolve) => {
      let threw = false;
      const onAck = (err: Error | null, reply?: unknown) => {
        if (threw) return resolve();
        if (!err) checkAck(reply, m, this.stats);
        else if (!socket.connected) this.stats.lostToClose++;
        else this.stats.problems.push(`no ack within ${ACK_TIMEOUT_MS} ms on an open connection for ${describeMessage(m)}`);
        resolve();
      };
      try {
        if (m.ack) timed.emit(m.event, ...m.args, onAck);
        else emit(m.event, ...m.args);
      } catch {
        // The client library cannot encode it (stack depth): nothing was sent.
        threw = true;
        this.stats.unsendable++;
        return resolve();
      }
      this.stats.sent++;
      this.count(m.kind);
      if (!m.ack) resolve();
    });
  }
}

// ------------------------------------------------------ the well-behaved pair

const SDP = 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n';

/** One full call: invite, ring, accept, offer/answer and a candidate each way, hang up. */
async function callSetup(alice: Device, bob: Device, calls: CallIds): Promise<void> {
  alice.received.length = 0;
  bob.received.length = 0;
  const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: { audio: true, video: false } }));
  CallIds.remember(calls.pair, callId);
  await bob.next('call:incoming', (p) => p.callId === callId);
  expectOk(await bob.emit('call:accept', { callId }));
  await alice.next('call:accepted', (p) => p.callId === callId);
  expectOk(await alice.emit('call:signal', { callId, description: { type: 'offer', sdp: SDP } }));
  await bob.next('call:signal', (p) => p.callId === callId && p.description?.type === 'offer');
  expectOk(await bob.emit('call:signal', { callId, description: { type: 'answer', sdp: SDP } }));
  await alice.next('call:signal', (p) => p.callId === callId && p.description?.type === 'answer');
  const candidate = { candidate: 'candidate:1 1 udp 2122260223 10.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 };
  expectOk(await alice.emit('call:signal', { callId, candidate }));
  expectOk(await bob.emit('call:signal', { callId, candidate }));
  await bob.next('call:signal', (p) => p.callId === callId && p.candidate !== undefined);
  await alice.next('call:signal', (p) => p.callId === callId && p.candidate !== undefined);
  expectOk(await alice.emit('call:hangup', { callId }));
  await bob.next('call:ended', (p) => p.callId === callId && p.reason === 'hangup');
  // Nothing from the fuzzers reached the pair: no calls, no relayed messages, no early end.
  for (const [device, peer] of [[alice, 'bob'], [bob, 'alice']] as const) {
    expect(device.events('call:incoming').filter((p) => p.from.username !== 'alice')).toEqual([]);
    expect(device.events('call:signal').filter((p) => p.from !== peer)).toEqual([]);
    expect(device.events('call:muted')).toEqual([]);
    expect(device.events('call:held')).toEqual([]);
  }
  expect(alice.events('call:ended')).toEqual([]);
}

// ---------------------------------------------------------------- the test

async function heapAfterGc(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (signaling-server/vitest.config.ts sets it)');
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return process.memoryUsage().heapUsed;
}

async function metric(server: TestServer, line: RegExp): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = line.exec(text);
  return match ? Number(match[1]) : 0;
}

const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);
beforeEach(() => {
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
});
afterEach(() => {
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
});

describe('fuzzing the realtime API', () => {
  it(`answers ${TARGET}+ random and malformed messages without crashing while a well-behaved pair keeps calling`, async () => {
    console.log(`fuzz seed ${SEED}: rerun with FUZZ_SEED=${SEED}`);
    // A generous rate limit, so most messages reach validation and the
    // handlers; floods still go past it and past the flood rule.
    const server = await startTestServer({ messageRate: 100, messageBurst: 100, floodDisconnect: 100 });
    const alice = await connect(server, await register(server, 'alice'));
    const bob = await connect(server, await register(server, 'bob'));
    const logins = await Promise.all(FUZZ_USERS.map((name) => register(server, name)));
    const calls = new CallIds();
    const stats = newStats();
    const sockets = new Set<Client>();

    const start = await heapAfterGc();

    const run = { fuzzing: true };
    let setups = 0;
    let healthChecks = 0;
    const pairFailures: string[] = [];
    const pair = (async () => {
      while (run.fuzzing) {
        try {
          await callSetup(alice, bob, calls);
          setups++;
          // A person makes a few calls a minute, not dozens a second: unpaced, a
          // quiet moment let the pair pass the 100 messages/s rate limit itself.
          await new Promise((resolve) => setTimeout(resolve, 100));
          const health = await fetch(`${server.url}/healthz`);
          expect(health.status).toBe(200);
          healthChecks++;
        } catch (err) {
          pairFailures.push(String(err));
          if (pairFailures.length > 5) return;
        }
      }
    })();

    const fuzzers = logins.flatMap((login, u) =>
      Array.from({ length: DEVICES_PER_USER }, (_, d) => new Fuzzer(server, login, u * DEVICES_PER_USER + d, calls, stats, sockets)),
    );
    /** Runs every fuzzer until `until` messages are answered, then waits until their connections are gone on the server. */
    const fuzzUntil = async (until: number) => {
      try {
        await Promise.all(fuzzers.map((f) => f.run(until)));
      } finally {
        for (const s of sockets) s.disconnect();
        sockets.clear();
      }
      await expect.poll(() => server.io.of('/').sockets.size, { timeout: 10_000 }).toBe(2);
      // Ringing calls end with their devices. (The pair clears what it received at each call.)
      await expect.poll(() => metric(server, /^parley_calls\{state="ringing"\} (\d+)/m), { timeout: 10_000 }).toBe(0);
      return heapAfterGc();
    };
    let warm: number;
    let warmSent: number;
    let after: number;
    try {
      // The first messages compile code and grow pools once: measure from after them too.
      warm = await fuzzUntil(WARM_UP);
      warmSent = stats.sent;
      after = await fuzzUntil(TARGET);
    } finally {
      run.fuzzing = false;
      await pair;
    }
    const floodDisconnects = await metric(server, /^parley_flood_disconnects_total (\d+)/m);

    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    console.log(
      [
        `fuzz seed ${SEED}`,
        `sent ${stats.sent} messages over ${stats.connections} connections (${JSON.stringify(stats.byKind)})`,
        `${stats.acks} acks ${JSON.stringify(stats.codes)}; ${stats.lostToClose} lost to a closed connection; ${stats.unsendable} too deep for the client to encode`,
        `closes ${JSON.stringify(stats.closes)}; ${stats.floods} floods, ${floodDisconnects} flood disconnects`,
        `well-behaved pair: ${setups} full call setups, ${pairFailures.length} failures${pairFailures.length > 0 ? ` (${pairFailures.slice(0, 3).join('; ')})` : ''}, ${healthChecks} /healthz 200`,
        `heap after gc: ${mb(start)} MB at the start, ${mb(warm)} MB after ${warmSent} messages, ${mb(after)} MB after all (${mb(after - warm)} MB over the last ${stats.sent - warmSent})`,
      ].join('\n'),
    );

    expect(crashes).toEqual([]);
    expect(stats.problems.slice(0, 20)).toEqual([]);
    expect(stats.acks).toBeGreaterThanOrEqual(TARGET);
    expect(stats.sent).toBeGreaterThan(stats.acks);
    expect(pairFailures).toEqual([]);
    expect(setups).toBeGreaterThanOrEqual(5);
    if (stats.floods > 0) expect(floodDisconnects).toBeGreaterThan(0);
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expectOk(await alice.emit('directory:list', {}));
    // Memory: nothing is kept per message or per closed connection. From the
    // start the heap grows by 3-4 MB, all of it in the first messages
    // (compiled code, inline caches, buffer pools sized by the load: 48,000
    // messages grow it no more than 10,000), hence the generous 15 MB. After
    // the warm-up it moved between -0.4 and +1.6 MB over the next 9,000-10,000
    // messages and 60-90 connections in our runs, so the 5 MB bound there
    // still catches a leak of 500 bytes per message or 70 KB per connection.
    expect(after - start).toBeLessThan(15 * 1024 * 1024);
    expect(after - warm).toBeLessThan(5 * 1024 * 1024);
  }, 120_000);
});
