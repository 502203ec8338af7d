/**
 * Several nodes sharing state through a real Redis (redis-server started by
 * the test) and one data dir (or, with PARLEY_TEST_STORES=postgres, one
 * PostgreSQL database): a user on one node calls a user on another and
 * everything behaves as on one node; an answer race across nodes has one
 * winner; group calls whose people are on different nodes, and a race for
 * the last place in a room; Redis restarting mid-call (with its data, or
 * without it: 1:1 calls and rooms claimed back); and a node killed
 * (SIGKILL) mid-call, whose clients resume on the other node while the
 * survivor ends what the dead node's devices left behind.
 */
import { describe, expect, it } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { disconnected, startChildServer } from './cli-helpers.js';
import { RedisServer } from './redis-server.js';
import { connect, type Device, establishCall, expectOk, register, settle, startTestServer, tempDir, twoNodes, expectRelay } from './harness.js';
import { testRedis } from './test-stores.js';

const audio = { audio: true, video: false };

async function healthz(server: { url: string }): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server.url}/healthz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('two nodes sharing state through Redis', () => {
  it('a user on node 1 calls a user on node 2: presence, ringing, accept, relay, mute, hold, hang-up and history as on one node', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob') };
    const alice = await connect(one, logins.alice, {}, ['bob']);
    const bob = await connect(two, logins.bob, {}, ['alice']);
    // Each sees the other online, though they are on different nodes.
    expect(expectOk(await alice.emit('presence:watch', { usernames: ['bob'] })).presence).toEqual([{ username: 'bob', status: 'available' }]);
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'away');
    expectOk(await bob.emit('presence:set', { status: 'available' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');

    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    expect(await bob.next('call:incoming')).toMatchObject({ callId, from: { username: 'alice', displayName: 'Alice' }, polite: true });
    await alice.next('call:ringing', (p) => p.callId === callId);
    expect(expectOk(await bob.emit('call:accept', { callId }))).toMatchObject({ polite: true });
    expect(await alice.next('call:accepted')).toEqual({ callId, polite: false });
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'busy');
    await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'busy');

    await expectRelay(alice, bob, callId);
    await expectRelay(bob, alice, callId);
    expectOk(await bob.emit('call:mute', { callId, muted: true }));
    expect(await alice.next('call:muted')).toEqual({ callId, username: 'bob', muted: true });
    expectOk(await alice.emit('call:hold', { callId, held: true }));
    expect(await bob.next('call:held')).toEqual({ callId, username: 'alice', held: true });
    expectOk(await alice.emit('call:hold', { callId, held: false }));
    expect(await bob.next('call:held', (p) => !p.held)).toEqual({ callId, username: 'alice', held: false });

    expectOk(await alice.emit('call:hangup', { callId }));
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    await bob.next('presence:changed', (p) => p.username === 'alice' && p.status === 'available');
    // Both nodes serve the same history.
    for (const d of [alice, bob]) {
      const [entry] = expectOk(await d.emit('history:list', {})).calls;
      expect(entry).toMatchObject({ callId, outcome: 'hangup' });
      expect(entry?.answeredAt).not.toBeNull();
    }
    // Signing off on node 2 reaches the watcher on node 1.
    bob.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'offline');
  });

  it('a caller already in a call on one node is refused on the other; a callee in a call gets call waiting from everywhere', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob'), carol: await register(one, 'carol') };
    const alice = await connect(one, logins.alice);
    const bob = await connect(two, logins.bob);
    const alice2 = await connect(two, logins.alice);
    const carol = await connect(two, logins.carol);
    await establishCall(alice, bob);
    expect(await alice2.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    // Bob (on node 2, in a call with alice on node 1) is rung by carol: call waiting.
    const { callId } = expectOk(await carol.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming', (p) => p.callId === callId);
    // Answering it needs him out of the call he is in.
    expect(await bob.emit('call:accept', { callId })).toMatchObject({ ok: false, code: 'not_found' });
    const first = (await alice.next('call:accepted')).callId;
    expectOk(await bob.emit('call:hangup', { callId: first }));
    expect(await alice.next('call:ended')).toEqual({ callId: first, reason: 'hangup' });
    expect(expectOk(await bob.emit('call:accept', { callId }))).toMatchObject({ callId, polite: true });
    expect(await carol.next('call:accepted')).toEqual({ callId, polite: false });
  });

  it('two devices answering at the same moment on different nodes: exactly one wins, every time', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob') };
    const alice = await connect(one, logins.alice, {}, []);
    const bobOne = await connect(one, logins.bob, { device: 'bob-desk-0001' }, []);
    const bobTwo = await connect(two, logins.bob, { device: 'bob-phone-001' }, []);
    const ROUNDS = 25;
    const winners = { one: 0, two: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
      await Promise.all([bobOne.next('call:incoming', (p) => p.callId === callId), bobTwo.next('call:incoming', (p) => p.callId === callId)]);
      const [a, b] = await Promise.all([bobOne.emit('call:accept', { callId }), bobTwo.emit('call:accept', { callId })]);
      expect([a.ok, b.ok].filter(Boolean), `round ${i}: ${JSON.stringify([a, b])}`).toHaveLength(1);
      const [winner, loser] = a.ok ? [bobOne, bobTwo] : [bobTwo, bobOne];
      winners[a.ok ? 'one' : 'two']++;
      expect((a.ok ? b : a).ok).toBe(false);
      expect(await loser.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'answered-elsewhere' });
      await alice.next('call:accepted', (p) => p.callId === callId);
      expect(alice.events('call:accepted').filter((p) => p.callId === callId)).toHaveLength(1);
      expectOk(await winner.emit('call:hangup', { callId }));
      await alice.next('call:ended', (p) => p.callId === callId);
    }
    expect(winners.one + winners.two).toBe(ROUNDS);
    const history = expectOk(await alice.emit('history:list', { limit: ROUNDS })).calls;
    expect(history).toHaveLength(ROUNDS);
    expect(history.every((c) => c.outcome === 'hangup' && c.answeredAt !== null)).toBe(true);
  });

  it('the ring timeout of a call is enforced and cleared across nodes', async () => {
    const [one, two] = await twoNodes({ ringTimeoutS: 1 });
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob') };
    const alice = await connect(one, logins.alice, {}, []);
    const bob = await connect(two, logins.bob, {}, []);
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    expect(await bob.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'no-answer' });
    // Answered on node 2 within the timeout set on node 1: the call outlives the timeout.
    const answered = await establishCall(alice, bob);
    await new Promise((r) => setTimeout(r, 2500));
    await expectRelay(alice, bob, answered);
    expect(alice.events('call:ended').filter((p) => p.callId === answered)).toHaveLength(0);
  });
});

