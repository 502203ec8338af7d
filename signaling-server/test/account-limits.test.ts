/**
 * Limits per account, not per connection (realtime/account-limits.ts): one
 * signed-in user cannot ring a colleague in a loop, fill the history with
 * calls nobody answers, or flood every watcher with status changes, however
 * many devices or nodes they spread it over. Calls that are answered cost
 * nothing.
 */
import { describe, expect, it } from 'vitest';
import { connect, establishCall, expectOk, openSocket, register, settle, startTestServer, team, twoNodes } from './harness.js';

const AUDIO = { audio: true, video: false };

/** How a connection attempt ends: connected (then closed again), or the connect_error's code and message. */
function attempt(url: string, auth: Record<string, unknown>) {
  const socket = openSocket(url, auth);
  return new Promise<{ connected: true } | { connected: false; code?: string; message: string }>((resolve) => {
    socket.on('connect', () => {
      socket.disconnect();
      resolve({ connected: true });
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => resolve({ connected: false, code: err.data?.code, message: err.message }));
  });
}

/** A connection left open, or undefined when it was refused with too_many_devices. */
function connectionOf(url: string, auth: Record<string, unknown>) {
  const socket = openSocket(url, auth);
  return new Promise<ReturnType<typeof openSocket> | undefined>((resolve, reject) => {
    socket.on('connect', () => resolve(socket));
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      socket.disconnect();
      if (err.data?.code === 'too_many_devices') resolve(undefined);
      else reject(err);
    });
  });
}

