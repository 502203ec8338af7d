/**
 * The real Signaling class against a bare Socket.IO server that sends
 * malformed versions of every server event: only the valid ones reach the
 * handlers, each malformed one is logged, and nothing breaks; likewise a
 * malformed acknowledgement becomes an `internal` refusal.
 */
import type { Ack, ClientEvent, ClientPayload, ClientReplies } from 'parley-server/protocol';
import { Server, type ServerOptions, type Socket as ServerSocket } from 'socket.io';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Signaling, type ServerEvent } from './signaling.js';
import { VALID, alice, callId } from '../test-support/server-events.js';

const EVENTS = Object.keys(VALID) as ServerEvent[];

/** Fields a valid message may leave out, as "event path". */
const OPTIONAL = new Set([
  'call:signal description',
  'call:signal candidate',
  'call:signal description.sdp',
  'call:signal candidate.sdpMid',
  'call:signal candidate.sdpMLineIndex',
  'session:ready iceServers.1.username',
  'session:ready iceServers.1.credential',
]);

const HUGE = 'x'.repeat(100_000);
const binary = () => new Uint8Array([0, 1, 2, 255]);
type Path = (string | number)[];

/** Every node below the root: its path, and whether it holds an object or array. */
function nodes(value: unknown, path: Path = []): { path: Path; value: unknown }[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const p = [...path, Array.isArray(value) ? Number(k) : k];
    return [{ path: p, value: v }, ...nodes(v, p)];
  });
}

/** A deep copy of `root` with the node at `path` replaced, or removed when `replacement` is `REMOVE`. */
const REMOVE = Symbol('remove');
function edit(root: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (replacement === REMOVE) Reflect.deleteProperty(parent, last);
  else parent[last] = replacement;
  return copy;
}

/** What a broken or hostile server could send instead of `example`: never valid. */
function malformed(event: ServerEvent): unknown[] {
  const example = VALID[event];
  const out: unknown[] = [undefined, null, 42, true, 'call', HUGE, [], [example]];
  // An event without fields (session:replaced) takes any object: only its arrival matters.
  if (Object.keys(example).length > 0) out.push({}, binary());
  for (const { path, value } of nodes(example)) {
    if (typeof value === 'object' && value !== null) out.push(edit(example, path, 42));
    else {
      const wrongType = typeof value === 'string' ? 42 : typeof value === 'number' ? String(value) : typeof value === 'boolean' ? 'true' : 7;
      out.push(edit(example, path, wrongType), edit(example, path, binary()));
      if (typeof value === 'string') out.push(edit(example, path, HUGE));
    }
    if (typeof path[path.length - 1] === 'string' && !OPTIONAL.has(`${event} ${path.join('.')}`)) out.push(edit(example, path, REMOVE));
  }
  return out;
}

/** Values outside the protocol's closed sets and patterns, which the generic cases above do not reach. */
const SPECIFIC: Partial<Record<ServerEvent, unknown[]>> = {
  'session:revoked': [{ reason: 'banned' }],
  'server:closing': [{ reason: 'restart' }],
  'presence:changed': [{ ...VALID['presence:changed'], status: 'sleeping' }, { ...VALID['presence:changed'], username: 'Bob Smith' }],
  'presence:changes': [{ changes: [{ username: 'bob', displayName: 'Bob', status: 'sleeping' }] }, { changes: [null] }],
  'call:ended': [{ callId, reason: 'timeout' }, { callId: '', reason: 'hangup' }],
  'call:signal': [{ callId, from: 'bob' }, { ...VALID['call:signal'], description: { type: 'bogus' } }],
  'session:ready': [{ ...VALID['session:ready'], missedCalls: -1 }, { ...VALID['session:ready'], presence: [null] }],
};

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()?.();
  vi.restoreAllMocks();
});

/** A bare Socket.IO server on a free port that runs `onConnection` for each client. */
async function bareServer(onConnection: (socket: ServerSocket) => void, options: Partial<ServerOptions> = {}): Promise<string> {
  const io = new Server(options);
  io.on('connection', onConnection);
  io.listen(0);
  cleanups.push(() => void io.close());
  const http = io.httpServer as unknown as { listening: boolean; once(e: 'listening', l: () => void): void; address(): { port: number } };
  if (!http.listening) await new Promise<void>((resolve) => http.once('listening', resolve));
  return `http://127.0.0.1:${http.address().port}`;
}

