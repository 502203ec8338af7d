/**
 * Group calls: named rooms (join code, mesh limit, leaving, last one out),
 * Add person on an answered call, relay per pair, and their history.
 */
import { describe, expect, it } from 'vitest';
import { ROOM_OPENS } from '../src/realtime/account-limits.js';
import { connect, establishCall, expectOk, expectPairRelay, settle, startTestServer, team } from './harness.js';

describe('named rooms', () => {
  it('the first opens the room; each newcomer learns who is there and is polite toward them, who are told', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');

    const opened = expectOk(await alice.emit('room:join', { name: 'standup' }));
    expect(opened).toMatchObject({ room: 'standup', participants: [] });
    const { callId } = opened;

    const bobJoin = expectOk(await bob.emit('room:join', { name: 'standup' }));
    const aliceRef = { username: 'alice', displayName: 'Alice' };
    expect(bobJoin).toEqual({
      ok: true,
      callId,
      room: 'standup',
      participants: [aliceRef],
      ownership: { owner: aliceRef, canChangeCode: false, hasCode: false },
      iceServers: [],
    });
    expect(await alice.next('room:joined')).toEqual({ callId, user: { username: 'bob', displayName: 'Bob' }, polite: false });

    const carolJoin = expectOk(await carol.emit('room:join', { name: 'standup' }));
    expect(carolJoin.participants).toEqual([
      { username: 'alice', displayName: 'Alice' },
      { username: 'bob', displayName: 'Bob' },
    ]);
    for (const d of [alice, bob]) expect(await d.next('room:joined', (p) => p.user.username === 'carol')).toMatchObject({ callId, polite: false });

    // Relay goes to the named participant only, stamped with the sender.
    await expectPairRelay(callId, alice, carol, [bob]);
    await expectPairRelay(callId, carol, bob, [alice]);
    await expectPairRelay(callId, bob, alice, [carol]);
    // With more than two, a signal must say whom it is for; a non-participant is refused.
    expect(await alice.emit('call:signal', { callId, candidate: null })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await alice.emit('call:signal', { callId, to: 'dave', candidate: null })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.emit('call:signal', { callId, to: 'alice', candidate: null })).toMatchObject({ ok: false, code: 'not_in_call' });

    // Mute reaches every other participant.
    expectOk(await bob.emit('call:mute', { callId, muted: true }));
    for (const d of [alice, carol]) expect(await d.next('call:muted')).toEqual({ callId, username: 'bob', muted: true });

    // Everyone in it is busy to the others.
    const dir = expectOk(await alice.emit('directory:list', {})).users;
    expect(dir.filter((u) => u.status === 'busy').map((u) => u.username).sort()).toEqual(['bob', 'carol']);
  });

  it('a join code set by whoever opens the room is needed by the others', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    expectOk(await alice.emit('room:join', { name: 'board', code: 'sesame-42' }));
    expect(await bob.emit('room:join', { name: 'board' })).toMatchObject({ ok: false, code: 'wrong_code', message: 'Room "board" needs a join code' });
    expect(await bob.emit('room:join', { name: 'board', code: 'sesame-43' })).toMatchObject({ ok: false, code: 'wrong_code' });
    await settle(alice);
    expect(alice.events('room:joined')).toEqual([]);
    expectOk(await bob.emit('room:join', { name: 'board', code: 'sesame-42' }));
    await alice.next('room:joined');
  });

  it('a join code shorter than eight characters is refused before any room opens', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    expect(await alice.emit('room:join', { name: 'board', code: '4711' })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await alice.emit('room:join', { name: 'board', code: '1234567' })).toMatchObject({ ok: false, code: 'bad_request' });
    expectOk(await alice.emit('room:join', { name: 'board', code: '12345678' }));
  });

  it('guessing a join code: one account gets 5 wrong codes compared over all its devices at once, then rate_limited, right code or not', async () => {
    const server = await startTestServer();
    const { alice, logins } = await team(server, 'alice', 'mallory', 'bob');
    expectOk(await alice.emit('room:join', { name: 'board', code: 'sesame-4242' }));
    // Four devices of one account guess at once: 40 codes in flight before any answer.
    const devices = await Promise.all([0, 1, 2, 3].map(() => connect(server, logins.mallory, {}, [])));
    const answers = await Promise.all(
      devices.flatMap((d, i) => Array.from({ length: 10 }, (_, j) => d.emit('room:join', { name: 'board', code: `guess-${i}-${j}-x` }))),
    );
    const codes = answers.map((a) => (a.ok ? 'ok' : a.code));
    expect(codes.filter((c) => c === 'wrong_code')).toHaveLength(5);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(35);
    const limited = answers.find((a) => !a.ok && a.code === 'rate_limited');
    expect(limited).toMatchObject({ message: 'Too many wrong join codes for room "board": wait and try again' });
    expect((limited as { retryAfterMs?: number }).retryAfterMs).toBeGreaterThan(0);
    // The right code does not help the guesser now; another account still gets in.
    expect(await devices[0]?.emit('room:join', { name: 'board', code: 'sesame-4242' })).toMatchObject({ ok: false, code: 'rate_limited' });
    const bob = await connect(server, logins.bob, {}, []);
    expectOk(await bob.emit('room:join', { name: 'board', code: 'sesame-4242' }));
    await settle(alice);
    expect(alice.events('room:joined').map((p) => p.user.username)).toEqual(['bob']);
  });

  it('guessing a join code: a room takes 20 wrong codes from all accounts together, then refuses everyone; right codes cost nothing', async () => {
    const server = await startTestServer();
    const names = ['alice', 'bob', 'mallory', 'trudy', 'oscar', 'peggy', 'victor'] as const;
    const devices = await team(server, ...names);
    expectOk(await devices.alice.emit('room:join', { name: 'board', code: 'sesame-4242' }));
    // Right codes given back: bob joins, leaves and joins again many times without spending the room's tries.
    for (let i = 0; i < 6; i++) {
      const { callId } = expectOk(await devices.bob.emit('room:join', { name: 'board', code: 'sesame-4242' }));
      expectOk(await devices.bob.emit('call:hangup', { callId }));
    }
    const guessers = [devices.mallory, devices.trudy, devices.oscar, devices.peggy, devices.victor];
    const answers = await Promise.all(guessers.flatMap((d, i) => Array.from({ length: 5 }, (_, j) => d.emit('room:join', { name: 'board', code: `guess-${i}-${j}-x` }))));
    expect(answers.filter((a) => !a.ok && a.code === 'wrong_code')).toHaveLength(20);
    expect(answers.filter((a) => !a.ok && a.code === 'rate_limited')).toHaveLength(5);
    expect(await devices.bob.emit('room:join', { name: 'board', code: 'sesame-4242' })).toMatchObject({ ok: false, code: 'rate_limited' });
    // Another room is not touched.
    expectOk(await devices.bob.emit('room:join', { name: 'other', code: 'sesame-4242' }));
  });

  it(`one account opens at most ${ROOM_OPENS} rooms in ten minutes; a room nobody else came into leaves no history; joining an open one is free`, async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    for (let i = 0; i < ROOM_OPENS; i++) {
      const { callId } = expectOk(await alice.emit('room:join', { name: `loop-${i}` }));
      expectOk(await alice.emit('call:hangup', { callId }));
    }
    expect(await alice.emit('room:join', { name: 'one-more' })).toMatchObject({ ok: false, code: 'rate_limited', message: 'You have opened too many rooms: wait and try again' });
    // Nobody came into those: nothing of them stays.
    expect(expectOk(await alice.emit('history:list', {})).calls).toEqual([]);
    // Bob opens one; alice may still join it, and a room two were in is kept.
    const { callId } = expectOk(await bob.emit('room:join', { name: 'standup' }));
    expect(expectOk(await alice.emit('room:join', { name: 'standup' })).callId).toBe(callId);
    expectOk(await alice.emit('call:hangup', { callId }));
    expectOk(await bob.emit('call:hangup', { callId }));
    await expect.poll(async () => expectOk(await alice.emit('history:list', {})).calls.map((c) => [c.room, c.outcome])).toEqual([['standup', 'hangup']]);
  });

  it('the mesh limit refuses the next joiner with room_full and a clear message; a place freed can be taken', async () => {
    const server = await startTestServer({ meshLimit: 3 });
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const { callId } = expectOk(await alice.emit('room:join', { name: 'small' }));
    expectOk(await bob.emit('room:join', { name: 'small' }));
    expectOk(await carol.emit('room:join', { name: 'small' }));
    const full = await dave.emit('room:join', { name: 'small' });
    expect(full).toEqual({ ok: false, code: 'room_full', message: 'Room "small" is full: 3 people are in it, the most one call can hold' });
    // Refused means not in it: dave can be called, and is not busy.
    expect(expectOk(await alice.emit('directory:list', {})).users.find((u) => u.username === 'dave')?.status).toBe('available');

    expectOk(await carol.emit('call:hangup', { callId }));
    expectOk(await dave.emit('room:join', { name: 'small' }));
  });

  it('leaving tells the others and leaves their pairs alone; one can rejoin; the last one out ends the room', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const { callId } = expectOk(await alice.emit('room:join', { name: 'daily' }));
    expectOk(await bob.emit('room:join', { name: 'daily' }));
    expectOk(await carol.emit('room:join', { name: 'daily' }));

    expectOk(await alice.emit('call:hangup', { callId }));
    for (const d of [bob, carol]) expect(await d.next('room:left')).toEqual({ callId, username: 'alice', reason: 'hangup' });
    await expectPairRelay(callId, bob, carol, []);
    await settle(bob, carol);
    expect([...bob.events('call:ended'), ...carol.events('call:ended')]).toEqual([]);
    expect(await alice.emit('call:signal', { callId, to: 'bob', candidate: null })).toMatchObject({ ok: false, code: 'not_in_call' });

    // Alice comes back to the same room (the same call) and is polite toward both again.
    const again = expectOk(await alice.emit('room:join', { name: 'daily' }));
    expect(again.callId).toBe(callId);
    expect(again.participants.map((p) => p.username)).toEqual(['bob', 'carol']);
    await expectPairRelay(callId, bob, alice, [carol]);

    // A room of two stays open when one leaves; the last one out ends it.
    expectOk(await bob.emit('call:hangup', { callId }));
    expectOk(await carol.emit('call:hangup', { callId }));
    await alice.next('room:left', (p) => p.username === 'carol');
    await settle(alice);
    expect(alice.events('call:ended')).toEqual([]);
    expectOk(await alice.emit('call:hangup', { callId }));
    expect(await alice.emit('call:hangup', { callId })).toMatchObject({ ok: false, code: 'not_found' });

    // The next join opens a new room under the same name.
    const fresh = expectOk(await bob.emit('room:join', { name: 'daily' }));
    expect(fresh.callId).not.toBe(callId);
    expect(fresh.participants).toEqual([]);
  });

  it('one in a call cannot join a room; a device that loses its connection is awaited, then leaves as failed', async () => {
    const server = await startTestServer({ callGraceS: 1 });
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    await establishCall(alice, bob);
    expect(await alice.emit('room:join', { name: 'x' })).toMatchObject({ ok: false, code: 'in_call' });

    const { callId } = expectOk(await carol.emit('room:join', { name: 'ops' }));
    expectOk(await dave.emit('room:join', { name: 'ops' }));
    dave.socket.disconnect();
    expect(await carol.next('call:peer-connection')).toEqual({ callId, connected: false, username: 'dave' });
    expect(await carol.next('room:left')).toEqual({ callId, username: 'dave', reason: 'failed', cause: 'signaling-lost' });
    await settle(carol);
    expect(carol.events('call:ended')).toEqual([]);
  });
});

