/**
 * The renewal of a call's TURN credentials, on a fake clock: when it asks
 * (`call:ice`), what it does with the answer, and when it stops.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Ack, IceGrant } from 'parley-server/protocol';
import { CALL_START_MS } from '../lib/when-idle.js';
import { CallIce, MIN_RENEW_MS, RENEW_AT, RETRY_MS } from './call-ice.js';

const STUN: RTCIceServer = { urls: ['stun:stun.example.org'] };
const HOUR = 3600_000;
/** whenIdle's latest, in a test's Node (no idle callbacks): its default timeout. */
const IDLE_LATEST_MS = 1000;

/** A grant as the server makes it: STUN, and TURN credentials valid for `ttlMs` from now. */
function grant(ttlMs: number, n = 1): IceGrant {
  const expiresAt = Date.now() + ttlMs;
  return {
    iceServers: [STUN, { urls: ['turn:turn.example.org'], username: `${expiresAt / 1000}:id-${n}`, credential: `secret-${n}` }],
    iceExpiresAt: expiresAt,
  };
}

function setup() {
  const asked: string[] = [];
  const applied: RTCIceServer[][] = [];
  let answer: (callId: string) => Ack<IceGrant> | Promise<Ack<IceGrant>> = () => ({ ok: true, ...grant(HOUR, asked.length) });
  const ice = new CallIce({
    renew: (callId) => {
      asked.push(callId);
      return Promise.resolve(answer(callId));
    },
    apply: (servers) => applied.push(servers),
  });
  ice.sessionReady([STUN]);
  return { ice, asked, applied, answerWith: (fn: typeof answer) => (answer = fn) };
}

