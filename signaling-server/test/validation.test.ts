import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { clientSchemas, type ClientEvent } from '../src/protocol/index.js';
import { connect, establishCall, type Client, expectOk, openSocket, register, settle, startTestServer, team } from './harness.js';

const untypedEmit = (socket: Client) => socket.emit.bind(socket) as unknown as (event: string, ...args: unknown[]) => void;

const huge = 'x'.repeat(40_000);
const notObjects = [undefined, null, 0, 'text', true, [], [{}]];

/** Payloads each event must refuse with bad_request, beyond `notObjects`. */
const malformed: Record<ClientEvent, unknown[]> = {
  'presence:set': [{}, { status: 'busy' }, { status: 'offline' }, { status: 1 }, { status: 'away', extra: 1 }],
  'directory:list': [{ query: 5 }, { query: huge }, { query: 'al\u0000' }, { limit: 0 }, { limit: 501 }, { limit: 1.5 }, { limit: '10' }],
  'presence:watch': [
    {},
    { usernames: 'bob' },
    { usernames: ['Bob!'] },
    { usernames: [huge] },
    { usernames: [7] },
    { usernames: Array.from({ length: 501 }, (_, i) => `u${i}`) },
    { usernames: [], extra: 1 },
  ],
  'call:invite': [
    {},
    { to: 'bob' },
    { to: 'bob', media: {} },
    { to: 'bob', media: { audio: 'yes', video: false } },
    { to: 'Bob!', media: { audio: true, video: false } },
    { to: huge, media: { audio: true, video: false } },
    { to: ['bob'], media: { audio: true, video: false } },
    { to: 'bob', media: { audio: true, video: false, screen: true } },
  ],
  'call:accept': [{}, { callId: 1 }, { callId: '' }, { callId: huge }, { callId: { $ne: null } }, { callId: 'a b' }],
  'call:decline': [{}, { callId: null }, { callId: huge }],
  'call:cancel': [{}, { callId: [] }, { callId: huge }],
  'call:hangup': [{}, { callId: false }, { callId: huge }, { callId: 'c', reason: 'hangup' }, { callId: 'c', reason: 1 }],
  'call:resume': [{}, { callId: 7 }, { callId: huge }, { callId: 'c', role: 'caller' }, { callId: '\u0000' }, { callId: 'ça' }],
  'call:ice': [{}, { callId: 7 }, { callId: huge }, { callId: '' }, { callId: 'c', ttl: 60 }],
  'call:signal': [
    { callId: 'c' },
    { callId: 'c', description: { type: 'bogus', sdp: '' } },
    { callId: 'c', description: { type: 'offer', sdp: 'x'.repeat(33 * 1024) } },
    { callId: 'c', description: 'v=0' },
    { callId: 'c', candidate: { candidate: 5 } },
    { callId: 'c', candidate: { candidate: 'x'.repeat(3000) } },
    { callId: 'c', candidate: { candidate: 'a', sdpMLineIndex: -1 } },
    { callId: 'c', from: 'alice', candidate: null },
    { callId: 'c', to: 'Bob!', candidate: null },
  ],
  'call:add': [{ callId: 'c' }, { callId: 'c', to: 'Bob!' }, { to: 'bob' }, { callId: 'c', to: 'bob', media: {} }],
  'room:code': [{}, { callId: 'c' }, { callId: 'c', code: 'short' }, { callId: 'c', code: 12345678 }, { code: 'long-enough-code' }, { callId: 'c', code: null, extra: 1 }],
  'room:list': [{ all: true }, { name: 'standup' }],
  'room:join': [
    {},
    { name: '' },
    { name: 'Standup' },
    { name: '-standup' },
    { name: 'x'.repeat(65) },
    { name: 'standup', code: '' },
    { name: 'standup', code: '1234567' },
    { name: 'standup', code: 'x'.repeat(65) },
    { name: 'standup', code: 7 },
    { name: 'standup', media: { audio: true } },
    { name: 'standup', password: 'x' },
  ],
  'call:mute': [{ callId: 'c' }, { callId: 'c', muted: 'yes' }, { muted: true }],
  'call:hold': [{ callId: 'c' }, { callId: 'c', held: 'yes' }, { held: true }, { callId: 'c', held: true, to: 'bob' }],
  'call:swap': [{}, { callId: 7 }, { callId: 'c', held: true }],
  'call:transfer': [{ callId: 'c' }, { callId: 'c', to: 'bob', consult: 'd' }, { callId: 'c', to: 'B!' }, { callId: 'c', to: 'bob', onFailure: 'hang' }, { to: 'bob' }],
  'call:merge': [{ callId: 'c' }, { with: 'c' }, { callId: 'c', with: 7 }, { callId: 'c', with: 'd', to: 'bob' }],
  'call:recording': [{ callId: 'c' }, { callId: 'c', on: 'yes' }, { on: true }, { callId: 'c', on: true, username: 'mallory' }, { callId: 7, on: true }],
  'call:note': [{ callId: 'c' }, { callId: 'c', chat: false }, { callId: 'c', chat: 'yes' }, { chat: true }, { callId: 'c', chat: true, text: 'hi' }],
  'history:list': [{ before: -1 }, { before: 'x' }, { limit: 0 }, { limit: 101 }, { limit: 2.5 }],
  'history:seen': [{ all: true }],
  'sfu:publish': [
    { callId: 'c' },
    { callId: 'c', description: { type: 'answer', sdp: 'v=0' } },
    { callId: 'c', description: { type: 'offer', sdp: '' } },
    { callId: 'c', description: { type: 'offer', sdp: 'x'.repeat(60_001) } },
    { callId: 'c', description: { type: 'offer', sdp: 'v=0' }, room: 'parley-1' },
  ],
  'sfu:answer': [{ callId: 'c' }, { callId: 'c', description: { type: 'offer', sdp: 'v=0' } }, { callId: 'c', description: { type: 'answer' } }],
  'sfu:candidate': [
    { callId: 'c', candidate: null },
    { callId: 'c', connection: 'both', candidate: null },
    { callId: 'c', connection: 'publish' },
    { callId: 'c', connection: 'subscribe', candidate: { candidate: 5 } },
    { callId: 'c', connection: 'publish', candidate: null, handle: 1 },
  ],
  'sfu:view': [
    { callId: 'c' },
    { callId: 'c', feeds: [{ username: 'bob' }] },
    { callId: 'c', feeds: [{ username: 'bob', video: 'hd' }] },
    { callId: 'c', feeds: [{ username: 'Not a name!', video: 'low' }] },
    { callId: 'c', feeds: [{ username: 'bob', video: 'low', substream: 2 }] },
    { callId: 'c', feeds: Array.from({ length: 65 }, (_, i) => ({ username: `user${i}`, video: 'low' })) },
  ],
  'sfu:leave': [{}, { callId: 7 }, { callId: 'c', secret: 'x' }],
  'network:ice': [{ callId: 'c' }],
  'testcall:start': [{ delayMs: 999 }, { delayMs: 10_001 }, { delayMs: 1.5 }, { delayMs: '3000' }, { media: { audio: true, video: false } }],
  'testcall:signal': [{ testId: 't' }, { testId: '', candidate: null }, { description: { type: 'offer', sdp: 'v=0' } }, { testId: 't', description: { type: 'nope' } }, { testId: 't', candidate: null, to: 'bob' }],
  'testcall:stop': [{}, { testId: 'x'.repeat(65) }, { testId: 't', extra: 1 }],
};