describe('Add person', () => {
  it('rings a third into an answered call; on answer the pair keeps its connection and both offer to the newcomer', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, logins } = await team(server, 'alice', 'bob', 'carol');
    const carol2 = await connect(server, logins.carol);
    const callId = await establishCall(alice, bob);

    expectOk(await alice.emit('call:add', { callId, to: 'carol' }));
    const [incoming] = await Promise.all([carol.next('call:incoming'), carol2.next('call:incoming')]);
    expect(incoming).toEqual({
      callId,
      from: { username: 'alice', displayName: 'Alice' },
      media: { audio: true, video: false },
      polite: true,
      participants: [
        { username: 'alice', displayName: 'Alice' },
        { username: 'bob', displayName: 'Bob' },
      ],
    });
    expect(await bob.next('room:ringing')).toEqual({ callId, user: { username: 'carol', displayName: 'Carol' }, by: 'alice' });
    // Ringing is not busy: carol shows available until she answers.
    expect(expectOk(await bob.emit('directory:list', {})).users.find((u) => u.username === 'carol')?.status).toBe('available');

    const accepted = expectOk(await carol2.emit('call:accept', { callId }));
    expect(accepted).toEqual({
      ok: true,
      callId,
      polite: true,
      participants: [
        { username: 'alice', displayName: 'Alice' },
        { username: 'bob', displayName: 'Bob' },
      ],
      iceServers: [],
    });
    expect(await carol.next('call:ended')).toEqual({ callId, reason: 'answered-elsewhere' });
    for (const d of [alice, bob]) expect(await d.next('room:joined')).toEqual({ callId, user: { username: 'carol', displayName: 'Carol' }, polite: false });

    await expectPairRelay(callId, alice, bob, [carol2]);
    await expectPairRelay(callId, bob, carol2, [alice]);
    await expectPairRelay(callId, carol2, alice, [bob]);

    // The original caller leaves: the other two go on.
    expectOk(await alice.emit('call:hangup', { callId }));
    for (const d of [bob, carol2]) expect(await d.next('room:left')).toEqual({ callId, username: 'alice', reason: 'hangup' });
    await expectPairRelay(callId, bob, carol2, []);
    // Two left of a placed call: a hang-up ends it, as in any 1:1 call.
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await carol2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
  });

  it('an Add person taken back (call:cancel with `to`): every ringing device of theirs stops, the call hears why, and the place is free again', async () => {
    const server = await startTestServer({ meshLimit: 3 });
    const { alice, bob, carol, dave, logins } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const carol2 = await connect(server, logins.carol);
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:add', { callId, to: 'carol' }));
    await Promise.all([carol.next('call:incoming'), carol2.next('call:incoming'), bob.next('room:ringing')]);
    // Only someone in the call may take it back, and only a pending one.
    expect(await dave.emit('call:cancel', { callId, to: 'carol' })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.emit('call:cancel', { callId, to: 'dave' })).toMatchObject({ ok: false, code: 'not_found', message: 'dave is not being called into this call' });
    expectOk(await alice.emit('call:cancel', { callId, to: 'carol' }));
    for (const d of [carol, carol2]) expect(await d.next('call:ended')).toEqual({ callId, reason: 'cancelled' });
    for (const d of [alice, bob]) expect(await d.next('room:left')).toEqual({ callId, username: 'carol', reason: 'cancelled' });
    expect(await carol.emit('call:accept', { callId })).toMatchObject({ ok: false });
    // The place it held is free: at the mesh limit of 3, dave can be added now.
    expectOk(await bob.emit('call:add', { callId, to: 'dave' }));
    await dave.next('call:incoming');
    await settle(alice, bob);
    expect([...alice.events('call:ended'), ...bob.events('call:ended')]).toEqual([]);
  });

  it('refuses what an invite would, and the mesh limit; a decline or no answer is told to the participants', async () => {
    const server = await startTestServer({ meshLimit: 3, ringTimeoutS: 1 });
    const { alice, bob, carol, dave, erin } = await team(server, 'alice', 'bob', 'carol', 'dave', 'erin');
    const callId = await establishCall(alice, bob);
    expect(await alice.emit('call:add', { callId, to: 'alice' })).toMatchObject({ ok: false, code: 'self_call' });
    expect(await alice.emit('call:add', { callId, to: 'nobody' })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await alice.emit('call:add', { callId, to: 'bob' })).toMatchObject({ ok: false, code: 'busy', message: 'Bob is already in this call' });
    expect(await carol.emit('call:add', { callId, to: 'dave' })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await erin.emit('presence:set', { status: 'dnd' }));
    expect(await alice.emit('call:add', { callId, to: 'erin' })).toMatchObject({ ok: false, code: 'dnd' });

    expectOk(await alice.emit('call:add', { callId, to: 'carol' }));
    await carol.next('call:incoming');
    // Ringing counts toward the limit.
    expect(await bob.emit('call:add', { callId, to: 'dave' })).toMatchObject({ ok: false, code: 'room_full' });
    expectOk(await carol.emit('call:decline', { callId }));
    for (const d of [alice, bob]) expect(await d.next('room:left')).toEqual({ callId, username: 'carol', reason: 'declined' });

    expectOk(await bob.emit('call:add', { callId, to: 'dave' }));
    await dave.next('call:incoming');
    expect(await dave.next('call:ended', undefined, 5000)).toEqual({ callId, reason: 'no-answer' });
    expect(await alice.next('room:left', (p) => p.username === 'dave')).toEqual({ callId, username: 'dave', reason: 'no-answer' });
    await settle(alice, bob);
    expect([...alice.events('call:ended'), ...bob.events('call:ended')]).toEqual([]);
  });

  it('a ringing call cannot take more people; the pair ending it stops the one ringing in', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const { callId: ringing } = expectOk(await alice.emit('call:invite', { to: 'bob', media: { audio: true, video: false } }));
    expect(await alice.emit('call:add', { callId: ringing, to: 'carol' })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await alice.emit('call:cancel', { callId: ringing }));

    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:add', { callId, to: 'carol' }));
    await carol.next('call:incoming');
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    expect(await carol.next('call:ended')).toEqual({ callId, reason: 'cancelled' });
  });
});

