import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import { connect, establishCall, expectOk, register, startTestServer, team } from './harness.js';

const audio = { audio: true, video: false };

describe('call history', () => {
  it('records an answered call with its times, newest first on both sides', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:hangup', { callId }));
    await bob.next('call:ended');

    const mine = expectOk(await alice.emit('history:list', {})).calls;
    expect(mine).toHaveLength(1);
    const entry = mine[0]!;
    expect(entry).toMatchObject({
      callId,
      direction: 'outgoing',
      peer: { username: 'bob', displayName: 'Bob' },
      media: audio,
      outcome: 'hangup',
      missed: false,
    });
    expect(entry.answeredAt).toBeGreaterThanOrEqual(entry.startedAt);
    expect(entry.endedAt).toBeGreaterThanOrEqual(entry.answeredAt!);
    const theirs = expectOk(await bob.emit('history:list', {})).calls;
    expect(theirs[0]).toMatchObject({ callId, direction: 'incoming', peer: { username: 'alice' }, outcome: 'hangup' });
  });

  it('notes that chat happened in a call, and only that', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    // A ringing call has no chat yet.
    const ringing = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming');
    expect(await bob.emit('call:note', { callId: ringing.callId, chat: true })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await alice.emit('call:cancel', { callId: ringing.callId }));
    await bob.next('call:ended');

    const callId = await establishCall(alice, bob);
    expect(await carol.emit('call:note', { callId, chat: true })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await bob.emit('call:note', { callId: 'no-such-call', chat: true })).toMatchObject({ ok: false, code: 'not_found' });
    // The message text has no place in the payload.
    expect(await bob.emitRaw('call:note', { callId, chat: true, text: 'secret' })).toMatchObject({ ok: false, code: 'bad_request' });
    expectOk(await bob.emit('call:note', { callId, chat: true }));
    expectOk(await alice.emit('call:note', { callId, chat: true })); // both sides may note it: idempotent
    expectOk(await alice.emit('call:hangup', { callId }));
    await bob.next('call:ended');
    // After the end it is too late to note.
    expect(await bob.emit('call:note', { callId, chat: true })).toMatchObject({ ok: false, code: 'not_found' });

    for (const u of [alice, bob]) {
      const calls = expectOk(await u.emit('history:list', {})).calls;
      expect(calls.map((c) => [c.callId, c.chat])).toEqual([
        [callId, true],
        [ringing.callId, false],
      ]);
    }
  });

  it('records every outcome and lists newest first with a cursor', async () => {
    const server = await startTestServer({ ringTimeoutS: 1 });
    const { alice, bob } = await team(server, 'alice', 'bob');
    // declined
    let { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming', (p) => p.callId === callId);
    expectOk(await bob.emit('call:decline', { callId }));
    // cancelled
    ({ callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio })));
    await bob.next('call:incoming', (p) => p.callId === callId);
    expectOk(await alice.emit('call:cancel', { callId }));
    // no-answer
    ({ callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio })));
    const noAnswer = callId;
    await alice.next('call:ended', (p) => p.callId === noAnswer);
    // dnd
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    expect((await alice.emit('call:invite', { to: 'bob', media: audio })).ok).toBe(false);
    // offline
    bob.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'offline');
    expect((await alice.emit('call:invite', { to: 'bob', media: { audio: true, video: true } })).ok).toBe(false);

    const calls = expectOk(await alice.emit('history:list', {})).calls;
    expect(calls.map((c) => c.outcome)).toEqual(['offline', 'dnd', 'no-answer', 'cancelled', 'declined']);
    expect(calls[0]!.media).toEqual({ audio: true, video: true });
    expect(calls.every((c) => c.answeredAt === null && c.endedAt !== null)).toBe(true);

    const page1 = expectOk(await alice.emit('history:list', { limit: 2 })).calls;
    expect(page1.map((c) => c.outcome)).toEqual(['offline', 'dnd']);
    const page2 = expectOk(await alice.emit('history:list', { limit: 2, before: page1[1]!.seq })).calls;
    expect(page2.map((c) => c.outcome)).toEqual(['no-answer', 'cancelled']);
  });

  it('counts calls missed while offline or unanswered in the next session:ready, until history:seen', async () => {
    const server = await startTestServer({ ringTimeoutS: 1 });
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    expect(bob.ready.missedCalls).toBe(0);
    // unanswered
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:ended', (p) => p.callId === callId);
    // declined: a choice, not a miss
    const second = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming', (p) => p.callId === second.callId);
    expectOk(await bob.emit('call:decline', { callId: second.callId }));
    // while offline
    bob.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'offline');
    expect(await alice.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: false, code: 'offline' });

    const back = await connect(server, logins.bob);
    expect(back.ready.missedCalls).toBe(2);
    const missed = expectOk(await back.emit('history:list', {})).calls.filter((c) => c.missed);
    expect(missed.map((c) => c.outcome)).toEqual(['offline', 'no-answer']);
    // The caller has no missed calls.
    expect(expectOk(await alice.emit('history:list', {})).calls.some((c) => c.missed)).toBe(false);

    expectOk(await back.emit('history:seen', {}));
    back.socket.disconnect();
    const again = await connect(server, logins.bob);
    expect(again.ready.missedCalls).toBe(0);
  });

  it('keeps history of a removed peer, shown by username', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:hangup', { callId }));
    await new UserRepository(server.db).remove('bob');
    const calls = expectOk(await alice.emit('history:list', {})).calls;
    expect(calls[0]!.peer).toEqual({ username: 'bob', displayName: 'bob' });
  });

  it('belongs to the account: a re-registered username starts with no history and no missed calls', async () => {
    const server = await startTestServer({ ringTimeoutS: 1 });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:ended', (p) => p.callId === callId);
    bob.socket.disconnect();
    await new UserRepository(server.db).remove('bob');
    const again = await connect(server, await register(server, 'bob'));
    expect(again.ready.missedCalls).toBe(0);
    expect(expectOk(await again.emit('history:list', {})).calls).toEqual([]);
    // The other side keeps its record.
    expect(expectOk(await alice.emit('history:list', {})).calls).toHaveLength(1);
  });
});