describe('malformed input', () => {
  it('every event refuses malformed payloads with bad_request and changes nothing', async () => {
    // Many messages in a row: lift the rate limit, which has its own test.
    const server = await startTestServer({ messageRate: 10_000, messageBurst: 10_000 });
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const callId = await establishCall(alice, bob);
    for (const event of Object.keys(clientSchemas) as ClientEvent[]) {
      for (const payload of [...notObjects, ...malformed[event]]) {
        const ack = await alice.emitRaw(event, payload);
        expect(ack, `${event} ${(JSON.stringify(payload) as string | undefined)?.slice(0, 80)}`).toMatchObject({ ok: false, code: 'bad_request' });
        expect((ack as { message: string }).message).toMatch(event);
      }
    }
    // In zod's English words (validation-messages.ts): the protocol module itself installs none.
    const words = (await alice.emitRaw('sfu:leave', { callId: 7 })) as { message: string };
    expect(words.message).toContain('callId: Invalid input: expected string');
    // Nothing changed: the call is intact, nobody got anything, presence as before.
    await settle(bob, carol);
    expect(bob.events('call:ended')).toEqual([]);
    expect(bob.events('call:signal')).toEqual([]);
    expect(carol.events('call:incoming')).toEqual([]);
    expectOk(await alice.emit('call:mute', { callId, muted: true }));
    await bob.next('call:muted');
    const dir = expectOk(await carol.emit('directory:list', {}));
    expect(dir.users.find((u) => u.username === 'alice')?.status).toBe('busy');
  });

  it('unknown call ids are answered not_found for every call event', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    const callId = '00000000-0000-4000-8000-000000000000';
    for (const [event, payload] of [
      ['call:accept', { callId }],
      ['call:decline', { callId }],
      ['call:cancel', { callId }],
      ['call:hangup', { callId }],
      ['call:signal', { callId, candidate: null }],
      ['call:hold', { callId, held: true }],
      ['call:swap', { callId }],
      ['call:transfer', { callId, to: 'bob' }],
      ['call:transfer', { callId, consult: callId }],
      ['call:merge', { callId, with: callId }],
      ['call:mute', { callId, muted: true }],
      ['call:recording', { callId, on: true }],
      ['call:add', { callId, to: 'bob' }],
      ['call:ice', { callId }],
    ] as const) {
      expect(await alice.emitRaw(event, payload), event).toMatchObject({ ok: false, code: 'not_found' });
    }
  });

  it('unknown events, extra arguments and missing acknowledgements do not hurt the server', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    expect(await alice.emitRaw('admin:drop-tables', {})).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await alice.emitRaw('presence:set', { status: 'away' }, { status: 'dnd' })).toMatchObject({ ok: false, code: 'bad_request' });
    const send = untypedEmit(alice.socket);
    send('presence:set', { status: 'away' }); // no ack: handled, nothing to answer
    send('call:invite', 'garbage');
    await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'away');
    expectOk(await alice.emit('directory:list', {}));
  });

  for (const transport of ['websocket', 'polling'] as const) {
    it(`a message over 64 KiB is refused by the ${transport} transport, closing only that connection`, async () => {
      const server = await startTestServer();
      const login = await register(server, 'alice');
      const { bob } = await team(server, 'bob');
      const alice = openSocket(server.url, { token: login.token }, { transports: [transport] });
      await new Promise((resolve) => alice.once('session:ready', resolve));
      await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'available');
      const closed = new Promise<string>((resolve) => alice.on('disconnect', resolve));
      untypedEmit(alice)('call:signal', { callId: 'c', description: { type: 'offer', sdp: 'x'.repeat(70 * 1024) } });
      // WebSocket: the server closes the socket (code 1009). Polling: the POST is
      // answered 413, and the client gives the connection up and tells the server.
      expect(await closed).toBe(transport === 'websocket' ? 'transport close' : 'transport error');
      // The server closed its end too: alice's only device is gone.
      await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'offline');
      expectOk(await bob.emit('directory:list', {}));
      const again = await connect(server, login);
      expectOk(await again.emit('directory:list', {}));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    });
  }
});