/** `from` signals participant `to` of a group call; it arrives there stamped with `from`, and at none of `others`. */
async function expectPairRelay(callId: string, from: Device, to: Device, others: Device[]): Promise<void> {
  const candidate = { candidate: `candidate:${Math.random()} 1 udp 1 10.0.0.1 9 typ host`, sdpMid: '0' };
  const arrived = to.next('call:signal', (p) => p.callId === callId && p.candidate?.candidate === candidate.candidate);
  expectOk(await from.emit('call:signal', { callId, to: to.ready.user.username, candidate }));
  expect(await arrived).toMatchObject({ from: from.ready.user.username });
  await settle(...others);
  for (const o of others) expect(o.events('call:signal').filter((p) => p.candidate?.candidate === candidate.candidate)).toEqual([]);
}

const ref = (username: string) => ({ username, displayName: username.charAt(0).toUpperCase() + username.slice(1) });

describe('group calls across nodes', () => {
  it('wrong join codes guessed through both nodes count together: the sixth from one account is rate_limited on either node', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), mallory: await register(two, 'mallory') };
    const alice = await connect(one, logins.alice, {}, []);
    expectOk(await alice.emit('room:join', { name: 'board', code: 'sesame-4242' }));
    const onOne = await connect(one, logins.mallory, {}, []);
    const onTwo = await connect(two, logins.mallory, {}, []);
    for (let i = 0; i < 5; i++) {
      const device = i % 2 === 0 ? onOne : onTwo;
      expect(await device.emit('room:join', { name: 'board', code: `guess-${i}-xyz` })).toMatchObject({ ok: false, code: 'wrong_code' });
    }
    for (const device of [onOne, onTwo]) {
      expect(await device.emit('room:join', { name: 'board', code: 'guess-9-xyz' })).toMatchObject({ ok: false, code: 'rate_limited' });
    }
  });

  it('three people on two nodes in one room: each pair relays, mute reaches all, one leaving leaves the others their pair', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob'), carol: await register(one, 'carol') };
    const alice = await connect(one, logins.alice, {}, ['bob', 'carol']);
    const bob = await connect(two, logins.bob, {}, ['alice', 'carol']);
    const carol = await connect(one, logins.carol, {}, ['alice', 'bob']);

    const { callId } = expectOk(await alice.emit('room:join', { name: 'standup', code: 'sesame-42' }));
    // The join code set on node 1 is checked on node 2.
    expect(await bob.emit('room:join', { name: 'standup', code: 'wrong-code' })).toMatchObject({ ok: false, code: 'wrong_code' });
    expect(expectOk(await bob.emit('room:join', { name: 'standup', code: 'sesame-42' }))).toEqual({
      ok: true,
      callId,
      room: 'standup',
      participants: [ref('alice')],
      ownership: { owner: ref('alice'), canChangeCode: false, hasCode: true },
      iceServers: [],
    });
    expect(await alice.next('room:joined')).toEqual({ callId, user: ref('bob'), polite: false });
    const carolJoin = expectOk(await carol.emit('room:join', { name: 'standup', code: 'sesame-42' }));
    expect(carolJoin.participants).toEqual([ref('alice'), ref('bob')]);
    for (const d of [alice, bob]) expect(await d.next('room:joined', (p) => p.user.username === 'carol')).toEqual({ callId, user: ref('carol'), polite: false });

    // Every pair, both ways: on one node (alice, carol) and across nodes.
    for (const [from, to, other] of [
      [alice, bob, carol],
      [bob, alice, carol],
      [alice, carol, bob],
      [carol, alice, bob],
      [bob, carol, alice],
      [carol, bob, alice],
    ] as const) {
      await expectPairRelay(callId, from, to, [other]);
    }
    expectOk(await bob.emit('call:mute', { callId, muted: true }));
    for (const d of [alice, carol]) expect(await d.next('call:muted')).toEqual({ callId, username: 'bob', muted: true });
    // Bob (node 2) records: both on node 1 are told.
    expectOk(await bob.emit('call:recording', { callId, on: true }));
    for (const d of [alice, carol]) expect(await d.next('call:recording')).toEqual({ callId, username: 'bob', on: true });
    // Busy to everyone, seen from both nodes.
    for (const d of [alice, bob]) {
      const users = expectOk(await d.emit('directory:list', {})).users;
      expect(users.filter((u) => u.status === 'busy').map((u) => u.username).sort()).toEqual(['alice', 'bob', 'carol'].filter((u) => u !== d.ready.user.username));
    }

    // Bob (node 2) leaves: the two on node 1 are told and keep their pair.
    expectOk(await bob.emit('call:hangup', { callId }));
    for (const d of [alice, carol]) expect(await d.next('room:left')).toEqual({ callId, username: 'bob', reason: 'hangup' });
    await expectPairRelay(callId, alice, carol, [bob]);
    await expectPairRelay(callId, carol, alice, [bob]);
    expect(await bob.emit('call:signal', { callId, to: 'alice', candidate: null })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.emit('call:signal', { callId, to: 'bob', candidate: null })).toMatchObject({ ok: false, code: 'not_in_call' });
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');
    expectOk(await carol.emit('call:recording', { callId, on: true }));
    await alice.next('call:recording', (p) => p.username === 'carol');
    // He can come back in, from the other node.
    const bobAgain = expectOk(await bob.emit('room:join', { name: 'standup', code: 'sesame-42' }));
    expect(bobAgain.participants).toEqual([ref('alice'), ref('carol')]);
    // His recording stopped when he left; carol's, started on node 1, is what he learns on node 2.
    expect(bobAgain.recording).toEqual(['carol']);
    for (const d of [alice, carol]) await d.next('room:joined', (p) => p.user.username === 'bob');
    await expectPairRelay(callId, carol, bob, [alice]);

    // The last one out ends the room; the history is the same on both nodes.
    for (const d of [alice, carol]) expectOk(await d.emit('call:hangup', { callId }));
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await bob.emit('call:hangup', { callId })).toMatchObject({ ok: false, code: 'not_found' });
    const [bobEntry] = expectOk(await bob.emit('history:list', {})).calls;
    const [carolEntry] = expectOk(await carol.emit('history:list', {})).calls;
    expect(bobEntry).toMatchObject({ callId, room: 'standup', participants: [ref('alice'), ref('carol')], outcome: 'hangup' });
    expect(carolEntry).toMatchObject({ callId, room: 'standup', participants: [ref('alice'), ref('bob')], outcome: 'hangup' });
  });

  it('Add person rings a device on the other node; its ring timeout runs across nodes; answered, both offer to the newcomer', async () => {
    const [one, two] = await twoNodes({ ringTimeoutS: 1 });
    const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob'), carol: await register(one, 'carol') };
    const alice = await connect(one, logins.alice, {}, []);
    const bob = await connect(two, logins.bob, {}, []);
    const carol = await connect(one, logins.carol, {}, []);
    const callId = await establishCall(alice, bob);

    // Added by bob on node 2, rung on node 1, not answered: the deadline set on node 2 ends it.
    expectOk(await bob.emit('call:add', { callId, to: 'carol' }));
    expect(await carol.next('call:incoming', (p) => p.callId === callId)).toMatchObject({ from: ref('bob'), participants: [ref('alice'), ref('bob')] });
    expect(await alice.next('room:ringing')).toEqual({ callId, user: ref('carol'), by: 'bob' });
    expect(await carol.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'no-answer' });
    for (const d of [alice, bob]) expect(await d.next('room:left', (p) => p.username === 'carol')).toEqual({ callId, username: 'carol', reason: 'no-answer' });

    // Added again and answered on node 1 within the timeout: the call outlives the deadline.
    carol.received.length = 0;
    expectOk(await bob.emit('call:add', { callId, to: 'carol' }));
    await carol.next('call:incoming', (p) => p.callId === callId);
    expect(expectOk(await carol.emit('call:accept', { callId }))).toMatchObject({ participants: [ref('alice'), ref('bob')] });
    for (const d of [alice, bob]) expect(await d.next('room:joined', (p) => p.user.username === 'carol')).toEqual({ callId, user: ref('carol'), polite: false });
    await new Promise((r) => setTimeout(r, 2000));
    expect(carol.events('call:ended').filter((p) => p.callId === callId)).toEqual([]);
    await expectPairRelay(callId, bob, carol, [alice]);
    await expectPairRelay(callId, carol, alice, [bob]);
    await expectPairRelay(callId, alice, bob, [carol]);
  });

  it('two people taking the last place in a room at the same moment on different nodes: exactly one gets in, every time', async () => {
    const [one, two] = await twoNodes({ meshLimit: 3 });
    const logins = {
      alice: await register(one, 'alice'),
      bob: await register(two, 'bob'),
      carol: await register(one, 'carol'),
      dave: await register(two, 'dave'),
    };
    const alice = await connect(one, logins.alice, {}, []);
    const bob = await connect(two, logins.bob, {}, []);
    const carol = await connect(one, logins.carol, {}, []);
    const dave = await connect(two, logins.dave, {}, []);
    const ROUNDS = 10;
    const winners = { carol: 0, dave: 0 };
    for (let i = 0; i < ROUNDS; i++) {
      const name = `race-${i}`;
      // Opening an empty room at the same moment on both nodes: one opens it, the other joins it.
      const [a, b] = await Promise.all([alice.emit('room:join', { name }), bob.emit('room:join', { name })]);
      const [opened, joined] = [expectOk(a), expectOk(b)];
      expect(joined.callId).toBe(opened.callId);
      expect([opened.participants, joined.participants].filter((p) => p.length === 0), `round ${i}`).toHaveLength(1);
      const { callId } = opened;

      // One place left under the mesh limit of 3.
      const [c, d] = await Promise.all([carol.emit('room:join', { name }), dave.emit('room:join', { name })]);
      expect([c.ok, d.ok].filter(Boolean), `round ${i}: ${JSON.stringify([c, d])}`).toHaveLength(1);
      const [winner, loser, loserAck] = c.ok ? [carol, dave, d] : [dave, carol, c];
      winners[c.ok ? 'carol' : 'dave']++;
      expect(loserAck).toMatchObject({ ok: false, code: 'room_full' });
      for (const p of [alice, bob]) await p.next('room:joined', (e) => e.callId === callId && e.user.username === winner.ready.user.username);
      await settle(alice, bob);
      for (const p of [alice, bob]) expect(p.events('room:joined').filter((e) => e.callId === callId && e.user.username === loser.ready.user.username)).toEqual([]);

      // Everyone out: the room closes, and all four are free for the next round.
      for (const p of [winner, alice, bob]) expectOk(await p.emit('call:hangup', { callId }));
      expect(await alice.emit('call:hangup', { callId })).toMatchObject({ ok: false, code: 'not_found' });
    }
    expect(winners.carol + winners.dave).toBe(ROUNDS);
  });
});

