/**
 * Several nodes sharing state through a real Redis (redis-server started by
 * the test) and one data dir (or, with PARLEY_TEST_STORES=postgres, one
 * PostgreSQL database), all of them up: a user on one node calls a user on
 * another and everything behaves as on one node; an answer race across
 * nodes has one winner; group calls whose people are on different nodes,
 * and a race for the last place in a room. Redis restarting and a node
 * killed mid-call: multi-node-outages.test.ts.
 */
import { createClient } from 'redis';
import { describe, expect, it, vi } from 'vitest';
import { HistoryRepository } from '../src/history/history-repository.js';
import { StoreUnavailableError } from '../src/stores/types.js';
import { connect, establishCall, expectOk, expectPairRelay, expectRelay, register, settle, twoNodes } from './harness.js';

const audio = { audio: true, video: false };

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

  it('a connection whose session the shared state no longer holds (ended by another node) is refused a call or a relay, and nothing reaches the other side', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob'), carol: await register(one, 'carol') };
    const alice = await connect(one, logins.alice);
    const bob = await connect(two, logins.bob);
    const carol = await connect(two, logins.carol);
    const inCall = await establishCall(alice, carol);
    // What another node does when it takes this one for dead: the session's record goes.
    const redis = await createClient({ url: one.config.redisUrl }).connect();
    const keys = await redis.keys(`*session:${alice.socket.id as string}`);
    expect(keys).toHaveLength(1);
    await redis.del(keys);
    await redis.quit();
    // The call's first reads start beside the session check (dispatch.ts): refused all the same.
    expect(await alice.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: false, code: 'unauthorized' });
    // A relay's call is read beside the session check too: refused, and carol hears nothing.
    const offer = { type: 'offer' as const, sdp: 'v=0\r\n' };
    expect(await alice.emit('call:signal', { callId: inCall, description: offer })).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(await alice.emit('call:mute', { callId: inCall, muted: true })).toMatchObject({ ok: false, code: 'unauthorized' });
    await settle(bob, carol);
    expect(bob.events('call:incoming')).toEqual([]);
    expect(carol.events('call:signal')).toEqual([]);
    expect(carol.events('call:muted')).toEqual([]);
    expect(await bob.emit('call:invite', { to: 'alice', media: audio })).toMatchObject({ ok: false });
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

  it('two people calling each other at the same moment from different nodes: one call is made, and only it rings, every time', async () => {
    // No refusal here is the limits' doing.
    const [one, two] = await twoNodes({ unansweredCalls: 1000, unansweredPerCallee: 1000 });
    const logins = { carol: await register(one, 'carol'), dave: await register(two, 'dave') };
    const carol = await connect(one, logins.carol, {}, []);
    const dave = await connect(two, logins.dave, {}, []);
    const made: string[] = [];
    for (let i = 0; i < 15; i++) {
      const [c, d] = await Promise.all([carol.emit('call:invite', { to: 'dave', media: audio }), dave.emit('call:invite', { to: 'carol', media: audio })]);
      expect([c.ok, d.ok].filter(Boolean), `round ${i}: ${JSON.stringify([c, d])}`).toHaveLength(1);
      const [caller, callee] = c.ok ? [carol, dave] : [dave, carol];
      const { callId } = expectOk(c.ok ? c : d);
      made.push(callId);
      await callee.next('call:incoming', (p) => p.callId === callId);
      expectOk(await caller.emit('call:hangup', { callId }));
      await callee.next('call:ended', (p) => p.callId === callId);
    }
    await settle(carol, dave);
    // The call a creation refused (it lost the race) rang nobody: every ring is of a call that was made.
    const rung = [...carol.events('call:incoming'), ...dave.events('call:incoming')].map((p) => p.callId);
    expect(rung.sort()).toEqual([...made].sort());
  });

  it('a call that rang but whose history row could not be written stops ringing on the other node, and leaves nobody in a call', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(two, 'bob') };
    const alice = await connect(one, logins.alice, {}, []);
    const bob = await connect(two, logins.bob, {}, []);
    vi.spyOn(HistoryRepository.prototype, 'started').mockRejectedValueOnce(new StoreUnavailableError('the database'));
    expect(await alice.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: false, code: 'unavailable' });
    const { callId } = await bob.next('call:incoming');
    expect(await bob.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'failed' });
    const again = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === again);
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