/** Moves the fake clock on and lets the answer of a renewal arrive. */
async function pass(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2026-01-05T09:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("a call's TURN credentials", () => {
  it("are the call's from its ack on, for its connections and for those made later", () => {
    const { ice, applied } = setup();
    expect(ice.servers).toEqual([STUN]);
    const first = grant(HOUR);
    ice.granted('c1', first);
    expect(ice.servers).toEqual(first.iceServers);
    expect(applied).toEqual([first.iceServers]);
  });

  it('are renewed at 80% of the time they had left, again and again, for as long as the call lasts', async () => {
    const { ice, asked, applied } = setup();
    ice.granted('c1', grant(HOUR));
    await pass(HOUR * RENEW_AT - 1);
    expect(asked).toEqual([]);
    await pass(1);
    expect(asked).toEqual(['c1']);
    // The fresh ones go to every connection (once the page is idle, a second on), and to those made from now on.
    expect(ice.servers).not.toEqual(applied[0]);
    await pass(CALL_START_MS - 1);
    expect(applied).toHaveLength(1);
    await pass(IDLE_LATEST_MS + 1);
    expect(applied).toHaveLength(2);
    expect(applied[1]?.[1]?.username).toMatch(/:id-1$/);
    expect(ice.servers).toEqual(applied[1]);
    // A three-hour call: renewed each time before the last ones run out.
    await pass(HOUR * RENEW_AT);
    await pass(HOUR * RENEW_AT);
    expect(asked).toEqual(['c1', 'c1', 'c1']);
  });

  it('stop being renewed when the call ends, and the next call starts from the session servers', async () => {
    const { ice, asked } = setup();
    ice.granted('c1', grant(HOUR));
    ice.stop();
    await pass(2 * HOUR);
    expect(asked).toEqual([]);
    expect(ice.servers).toEqual([STUN]);
  });

  it('drop an answer that comes after the call ended', async () => {
    const { ice, applied, answerWith } = setup();
    let reply: (ack: Ack<IceGrant>) => void = () => undefined;
    answerWith(() => new Promise((resolve) => (reply = resolve)));
    ice.granted('c1', grant(HOUR));
    await pass(HOUR * RENEW_AT);
    ice.stop();
    reply({ ok: true, ...grant(HOUR, 9) });
    await pass(0);
    expect(applied).toHaveLength(1);
    expect(ice.servers).toEqual([STUN]);
  });

  it('are asked for again after a while when the server cannot answer, and not after a final refusal', async () => {
    const { ice, asked, answerWith } = setup();
    answerWith(() => ({ ok: false, code: 'unavailable', message: 'Not connected to the server' }));
    ice.granted('c1', grant(HOUR));
    await pass(HOUR * RENEW_AT);
    expect(asked).toHaveLength(1);
    await pass(RETRY_MS);
    expect(asked).toHaveLength(2);
    answerWith(() => ({ ok: false, code: 'not_in_call', message: 'You are not in this call' }));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    await pass(RETRY_MS);
    expect(asked).toHaveLength(3);
    await pass(2 * HOUR);
    expect(asked).toHaveLength(3);
    expect(warn.mock.calls.map((args) => args.join(' '))).toEqual(['[parley:call] TURN credentials of the call not renewed: You are not in this call']);
  });

  it('start again from a resume: its fresh ones replace the renewal under way', async () => {
    const { ice, asked } = setup();
    ice.granted('c1', grant(HOUR));
    await pass(HOUR / 2);
    ice.granted('c1', grant(HOUR, 7));
    await pass(HOUR * RENEW_AT - 1);
    expect(asked).toEqual([]);
    await pass(1);
    expect(asked).toEqual(['c1']);
  });

  it('granted again for the same call, are applied only if new, and then a second after, not at the answer', async () => {
    const { ice, applied } = setup();
    const ring = grant(HOUR);
    ice.granted('c1', ring);
    expect(applied).toEqual([ring.iceServers]);
    // The answer's ack: the same servers are not applied again.
    ice.granted('c1', { ...ring, iceServers: ring.iceServers.map((s) => ({ ...s })) });
    await pass(CALL_START_MS + IDLE_LATEST_MS);
    expect(applied).toHaveLength(1);
    // New credentials: the connections get them after the call's first second, the next connection at once.
    const answered = grant(HOUR, 2);
    ice.granted('c1', answered);
    expect(ice.servers).toEqual(answered.iceServers);
    await pass(CALL_START_MS - 1);
    expect(applied).toHaveLength(1);
    await pass(IDLE_LATEST_MS + 1);
    expect(applied).toEqual([ring.iceServers, answered.iceServers]);
  });

  it('granted again before the last grant was applied: compared with what the connections have', async () => {
    const { ice, applied } = setup();
    const ring = grant(HOUR);
    ice.granted('c1', ring);
    const answered = grant(HOUR, 2);
    ice.granted('c1', answered);
    // A resume within the second, with the answer's very servers: they still reach the connections.
    ice.granted('c1', { ...answered, iceServers: answered.iceServers.map((s) => ({ ...s })) });
    await pass(CALL_START_MS + IDLE_LATEST_MS);
    expect(applied).toEqual([ring.iceServers, answered.iceServers]);
    // And the ring's again, once the connections have the answer's: given back too.
    ice.granted('c1', ring);
    await pass(CALL_START_MS + IDLE_LATEST_MS);
    expect(applied).toEqual([ring.iceServers, answered.iceServers, ring.iceServers]);
  });

  it('granted again and the call over before they are applied: never applied, nor to the next call', async () => {
    const { ice, applied } = setup();
    ice.granted('c1', grant(HOUR));
    ice.granted('c1', grant(HOUR, 2));
    ice.stop();
    await pass(CALL_START_MS + IDLE_LATEST_MS);
    expect(applied).toHaveLength(1);
    // A grant of another call is that call's first: applied at once.
    const next = grant(HOUR, 3);
    ice.granted('c2', next);
    expect(applied).toEqual([applied[0], next.iceServers]);
  });

  it('are never asked for in a loop, even by a clock far ahead of the server', async () => {
    const { ice, asked } = setup();
    ice.granted('c1', grant(-HOUR));
    await pass(MIN_RENEW_MS - 1);
    expect(asked).toEqual([]);
    await pass(1);
    expect(asked).toHaveLength(1);
  });

  it('without TURN (nothing expires) are never renewed; an older server that sends none leaves the session servers', async () => {
    const { ice, asked, applied } = setup();
    ice.granted('c1', { iceServers: [STUN] });
    await pass(10 * HOUR);
    expect(asked).toEqual([]);
    expect(applied).toEqual([[STUN]]);
    ice.stop();
    ice.granted('c2', {});
    expect(ice.servers).toEqual([STUN]);
    expect(applied).toHaveLength(1);
  });
});
