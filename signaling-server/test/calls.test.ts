import { describe, expect, it } from 'vitest';
import { connect, establishCall, expectOk, settle, startTestServer, team } from './harness.js';

const audio = { audio: true, video: false };

describe('call routing', () => {
  it('rings every device of the callee; one answer wins and the others stop ringing', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    const bob2 = await connect(server, logins.bob);

    const invite = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    const [ringing, in1, in2] = await Promise.all([
      alice.next('call:ringing'),
      bob.next('call:incoming'),
      bob2.next('call:incoming'),
    ]);
    expect(ringing.callId).toBe(invite.callId);
    for (const incoming of [in1, in2]) {
      expect(incoming).toEqual({
        callId: invite.callId,
        from: { username: 'alice', displayName: 'Alice' },
        media: audio,
        polite: true,
      });
    }

    const accepted = expectOk(await bob2.emit('call:accept', { callId: invite.callId }));
    expect(accepted.polite).toBe(true);
    expect(await alice.next('call:accepted')).toEqual({ callId: invite.callId, polite: false });
    expect(await bob.next('call:ended')).toEqual({ callId: invite.callId, reason: 'answered-elsewhere' });
    await settle(bob2);
    expect(bob2.events('call:ended')).toEqual([]);

    // The losing device cannot answer any more.
    const late = await bob.emit('call:accept', { callId: invite.callId });
    expect(late.ok).toBe(false);
  });

  it('the caller gets the call id in the acknowledgement before call:ringing', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice', 'bob');
    const order: string[] = [];
    alice.socket.on('call:ringing', () => order.push('ringing'));
    alice.socket.emit('call:invite', { to: 'bob', media: audio }, () => order.push('ack'));
    await alice.next('call:ringing');
    expect(order).toEqual(['ack', 'ringing']);
  });

  it('declining tells the caller and stops the callee\'s other devices', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    const bob2 = await connect(server, logins.bob);
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming');
    expectOk(await bob.emit('call:decline', { callId }));
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'declined' });
    expect(await bob2.next('call:ended')).toEqual({ callId, reason: 'declined' });
    await settle(bob);
    expect(bob.events('call:ended')).toEqual([]);
  });

  it('cancelling tells every ringing device', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming');
    expectOk(await alice.emit('call:cancel', { callId }));
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'cancelled' });
  });

  it('only the caller can cancel', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming');
    expect(await bob.emit('call:cancel', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
  });

  it('ends with no-answer on both sides when nobody answers within the ring timeout', async () => {
    const server = await startTestServer({ ringTimeoutS: 1 });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    const [a, b] = await Promise.all([alice.next('call:ended'), bob.next('call:ended')]);
    expect(a).toEqual({ callId, reason: 'no-answer' });
    expect(b).toEqual({ callId, reason: 'no-answer' });
  });

  it('refuses a call to an offline user with `offline`', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    bob.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'offline');
    expect(await alice.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: false, code: 'offline' });
  });

  it('call waiting: a user in an answered call is rung; they decline, say busy, or leave their call to answer', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const first = await establishCall(carol, bob);
    // Declined: alice hears declined; the call bob is in goes on.
    const declined = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio })).callId;
    expect(await bob.next('call:incoming', (p) => p.callId === declined)).toMatchObject({ from: { username: 'alice' } });
    await alice.next('call:ringing', (p) => p.callId === declined);
    expectOk(await bob.emit('call:decline', { callId: declined }));
    expect(await alice.next('call:ended', (p) => p.callId === declined)).toEqual({ callId: declined, reason: 'declined' });
    // Busy (bob's "busy when in a call"): alice hears busy, and history says so.
    const busy = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === busy);
    expectOk(await bob.emit('call:decline', { callId: busy, busy: true }));
    expect(await alice.next('call:ended', (p) => p.callId === busy)).toEqual({ callId: busy, reason: 'busy' });
    expect(expectOk(await alice.emit('history:list', {})).calls[0]).toMatchObject({ callId: busy, outcome: 'busy' });
    // While it rings, bob is still in his call (carol and everyone see him busy), and ringing counts: dave gets busy.
    const waiting = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === waiting);
    expect(await dave.emit('call:invite', { to: 'alice', media: audio })).toMatchObject({ ok: false, code: 'busy' });
    // Its history row, written beside the call the store refused, gave way to the refusal's.
    expect(expectOk(await dave.emit('history:list', {})).calls).toMatchObject([{ outcome: 'busy' }]);
    expect(expectOk(await dave.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('busy');
    // Answering it while still in his call is refused; out of it, it works.
    expect(await bob.emit('call:accept', { callId: waiting })).toMatchObject({ ok: false, code: 'not_found' });
    expectOk(await bob.emit('call:signal', { callId: first, candidate: null }));
    expectOk(await bob.emit('call:hangup', { callId: first }));
    expect(await carol.next('call:ended', (p) => p.callId === first)).toEqual({ callId: first, reason: 'hangup' });
    expect(expectOk(await bob.emit('call:accept', { callId: waiting }))).toMatchObject({ callId: waiting, polite: true });
    expect(await alice.next('call:accepted', (p) => p.callId === waiting)).toEqual({ callId: waiting, polite: false });
    // And he is in that one now: carol's call rings him as waiting again, not as busy.
    const again = expectOk(await carol.emit('call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === again);
  });

  it('a user whose call still rings (not answered) is busy: the line is engaged', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const { callId } = expectOk(await carol.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming', (p) => p.callId === callId);
    expect(await alice.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: false, code: 'busy' });
    expect(await alice.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'busy' });
  });

  it('refuses a caller who is already in a call with `in_call`', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob', 'carol');
    await establishCall(alice, bob);
    expect(await alice.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    // Also when the callee is offline: the caller's own state comes first, and no missed call is recorded.
    expect(await alice.emit('call:invite', { to: 'nobody', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
  });

  it('refuses a call to a user on do-not-disturb with `dnd`, and rings only devices not on DND', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    expect(await alice.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: false, code: 'dnd' });

    const bob2 = await connect(server, logins.bob, { status: 'away' });
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob2.next('call:incoming');
    await settle(bob);
    expect(bob.events('call:incoming')).toEqual([]);
    expectOk(await alice.emit('call:cancel', { callId }));
  });

  it('refuses a call to oneself with `self_call` and to an unknown user with `not_found`', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    expect(await alice.emit('call:invite', { to: 'alice', media: audio })).toMatchObject({ ok: false, code: 'self_call' });
    expect(await alice.emit('call:invite', { to: 'nobody', media: audio })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('hanging up tells the other side `hangup`', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    await settle(bob);
    expect(bob.events('call:ended')).toEqual([]);
    // Both are free again.
    const again = expectOk(await bob.emit('call:invite', { to: 'alice', media: audio }));
    expect(again.callId).not.toBe(callId);
  });

  it('a second hang-up of the same call finds no call', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:hangup', { callId }));
    expect(await bob.emit('call:hangup', { callId })).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('a device disconnecting mid-call is awaited for the grace period, then the call ends for the peer with `failed`', async () => {
    const server = await startTestServer({ callGraceS: 1 });
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    const lostAt = Date.now();
    bob.socket.disconnect();
    expect(await alice.next('call:peer-connection')).toEqual({ callId, connected: false, username: 'bob' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'failed', cause: 'signaling-lost' });
    expect(Date.now() - lostAt).toBeGreaterThanOrEqual(900);
    const [entry] = expectOk(await alice.emit('history:list', {})).calls;
    expect(entry).toMatchObject({ callId, outcome: 'failed' });
  });

  it('the caller disconnecting while ringing cancels the call on the callee', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming');
    alice.socket.disconnect();
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'cancelled' });
  });

  it('the only ringing device disconnecting ends the call for the caller with `offline`', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await bob.next('call:incoming');
    bob.socket.disconnect();
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'offline' });
  });

  it('two devices accepting at the same moment: exactly one wins', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    const bob2 = await connect(server, logins.bob);
    const { callId } = expectOk(await alice.emit('call:invite', { to: 'bob', media: audio }));
    await Promise.all([bob.next('call:incoming'), bob2.next('call:incoming')]);
    const results = await Promise.all([bob.emit('call:accept', { callId }), bob2.emit('call:accept', { callId })]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    await alice.next('call:accepted');
    await settle(alice);
    expect(alice.events('call:accepted')).toHaveLength(1);
  });
});