function connect(url: string): Signaling {
  const signaling = new Signaling(url, 'a-token', { status: () => 'available', device: () => 'test-device-0001', watch: () => [] });
  cleanups.push(() => signaling.close());
  return signaling;
}

describe('Signaling validates what the server sends', () => {
  it('runs handlers only for valid messages and logs each malformed one', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const sent: { event: ServerEvent; bad: number }[] = [];
    const url = await bareServer((socket) => {
      const emit = socket.emit.bind(socket) as (event: string, ...args: unknown[]) => boolean;
      for (const event of EVENTS) {
        const bad = [...malformed(event), ...(SPECIFIC[event] ?? [])];
        for (const payload of bad) {
          if (payload === undefined) emit(event);
          else emit(event, payload);
        }
        // A newer server's extra field is dropped; then the plain valid message.
        emit(event, { ...VALID[event], addedByANewerServer: { nested: [1, 2] } });
        emit(event, VALID[event]);
        sent.push({ event, bad: bad.length });
      }
    });

    const signaling = connect(url);
    const received: { event: ServerEvent; payload: unknown }[] = [];
    const done = new Promise<void>((resolve) => {
      for (const event of EVENTS) {
        signaling.on(event, (payload) => {
          received.push({ event, payload });
          if (event === EVENTS[EVENTS.length - 1] && received.filter((r) => r.event === event).length === 2) resolve();
        });
      }
    });
    await done;

    // Each event's handler ran for the two valid messages only, and saw only the declared fields.
    expect(received).toEqual(EVENTS.flatMap((event) => [{ event, payload: VALID[event] }, { event, payload: VALID[event] }]));
    expect(signaling.socket.connected).toBe(true);
    expect(error).not.toHaveBeenCalled();

    // One warning per malformed message, naming the event and the problem but not the payload.
    const warnings = warn.mock.calls.map((args) => args.map(String).join(' '));
    expect(sent.reduce((n, s) => n + s.bad, 0)).toBeGreaterThan(200);
    for (const { event, bad } of sent) {
      const mine = warnings.filter((w) => w.startsWith(`[parley:signaling] ignored a malformed ${event} from the server: `));
      expect(mine, event).toHaveLength(bad);
    }
    expect(warnings).toHaveLength(sent.reduce((n, s) => n + s.bad, 0));
    for (const w of warnings) expect(w.length).toBeLessThan(600);
    // The app has no zod messages (the server's own): each issue still says what was wrong, never just "Invalid input".
    for (const w of warnings) expect(w).not.toContain('Invalid input');
    expect(warnings.some((w) => /: invalid_type, expected \w+/.test(w))).toBe(true);
  });

  it('stops calling a handler once unsubscribed', async () => {
    let emitNow: (() => void) | undefined;
    const url = await bareServer((socket) => {
      emitNow = () => {
        socket.emit('call:ringing', VALID['call:ringing']);
        socket.emit('call:ended', VALID['call:ended']);
      };
    });
    const signaling = connect(url);
    const ringing = vi.fn();
    const off = signaling.on('call:ringing', ringing);
    const ended = new Promise((resolve) => signaling.on('call:ended', resolve));
    await new Promise<void>((resolve) => signaling.socket.once('connect', resolve));
    off();
    await vi.waitFor(() => expect(emitNow).toBeDefined());
    emitNow!();
    await ended;
    expect(ringing).not.toHaveBeenCalled();
  });

  it('turns a malformed acknowledgement into an internal refusal and passes valid ones on', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const entry = { username: 'bob', displayName: 'Bob', status: 'busy' as const };
    const call = {
      seq: 7,
      callId,
      direction: 'incoming' as const,
      peer: alice,
      media: { audio: true, video: false },
      startedAt: 1_767_225_600_000,
      answeredAt: null,
      endedAt: 1_767_225_630_000,
      outcome: 'no-answer' as const,
      missed: true,
    };
    const requests: { [E in ClientEvent]: [ClientPayload<E>, Ack<ClientReplies[E]>] } = {
      'presence:set': [{ status: 'away' }, { ok: true, status: 'away' }],
      'directory:list': [{ limit: 500 }, { ok: true, users: [entry] }],
      'presence:watch': [{ usernames: ['bob'] }, { ok: true, presence: [{ username: 'bob', status: 'busy' }] }],
      'call:invite': [{ to: 'bob', media: { audio: true, video: false } }, { ok: true, callId }],
      'call:accept': [{ callId }, { ok: true, callId, polite: true }],
      'call:decline': [{ callId }, { ok: true }],
      'call:cancel': [{ callId }, { ok: true }],
      'call:hangup': [{ callId }, { ok: true }],
      'call:resume': [{ callId }, { ok: true, state: 'active', polite: false }],
      'call:ice': [{ callId }, { ok: true, iceServers: [{ urls: ['turn:turn.example.org'], username: '1767229200:id', credential: 'c2VjcmV0' }] }],
      'call:add': [{ callId, to: 'carol' }, { ok: true }],
      'call:transfer': [{ callId, to: 'carol', onFailure: 'return' }, { ok: true }],
      'call:merge': [{ callId, with: callId }, { ok: true }],
      'room:join': [{ name: 'standup' }, { ok: true, callId, room: 'standup', participants: [alice] }],
      'room:code': [{ callId, code: 'sesame-4242' }, { ok: true }],
      'room:list': [{}, { ok: true, rooms: [{ name: 'standup', participants: [alice], hasCode: false, kept: true }], stamp: 7 }],
      'call:signal': [{ callId, candidate: null }, { ok: true }],
      'call:mute': [{ callId, muted: true }, { ok: true }],
      'call:hold': [{ callId, held: true }, { ok: true }],
      'call:swap': [{ callId }, { ok: true }],
      'call:recording': [{ callId, on: true }, { ok: true }],
      'call:note': [{ callId, chat: true }, { ok: true }],
      'history:list': [{ limit: 50 }, { ok: true, calls: [call] }],
      'history:seen': [{}, { ok: true }],
      'sfu:publish': [{ callId, description: { type: 'offer', sdp: 'v=0\r\n' } }, { ok: true, description: { type: 'answer', sdp: 'v=0\r\n' } }],
      'sfu:answer': [{ callId, description: { type: 'answer', sdp: 'v=0\r\n' } }, { ok: true }],
      'sfu:candidate': [{ callId, connection: 'subscribe', candidate: null }, { ok: true }],
      'sfu:view': [{ callId, feeds: [{ username: 'bob', video: 'low' }] }, { ok: true }],
      'sfu:leave': [{ callId }, { ok: true }],
      'network:ice': [{}, { ok: true, iceServers: [{ urls: 'stun:stun.example.org' }] }],
      'testcall:start': [{}, { ok: true, testId: callId, delayMs: 3000, maxMs: 60_000, iceServers: [] }],
      'testcall:signal': [{ testId: callId, candidate: null }, { ok: true }],
      // Only the fields every report has (a removed field must be refused; path and rttMs may be missing).
      'testcall:stop': [{ testId: callId }, { ok: true, received: { packets: 200, lost: 1, jitterMs: 2.5 } }],
    };
    const refusal = { ok: false, code: 'rate_limited', message: 'Slow down', retryAfterMs: 500 } as const;
    const malformedReplies = (valid: object): unknown[] => [
      undefined,
      null,
      'ok',
      true,
      [],
      [valid],
      binary(),
      {},
      { ...valid, ok: 'true' },
      { ok: false, code: 'teapot', message: 'No' },
      { ok: false, code: 'busy' },
      { ...refusal, message: HUGE },
      // Each field of the success removed, or of the wrong type.
      ...Object.entries(valid)
        .filter(([k]) => k !== 'ok')
        .flatMap(([k, v]) => [edit(valid, [k], REMOVE), edit(valid, [k], typeof v === 'number' ? '42' : 42)]),
    ];

    let reply: unknown;
    const url = await bareServer((socket) => {
      socket.onAny((...args: unknown[]) => {
        const ack = args[args.length - 1] as (...r: unknown[]) => void;
        if (reply === undefined) ack();
        else ack(reply);
      });
    });
    const signaling = connect(url);
    await new Promise<void>((resolve) => signaling.socket.once('connect', resolve));
    const ask = <E extends ClientEvent>(event: E, payload: ClientPayload<E>, r: unknown) => {
      reply = r;
      return signaling.request(event, payload);
    };

    let expectedWarnings = 0;
    for (const event of Object.keys(requests) as ClientEvent[]) {
      const [payload, valid] = requests[event];
      for (const bad of malformedReplies(valid)) {
        expect(await ask(event, payload, bad), event).toEqual({ ok: false, code: 'internal', message: expect.any(String) as string });
        expectedWarnings++;
      }
      expect(await ask(event, payload, valid)).toEqual(valid);
      expect(await ask(event, payload, { ...valid, addedByANewerServer: 1 })).toEqual(valid);
      expect(await ask(event, payload, refusal)).toEqual(refusal);
    }
    const warnings = warn.mock.calls.map((args) => args.map(String).join(' '));
    expect(warnings).toHaveLength(expectedWarnings);
    for (const w of warnings) {
      expect(w).toMatch(/^\[parley:signaling\] the server's reply to [a-z:]+ is malformed: /);
      expect(w.length).toBeLessThan(600);
    }
  });
});

