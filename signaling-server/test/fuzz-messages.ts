/**
 * What the fuzz test (fuzz.test.ts) sends: seeded random values, payloads
 * that pass an event's schema or nearly do, junk, deep nesting, binary,
 * unknown events and raw malformed Socket.IO packets, and the call ids the
 * fuzzers have seen to reuse. Every choice is drawn from the generator passed
 * in, so a seed replays the same messages.
 */
import { clientSchemas, SETTABLE_STATUSES } from '../src/protocol/index.js';

/** The fuzzing accounts: invites and Add person aim at them, never at the well-behaved pair. */
export const FUZZ_USERS = ['fuzz-a', 'fuzz-b', 'fuzz-c', 'fuzz-d'];
const EVENTS = Object.keys(clientSchemas);
const CALL_EVENTS = EVENTS.filter((e) => e.startsWith('call:') && e !== 'call:invite');
const REFUSED_ANYWAY = new Set<string>(['bad_request', 'rate_limited']);

// ------------------------------------------------------------ random values

export type Rng = () => number;

/** mulberry32: a tiny seeded PRNG, so a seed replays the same messages. */
export function prng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const below = (rng: Rng, n: number) => Math.floor(rng() * n);
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[below(rng, xs.length)] as T;
export const chance = (rng: Rng, p: number) => rng() < p;

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
export class CallIds {
  readonly fuzz: string[] = [];
  readonly pair: string[] = [];

  static remember(list: string[], id: string): void {
    list.push(id);
    if (list.length > 64) list.shift();
  }

  /** A call id the schemas accept: the fuzzers' own, or one made up. */
  known(rng: Rng): string {
    return chance(rng, 0.7) && this.fuzz.length > 0 ? pick(rng, this.fuzz) : uuid(rng);
  }

  any(rng: Rng): string {
    const r = rng();
    if (r < 0.6 && this.fuzz.length > 0) return pick(rng, this.fuzz);
    if (r < 0.75 && this.pair.length > 0) return pick(rng, this.pair);
    if (r < 0.9) return uuid(rng);
    return ascii(rng, 64) || 'c';
  }
}

export interface Message {
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
    case 'call:transfer':
      return chance(rng, 0.5) ? { callId, to: pick(rng, [...FUZZ_USERS, self]) } : { callId, consult: calls.known(rng) };
    case 'call:merge':
      return { callId, with: calls.known(rng) };
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
export function rawPackets(rng: Rng): (string | Buffer)[] {
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

export function nextMessage(rng: Rng, self: string, calls: CallIds): Message {
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