describe('per-account limits', () => {
  it('an account connects at most PARLEY_MAX_DEVICES devices; a device connecting again is no extra one, and a freed place can be taken', async () => {
    const server = await startTestServer({ maxDevices: 3 });
    const login = await register(server, 'alice');
    const device = (n: number) => ({ device: `alice-device-${n}` });
    const devices = [await connect(server, login, device(1), []), await connect(server, login, device(2), []), await connect(server, login, device(3), [])];
    expect(await attempt(server.url, { token: login.token, ...device(4) })).toEqual({
      connected: false,
      code: 'too_many_devices',
      message: 'This account is connected on 3 devices, the most this server allows: sign out on one of them',
    });
    // The same device again replaces its connection.
    const again = await connect(server, login, device(3), []);
    expect(again.ready.user.username).toBe('alice');
    // One signs off: its place is free once its session has ended.
    devices[0]?.socket.disconnect();
    await expect.poll(() => attempt(server.url, { token: login.token, ...device(4) }), { timeout: 10_000 }).toEqual({ connected: true });
  });

  it('devices connecting all at once cannot pass the device cap between them, on one node or two', async () => {
    for (const nodes of [[await startTestServer({ maxDevices: 3 })], await twoNodes({ maxDevices: 3 })]) {
      const login = await register(nodes[0]!, 'alice');
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, n) => {
          const server = nodes[n % nodes.length]!;
          return connectionOf(server.url, { token: login.token, device: `alice-burst-${n}` });
        }),
      );
      const connected = burst.filter((s) => s !== undefined);
      expect(connected.length).toBeLessThanOrEqual(3);
      // A place given back (by a device that backed out) can be taken: the account fills up to the cap, never past it.
      for (let n = 0; connected.length < 3 && n < 20; n++) {
        const socket = await connectionOf(nodes[0]!.url, { token: login.token, device: `alice-later-${n}` });
        if (socket) connected.push(socket);
      }
      expect(connected).toHaveLength(3);
      expect(await attempt(nodes[0]!.url, { token: login.token, device: 'alice-one-more' })).toMatchObject({ connected: false, code: 'too_many_devices' });
      for (const s of connected) s.disconnect();
    }
  });


  it('calls left unanswered: the callee is rung 10 times, then the caller is refused rate_limited; others are not affected', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    for (let i = 0; i < 10; i++) {
      const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: AUDIO }));
      await bob.next('call:incoming', (p) => p.callId === callId);
      expectOk(await bob.emit('call:decline', { callId }));
    }
    const refused = await alice.emit('call:invite', { to: 'bob', media: AUDIO });
    expect(refused).toMatchObject({ ok: false, code: 'rate_limited', message: 'You have called bob too often without an answer: wait and try again' });
    expect((refused as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
    expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'rate_limited' });
    // The refused tries are in alice's history, as one row (not placed, twice); bob, never rung by them, sees none.
    const [mine, his] = await Promise.all([alice.emit('history:list', {}), bob.emit('history:list', {})]);
    expect(expectOk(mine).calls[0]).toMatchObject({ direction: 'outgoing', outcome: 'limited', attempts: 2, peer: { username: 'bob' } });
    expect(expectOk(mine).calls.filter((c) => c.outcome === 'limited')).toHaveLength(1);
    expect(expectOk(his).calls.map((c) => c.outcome)).toEqual(Array(10).fill('declined'));
    await settle(bob);
    expect(bob.events('call:incoming')).toHaveLength(10);
    // Alice may still call someone else, and bob may still be called by someone else.
    const toCarol = expectOk(await alice.emit('call:invite', { to: 'carol', media: AUDIO })).callId;
    await carol.next('call:incoming', (p) => p.callId === toCarol);
    expectOk(await alice.emit('call:cancel', { callId: toCarol }));
    await establishCall(dave, bob);
  });

  it('ring-and-cancel within 5 s (a misdial) costs half a try: 19 in a row where 10 unanswered calls stop, then the loop stops too', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    // Each call takes a whole try while it rings (so the last one needs one free) and gives half back.
    for (let i = 0; i < 19; i++) {
      const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: AUDIO }));
      // By call:cancel, and by call:hangup of the ringing call (what the app sends), alike.
      expectOk(await alice.emit(i % 2 === 0 ? 'call:cancel' : 'call:hangup', { callId }));
    }
    expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'rate_limited' });
    await settle(bob);
    expect(bob.events('call:incoming')).toHaveLength(19);
  });

  it("calls refused for one callee spend none of the caller's tries for everyone else", async () => {
    const server = await startTestServer({ unansweredPerCallee: 2, unansweredCalls: 4 });
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave', 'erin');
    const callees = { bob, carol, dave };
    const ringAndDecline = async (to: keyof typeof callees) => {
      const { callId } = expectOk(await alice.emit('call:invite', { to, media: AUDIO }));
      await callees[to].next('call:incoming', (p) => p.callId === callId);
      expectOk(await callees[to].emit('call:decline', { callId }));
    };
    for (let i = 0; i < 2; i++) await ringAndDecline('bob');
    for (let i = 0; i < 5; i++) expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'rate_limited', message: 'You have called bob too often without an answer: wait and try again' });
    // Two of the account's four tries went to bob; the five refusals took none, so two more people can be rung.
    await ringAndDecline('carol');
    await ringAndDecline('dave');
    expect(await alice.emit('call:invite', { to: 'erin', media: AUDIO })).toMatchObject({ ok: false, code: 'rate_limited', message: 'You have placed too many calls without an answer: wait and try again' });
    await Promise.all([settle(carol), settle(dave)]);
    expect([carol.events('call:incoming'), dave.events('call:incoming')].map((e) => e.length)).toEqual([1, 1]);
  });

  it('answered calls give their tries back: a pair can call each other all day', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    for (let i = 0; i < 15; i++) {
      const callId = await establishCall(alice, bob);
      expectOk(await alice.emit('call:hangup', { callId }));
      await bob.next('call:ended', (p) => p.callId === callId);
    }
  });

  it('calls refused as offline count per account over all its devices and both nodes: past the limit, rate_limited on every one', async () => {
    const [one, two] = await twoNodes({ unansweredCalls: 6 });
    const alice = await register(one, 'alice');
    const offline = ['away1', 'away2', 'away3', 'away4', 'away5', 'away6', 'away7'];
    for (const name of offline) await register(one, name);
    const desk = await connect(one, alice, { device: 'alice-desk-001' }, []);
    const laptop = await connect(two, alice, { device: 'alice-laptop-01' }, []);
    const answers = await Promise.all(offline.slice(0, 6).map((to, i) => (i % 2 === 0 ? desk : laptop).emit('call:invite', { to, media: AUDIO })));
    expect(answers.map((a) => (a.ok ? 'ok' : a.code))).toEqual(Array(6).fill('offline'));
    for (const d of [desk, laptop]) {
      expect(await d.emit('call:invite', { to: 'away7', media: AUDIO })).toMatchObject({
        ok: false,
        code: 'rate_limited',
        message: 'You have placed too many calls without an answer: wait and try again',
      });
    }
    // The six refusals reached the history, and the two the limit refused as one entry (not placed, twice).
    const calls = expectOk(await desk.emit('history:list', { limit: 50 })).calls;
    expect(calls.map((c) => c.outcome)).toEqual(['limited', ...Array<string>(6).fill('offline')]);
    expect(calls[0]).toMatchObject({ attempts: 2, peer: { username: 'away7' } });
  });

  it('status changes: 20 a minute per account over all its devices, then rate_limited', async () => {
    const server = await startTestServer();
    const login = await register(server, 'alice');
    const desk = await connect(server, login, { device: 'alice-desk-001' }, []);
    const laptop = await connect(server, login, { device: 'alice-laptop-01' }, []);
    for (let i = 0; i < 20; i++) expectOk(await (i % 2 === 0 ? desk : laptop).emit('presence:set', { status: i % 2 === 0 ? 'away' : 'available' }));
    for (const d of [desk, laptop]) {
      expect(await d.emit('presence:set', { status: 'dnd' })).toMatchObject({ ok: false, code: 'rate_limited', message: 'Your status changed too often: wait and try again' });
    }
  });
});