describe('Signaling transports', () => {
  it('connects over WebSocket at once, without a long-polling handshake first', async () => {
    const initial: string[] = [];
    const url = await bareServer((socket) => initial.push(socket.conn.transport.name));
    const signaling = connect(url);
    await vi.waitFor(() => expect(signaling.connected).toBe(true));
    expect(initial).toEqual(['websocket']);
  });

  it('falls back to long-polling where WebSockets are refused (a proxy that does not pass them)', async () => {
    const initial: string[] = [];
    const url = await bareServer(
      (socket) => {
        initial.push(socket.conn.transport.name);
        socket.onAny((_event: string, _payload: unknown, ack?: (a: unknown) => void) => ack?.({ ok: true }));
      },
      { transports: ['polling'] },
    );
    const signaling = connect(url);
    await vi.waitFor(() => expect(signaling.connected).toBe(true), { timeout: 5000 });
    expect(initial).toEqual(['polling']);
    expect(await signaling.request('history:seen', {})).toEqual({ ok: true });
  });
});

describe('Signaling across a lost connection', () => {
  it('answers a request made while disconnected with `unavailable` at once, and never sends it after the reconnect', async () => {
    const received: string[] = [];
    const handshakes: unknown[] = [];
    const sockets: ServerSocket[] = [];
    const url = await bareServer((socket) => {
      handshakes.push(socket.handshake.auth);
      sockets.push(socket);
      socket.onAny((event: string, _payload: unknown, ack?: (a: unknown) => void) => {
        received.push(event);
        ack?.({ ok: true });
      });
    });
    const signaling = connect(url);
    await vi.waitFor(() => expect(signaling.connected).toBe(true));
    expect(await signaling.request('history:seen', {})).toEqual({ ok: true });

    // The server drops the transport (as a restart or a dead network does).
    const lost = new Promise<void>((resolve) => signaling.socket.once('disconnect', () => resolve()));
    sockets[0]?.conn.close();
    await lost;
    const res = await signaling.request('call:hangup', { callId });
    // Refused at once, not after the request timeout (whose message is "did not answer in time").
    expect(res).toEqual({ ok: false, code: 'unavailable', message: 'Not connected to the server' });

    // Connection owns the retry schedule: Signaling reconnects when told to.
    expect(signaling.socket.io.reconnection()).toBe(false);
    signaling.reconnectNow();
    await vi.waitFor(() => expect(sockets).toHaveLength(2), { timeout: 5000 });
    await vi.waitFor(() => expect(signaling.connected).toBe(true));
    expect(await signaling.request('history:seen', {})).toEqual({ ok: true });
    // Only what was sent while connected arrived: the hang-up was not replayed.
    expect(received).toEqual(['history:seen', 'history:seen']);
    // Same device id on both connections, so the server can resume its call.
    expect(handshakes).toEqual([
      { token: 'a-token', status: 'available', device: 'test-device-0001', presenceBatch: true, transfer: true },
      { token: 'a-token', status: 'available', device: 'test-device-0001', presenceBatch: true, transfer: true },
    ]);
  });
});