describe('Redis going away and coming back', () => {
  it('while Redis is down requests get `unavailable` and /healthz fails naming it; after it restarts the call goes on and new calls work', async () => {
    // This test restarts Redis, so it gets one of its own.
    const own = await RedisServer.start();
    try {
      const redisUrl = own.url(0);
      const dataDir = tempDir();
      const one = await startTestServer({ dataDir, redisUrl });
      const two = await startTestServer({ dataDir, redisUrl });
      const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob'), carol: await register(one, 'carol') };
      const alice = await connect(one, logins.alice, { device: 'alice-laptop-01' }, ['bob']);
      const bob = await connect(two, logins.bob, { device: 'bob-desktop-01' }, ['alice']);
      const callId = await establishCall(alice, bob);
      expect((await healthz(one)).status).toBe(200);

      await own.stop('save');
      const down = await healthz(one);
      expect(down.status).toBe(503);
      expect(down.body).toEqual({ status: 'error', down: ['redis'], message: 'unreachable: redis' });
      expect(await alice.emit('call:mute', { callId, muted: true })).toMatchObject({ ok: false, code: 'unavailable' });
      // Sign-in still works (its throttle falls back to this node's memory); the session waits for Redis.
      const res = await fetch(`${one.url}/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'carol', password: 'carol-password' }),
      });
      expect(res.status).toBe(200);

      await own.restart();
      await expect.poll(async () => (await healthz(one)).status, { timeout: 10_000, interval: 200 }).toBe(200);
      await expect.poll(async () => (await healthz(two)).status, { timeout: 10_000, interval: 200 }).toBe(200);
      // The clients never noticed: the same connections carry on with the same call.
      expect(alice.socket.connected && bob.socket.connected).toBe(true);
      expectOk(await alice.emit('call:mute', { callId, muted: true }));
      expect(await bob.next('call:muted')).toEqual({ callId, username: 'alice', muted: true });
      await expectRelay(bob, alice, callId);
      expectOk(await bob.emit('call:hangup', { callId }));
      expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
      const next = await establishCall(bob, alice);
      await expectRelay(alice, bob, next);
      await connect(one, logins.carol, {}, []);
      // Still in it, as far as both nodes know: alice cannot place another.
      expect(await alice.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    } finally {
      await own.close();
    }
  }, 60_000);

  it('Redis restarting without its data: clients are asked to reconnect, both sides claim the call and it goes on', async () => {
    const own = await RedisServer.start();
    try {
      const redisUrl = own.url(0);
      const dataDir = tempDir();
      const one = await startTestServer({ dataDir, redisUrl });
      const two = await startTestServer({ dataDir, redisUrl });
      const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob') };
      const alice = await connect(one, logins.alice, { device: 'alice-laptop-01' }, ['bob']);
      const bob = await connect(two, logins.bob, { device: 'bob-desktop-01' }, ['alice']);
      const callId = await establishCall(alice, bob);
      const gone = [disconnected(alice.socket, 20_000), disconnected(bob.socket, 20_000)];
      await own.stop('nosave');
      await own.restart();
      expect(await Promise.all(gone)).toEqual(['transport close', 'transport close']);

      const alice2 = await connect(one, logins.alice, { device: 'alice-laptop-01' }, ['bob']);
      const bob2 = await connect(two, logins.bob, { device: 'bob-desktop-01' }, ['alice']);
      const first = expectOk(await alice2.emit('call:resume', { callId }));
      expect(first.state).toBe('waiting');
      expect(expectOk(await bob2.emit('call:resume', { callId })).state).toBe('active');
      await expectRelay(alice2, bob2, callId);
      expectOk(await alice2.emit('call:hangup', { callId }));
      expect(await bob2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    } finally {
      await own.close();
    }
  }, 60_000);
  it('Redis restarting without its data: a room of three on two nodes is claimed back from both nodes and goes on, every pair relaying', async () => {
    const own = await RedisServer.start();
    try {
      const redisUrl = own.url(0);
      const dataDir = tempDir();
      const [one, two] = [await startTestServer({ dataDir, redisUrl }), await startTestServer({ dataDir, redisUrl })];
      // alice and carol on node 1, bob on node 2.
      const node = (i: number) => (i % 2 === 0 ? one : two);
      const names = ['alice', 'bob', 'carol'];
      const logins = await Promise.all(names.map((n, i) => register(node(i), n)));
      const join = (i: number) => connect(node(i), logins[i] as LoginResponse, { device: `${names[i]}-device-01` }, []);
      const before = [await join(0), await join(1), await join(2)];
      let callId = '';
      for (const d of before) callId = expectOk(await d.emit('room:join', { name: 'standup' })).callId;
      const gone = before.map((d) => disconnected(d.socket, 20_000));
      await own.stop('nosave');
      await own.restart();
      expect(await Promise.all(gone)).toEqual(before.map(() => 'transport close'));

      const after = [await join(0), await join(1), await join(2)];
      const states = [];
      for (const d of after) states.push(expectOk(await d.emit('call:resume', { callId })).state);
      expect(states).toEqual(['waiting', 'active', 'active']);
      for (const from of after) for (const to of after) if (from !== to) await expectPairRelay(callId, from, to, []);
      expectOk(await after[1]!.emit('call:hangup', { callId }));
      for (const d of [after[0]!, after[2]!]) expect(await d.next('room:left')).toEqual({ callId, username: 'bob', reason: 'hangup' });
    } finally {
      await own.close();
    }
  }, 60_000);

  it('Redis restarting without its data: calls that were ringing end `failed` for the caller and every ringing device before they are asked to reconnect', async () => {
    const own = await RedisServer.start();
    try {
      const redisUrl = own.url(0);
      const dataDir = tempDir();
      const one = await startTestServer({ dataDir, redisUrl });
      const two = await startTestServer({ dataDir, redisUrl });
      const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob'), carol: await register(two, 'carol'), dave: await register(one, 'dave') };
      // alice (node 1) rings bob's two devices, one on each node; carol (node 2) rings dave (node 1).
      const alice = await connect(one, logins.alice, { device: 'alice-laptop-01' }, []);
      const bobDesk = await connect(two, logins.bob, { device: 'bob-desktop-01' }, []);
      const bobPhone = await connect(one, logins.bob, { device: 'bob-phone-0001' }, []);
      const carol = await connect(two, logins.carol, { device: 'carol-laptop-1' }, []);
      const dave = await connect(one, logins.dave, { device: 'dave-desktop-1' }, []);
      // alice's second device, idle, and an answered call beside the ringing ones.
      const { callId: first } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
      const { callId: second } = expectOk(await carol.emit('call:invite', { to: 'dave', media: audio }));
      for (const [d, id] of [[bobDesk, first], [bobPhone, first], [dave, second]] as const) await d.next('call:incoming', (p) => p.callId === id);
      const everyone = [alice, bobDesk, bobPhone, carol, dave];
      const gone = everyone.map((d) => disconnected(d.socket, 20_000));

      await own.stop('nosave');
      await own.restart();
      expect(await Promise.all(gone)).toEqual(everyone.map(() => 'transport close'));
      // Told before the connection closed, exactly once each.
      for (const [d, id] of [[alice, first], [bobDesk, first], [bobPhone, first], [carol, second], [dave, second]] as const) {
        expect(d.events('call:ended')).toEqual([{ callId: id, reason: 'failed' }]);
      }

      // Back on: the calls are over for the server too, and new calls ring.
      const alice2 = await connect(one, logins.alice, { device: 'alice-laptop-01' }, []);
      const bob2 = await connect(two, logins.bob, { device: 'bob-desktop-01' }, []);
      expect(await bob2.emit('call:accept', { callId: first })).toMatchObject({ ok: false, code: 'not_found' });
      // The hang-up the app sends when it is back closes the history row (else the restart sweep does).
      expectOk(await alice2.emit('call:hangup', { callId: first }));
      expect(expectOk(await bob2.emit('history:list', {})).calls[0]).toMatchObject({ callId: first, outcome: 'failed', answeredAt: null });
      const next = await establishCall(alice2, bob2);
      await expectRelay(bob2, alice2, next);
    } finally {
      await own.close();
    }
  }, 60_000);
});

describe('a node killed mid-call', () => {
  it("its clients resume on the other node and the call goes on; the survivor ends what the dead node's devices left", async () => {
    const redisUrl = await (await testRedis()).freshUrl();
    const dataDir = tempDir();
    const env = { PARLEY_REDIS_URL: redisUrl, PARLEY_CALL_GRACE_S: '3', PARLEY_RING_TIMEOUT_S: '600' };
    const doomed = await startChildServer({ dataDir, env });
    const survivor = await startChildServer({ dataDir, env });
    const logins: Record<string, LoginResponse> = {};
    for (const name of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']) logins[name] = await register(survivor, name);
    const l = (name: string) => logins[name] as LoginResponse;
    // alice (doomed) ↔ bob (survivor): alice comes back on the survivor.
    const alice = await connect(doomed, l('alice'), { device: 'alice-laptop-01' }, []);
    const bob = await connect(survivor, l('bob'), { device: 'bob-desktop-01' }, ['alice', 'carol']);
    // carol (doomed) ↔ dave (survivor): carol never comes back.
    const carol = await connect(doomed, l('carol'), { device: 'carol-laptop-1' }, []);
    const dave = await connect(survivor, l('dave'), { device: 'dave-desktop-1' }, []);
    // erin (doomed) rings frank (survivor) when the node dies.
    const erin = await connect(doomed, l('erin'), {}, []);
    const frank = await connect(survivor, l('frank'), {}, []);
    const callId = await establishCall(alice, bob);
    const lost = await establishCall(carol, dave);
    const { callId: ringing } = expectOk(await erin.emit('call:invite', { to: 'frank', media: audio }));
    await frank.next('call:incoming', (p) => p.callId === ringing);

    doomed.child.kill('SIGKILL');
    await doomed.exited;
    await disconnected(alice.socket);

    // alice's client reconnects (through a load balancer: to the survivor) and resumes at once.
    const alice2 = await connect(survivor, l('alice'), { device: 'alice-laptop-01' }, []);
    expect(expectOk(await alice2.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'active', polite: false, iceServers: [] });
    await expectRelay(alice2, bob, callId);
    await expectRelay(bob, alice2, callId);
    expectOk(await alice2.emit('call:mute', { callId, muted: true }));
    expect(await bob.next('call:muted')).toEqual({ callId, username: 'alice', muted: true });

    // Once the dead node's key runs out the survivor ends its sessions: carol's
    // device counts as gone, so dave hears it and the call ends after the grace period.
    expect(await dave.next('call:peer-connection', (p) => p.callId === lost, 30_000)).toEqual({ callId: lost, connected: false, username: 'carol' });
    expect(await dave.next('call:ended', (p) => p.callId === lost, 15_000)).toEqual({ callId: lost, reason: 'failed', cause: 'signaling-lost' });
    expect(await frank.next('call:ended', (p) => p.callId === ringing, 15_000)).toEqual({ callId: ringing, reason: 'cancelled' });
    expect(await bob.next('presence:changed', (p) => p.username === 'carol' && p.status === 'offline', 15_000)).toBeTruthy();
    // alice's call was never disturbed by the cleanup.
    await settle(bob);
    expect(bob.events('call:peer-connection').filter((p) => p.callId === callId && !p.connected)).toEqual([]);
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await alice2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    const [entry] = expectOk(await alice2.emit('history:list', {})).calls;
    expect(entry).toMatchObject({ callId, outcome: 'hangup' });
  }, 90_000);
});