describe('rate limit', () => {
  it('answers rate_limited past the burst and leaves other sessions alone', async () => {
    const server = await startTestServer({ messageRate: 5, messageBurst: 5 });
    // Devices that watch nobody: the whole allowance is left for the burst below.
    const alice = await connect(server, await register(server, 'alice'), {}, []);
    const bob = await connect(server, await register(server, 'bob'), {}, []);
    const acks = await Promise.all(Array.from({ length: 40 }, () => alice.emit('directory:list', { limit: 1 })));
    const limited = acks.filter((a) => !a.ok);
    expect(limited.length).toBeGreaterThan(0);
    expect(acks.filter((a) => a.ok).length).toBeGreaterThanOrEqual(10);
    for (const a of limited) {
      expect(a).toMatchObject({ ok: false, code: 'rate_limited' });
      expect((a as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    }
    expectOk(await bob.emit('directory:list', {}));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/parley_rejected_messages_total\{code="rate_limited"\} [1-9]/);
    // 30 refusals are far from the flood rule (100 by default): still connected.
    expect(alice.socket.connected).toBe(true);
  });

  it('closes a connection that keeps sending past PARLEY_FLOOD_DISCONNECT refusals, and only that one', async () => {
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const server = await startTestServer({ messageRate: 5, messageBurst: 5, floodDisconnect: 50 }, { logger });
    const login = await register(server, 'alice');
    const flooder = await connect(server, login);
    const phone = await connect(server, login); // alice's other device
    const { bob } = await team(server, 'bob');
    const closed = new Promise<string>((resolve) => flooder.socket.on('disconnect', resolve));
    const burst = (n: number) => Promise.allSettled(Array.from({ length: n }, () => flooder.emit('directory:list', { limit: 1 })));
    const others = async () => {
      expectOk(await phone.emit('directory:list', { limit: 1 }));
      expectOk(await bob.emit('directory:list', { limit: 1 }));
    };

    // Past the limit but under the flood rule: refused, still connected, nobody else affected.
    const first = await burst(30);
    const answered = first.map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    expect(answered.filter((a) => a?.ok === false && a.code === 'rate_limited').length).toBeGreaterThan(0);
    expect(answered.every((a) => a?.ok === true || a?.code === 'rate_limited')).toBe(true);
    expect(flooder.socket.connected).toBe(true);
    await others();

    // Keeps going: the server closes this connection while the others carry on.
    const [second] = await Promise.all([burst(100), others()]);
    expect(await Promise.race([closed, burst(300).then(() => 'still connected after 430 messages')])).toBe('transport close');
    expect(second.some((r) => r.status === 'fulfilled' && !r.value.ok && r.value.code === 'rate_limited')).toBe(true);
    await others();
    // Alice is still online through her phone, which can still do everything.
    await settle(bob, phone);
    expect(bob.events('presence:changed').filter((p) => p.username === 'alice' && p.status === 'offline')).toEqual([]);
    expectOk(await phone.emit('presence:set', { status: 'away' }));
    await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'away');
    // Counted and logged once; a new connection of the same device starts afresh.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^parley_flood_disconnects_total 1$/m);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === 'flooding device disconnected');
    expect(logged).toEqual([expect.objectContaining({ level: 40, username: 'alice', sessionId: flooder.ready.sessionId })]);
    const again = await connect(server, login);
    expectOk(await again.emit('directory:list', { limit: 1 }));
  });

  it('PARLEY_FLOOD_DISCONNECT=0 only refuses, never disconnects', async () => {
    const server = await startTestServer({ messageRate: 5, messageBurst: 5, floodDisconnect: 0 });
    const { alice } = await team(server, 'alice');
    const acks = await Promise.all(Array.from({ length: 300 }, () => alice.emit('directory:list', { limit: 1 })));
    expect(acks.filter((a) => !a.ok).length).toBeGreaterThanOrEqual(250);
    expect(alice.socket.connected).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^parley_flood_disconnects_total 0$/m);
  });
});