describe('group call history', () => {
  it('lists everyone who took part, from each side, with the room name', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const callId = await establishCall(alice, bob);
    expectOk(await bob.emit('call:add', { callId, to: 'carol' }));
    await carol.next('call:incoming');
    expectOk(await carol.emit('call:accept', { callId }));
    await alice.next('room:joined');
    expectOk(await alice.emit('call:hangup', { callId }));
    expectOk(await bob.emit('call:hangup', { callId }));
    await carol.next('call:ended');

    const room = expectOk(await dave.emit('room:join', { name: 'retro' })).callId;
    expectOk(await alice.emit('room:join', { name: 'retro' }));
    expectOk(await alice.emit('call:hangup', { callId: room }));
    expectOk(await dave.emit('call:hangup', { callId: room }));

    const ref = (u: string) => ({ username: u, displayName: u.charAt(0).toUpperCase() + u.slice(1) });
    const [aliceRoom, aliceCall] = expectOk(await alice.emit('history:list', {})).calls;
    expect(aliceRoom).toMatchObject({ callId: room, room: 'retro', direction: 'incoming', peer: ref('dave'), participants: [ref('dave')], outcome: 'hangup' });
    expect(aliceCall).toMatchObject({ callId, direction: 'outgoing', peer: ref('bob'), outcome: 'hangup', missed: false });
    expect(aliceCall?.participants).toEqual([ref('bob'), ref('carol')]);
    expect(aliceCall && 'room' in aliceCall).toBe(false);

    const [carolCall] = expectOk(await carol.emit('history:list', {})).calls;
    expect(carolCall).toMatchObject({ callId, direction: 'incoming', peer: ref('alice'), participants: [ref('alice'), ref('bob')] });
    expect(carolCall?.answeredAt).toBeTypeOf('number');

    const [daveRoom] = expectOk(await dave.emit('history:list', {})).calls;
    expect(daveRoom).toMatchObject({ callId: room, direction: 'outgoing', peer: ref('alice'), participants: [ref('alice')] });

    // A 1:1 call stays as it was: no participants, no room.
    const plain = await establishCall(bob, dave);
    expectOk(await bob.emit('call:hangup', { callId: plain }));
    const [bobPlain] = expectOk(await bob.emit('history:list', {})).calls;
    expect(bobPlain?.callId).toBe(plain);
    expect(bobPlain && ('participants' in bobPlain || 'room' in bobPlain)).toBe(false);
  });
});
