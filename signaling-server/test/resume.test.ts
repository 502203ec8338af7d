/**
 * Calls outlive a lost connection: a device that reconnects with the same
 * device id resumes its answered call within the grace period; a hang-up
 * sent once it is back ends the call; and after a server restart both sides
 * claim the call and the server restores it only when the two claims and the
 * history row agree.
 */
import { describe, expect, it } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { CHILD_SERVER_TEST, disconnected, startChildServer } from './cli-helpers.js';
import { connect, type Device, establishCall, expectOk, register, settle, startTestServer, tempDir, type TestServer, expectRelay } from './harness.js';

const ALICE_DEVICE = 'alice-laptop-0001';
const BOB_DEVICE = 'bob-desktop-0001';

async function pair(server: TestServer): Promise<{ alice: Device; bob: Device; logins: { alice: LoginResponse; bob: LoginResponse } }> {
  const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob') };
  const alice = await connect(server, logins.alice, { device: ALICE_DEVICE });
  const bob = await connect(server, logins.bob, { device: BOB_DEVICE });
  return { alice, bob, logins };
}

describe('a device that loses its connection mid-call', () => {
  it('resumes the call from a new connection with the same device id; the peer hears it go and come back', async () => {
    const server = await startTestServer({ callGraceS: 30 });
    const { alice, bob, logins } = await pair(server);
    const callId = await establishCall(alice, bob);

    bob.socket.disconnect();
    expect(await alice.next('call:peer-connection')).toEqual({ callId, connected: false, username: 'bob' });
    // Still busy while the call waits for bob's device.
    expect(expectOk(await alice.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('busy');

    const bob2 = await connect(server, logins.bob, { device: BOB_DEVICE });
    expect(expectOk(await bob2.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'active', polite: true, iceServers: [] });
    expect(await alice.next('call:peer-connection', (p) => p.connected)).toEqual({ callId, connected: true, username: 'bob' });
    await expectRelay(alice, bob2, callId);
    await expectRelay(bob2, alice, callId);
    expectOk(await bob2.emit('call:mute', { callId, muted: true }));
    expect(await alice.next('call:muted')).toEqual({ callId, username: 'bob', muted: true });

    expectOk(await bob2.emit('call:hangup', { callId }));
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    expect(alice.events('call:ended')).toHaveLength(1);
  });

  it('a hang-up made during the outage is delivered when the device is back', async () => {
    const server = await startTestServer({ callGraceS: 30 });
    const { alice, bob, logins } = await pair(server);
    const callId = await establishCall(alice, bob);
    bob.socket.disconnect();
    await alice.next('call:peer-connection');
    const bob2 = await connect(server, logins.bob, { device: BOB_DEVICE });
    expectOk(await bob2.emit('call:hangup', { callId }));
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    const [entry] = expectOk(await alice.emit('history:list', {})).calls;
    expect(entry).toMatchObject({ callId, outcome: 'hangup' });
  });

  it('a device back without its peer connections (a reload) resumes fresh: it is polite and told who is there, the peer is told to offer anew', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await pair(server);
    const callId = await establishCall(alice, bob);
    // alice placed the call (impolite); her window reloads.
    alice.socket.disconnect();
    expect(await bob.next('call:peer-connection')).toEqual({ callId, connected: false, username: 'alice' });
    const alice2 = await connect(server, logins.alice, { device: ALICE_DEVICE });
    expect(expectOk(await alice2.emit('call:resume', { callId, fresh: true }))).toEqual({
      ok: true,
      state: 'active',
      polite: true,
      participants: [{ username: 'bob', displayName: 'Bob' }],
      iceServers: [],
    });
    expect(await bob.next('call:peer-connection', (p) => p.connected)).toEqual({ callId, connected: true, username: 'alice', fresh: true });
    await expectRelay(bob, alice2, callId);
    await expectRelay(alice2, bob, callId);
    // One call in history, answered and going on: the reload did not end it.
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await alice2.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    const history = expectOk(await alice2.emit('history:list', {})).calls.filter((c) => c.callId === callId);
    expect(history).toMatchObject([{ callId, outcome: 'hangup' }]);
  });

  it('a device that does not come back within the grace period ends the call as failed, signaling-lost, for the peer, for itself on resume and in both histories', async () => {
    const server = await startTestServer({ callGraceS: 1 });
    const { alice, bob, logins } = await pair(server);
    const callId = await establishCall(alice, bob);
    bob.socket.disconnect();
    expect(await alice.next('call:ended', undefined, 5000)).toEqual({ callId, reason: 'failed', cause: 'signaling-lost' });
    // Too late: the call is over, and the device is told how it ended and why.
    const bob2 = await connect(server, logins.bob, { device: BOB_DEVICE });
    expect(expectOk(await bob2.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'ended', reason: 'failed', cause: 'signaling-lost' });
    for (const d of [alice, bob2]) expect(expectOk(await d.emit('history:list', {})).calls[0]).toMatchObject({ callId, outcome: 'failed', cause: 'signaling-lost' });
    expect(expectOk(await alice.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('available');
  });

  it('a device that reconnects but does not resume the call loses it after the grace period', async () => {
    const server = await startTestServer({ callGraceS: 1 });
    const { alice, bob, logins } = await pair(server);
    const callId = await establishCall(alice, bob);
    bob.socket.disconnect();
    const bob2 = await connect(server, logins.bob, { device: BOB_DEVICE });
    expect(await alice.next('call:ended', undefined, 5000)).toEqual({ callId, reason: 'failed', cause: 'signaling-lost' });
    expect(bob2.events('call:ended')).toEqual([]);
  });

  it('another device of the same user cannot take the call over', async () => {
    const server = await startTestServer({ callGraceS: 30 });
    const { alice, bob, logins } = await pair(server);
    const callId = await establishCall(alice, bob);
    bob.socket.disconnect();
    const phone = await connect(server, logins.bob, { device: 'bob-phone-00000001' });
    const res = await phone.emit('call:resume', { callId });
    expect(res).toMatchObject({ ok: false, code: 'not_in_call' });
    const relay = await phone.emit('call:signal', { callId, candidate: null });
    expect(relay).toMatchObject({ ok: false, code: 'not_in_call' });
    // Nor can a stranger.
    const carol = await connect(server, await register(server, 'carol'), { device: 'carol-device-0001' });
    expect(await carol.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
  });

  it('a new connection of a device replaces a stale one at once, and the call moves to it', async () => {
    const server = await startTestServer({ callGraceS: 30 });
    const { alice, bob, logins } = await pair(server);
    const callId = await establishCall(alice, bob);
    // The old connection is still open (the server has not noticed it is gone).
    const replaced = bob.next('session:replaced');
    const gone = disconnected(bob.socket);
    const bob2 = await connect(server, logins.bob, { device: BOB_DEVICE });
    await replaced;
    expect(await gone).toBe('io server disconnect');
    expect(expectOk(await bob2.emit('call:resume', { callId })).state).toBe('active');
    await expectRelay(alice, bob2, callId);
    await settle(alice);
    // The stale connection's end did not end or pause the call.
    expect(alice.events('call:ended')).toEqual([]);
    expect(alice.events('call:peer-connection')).toEqual([{ callId, connected: true, username: 'bob' }]);
  });

  it('a device that gives up on the media path ends the call as failed on both sides and in history', async () => {
    const server = await startTestServer();
    const { alice, bob } = await pair(server);
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:hangup', { callId, reason: 'failed' }));
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'failed' });
    const [entry] = expectOk(await bob.emit('history:list', {})).calls;
    expect(entry).toMatchObject({ callId, outcome: 'failed' });
    expect(entry?.cause).toBeUndefined();
  });

  it('what made a call fail, as the giving-up side saw it, reaches the other side and both histories', async () => {
    const server = await startTestServer();
    const { alice, bob } = await pair(server);
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:hangup', { callId, reason: 'failed', cause: 'no-relay' }));
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'failed', cause: 'no-relay' });
    for (const d of [alice, bob]) expect(expectOk(await d.emit('history:list', {})).calls[0]).toMatchObject({ callId, outcome: 'failed', cause: 'no-relay' });
    // A cause comes only with `failed`, and only from the known set.
    const next = await establishCall(alice, bob);
    expect(await alice.emit('call:hangup', { callId: next, reason: 'failed', cause: 'gremlins' } as never)).toMatchObject({ ok: false, code: 'bad_request' });
    expectOk(await alice.emit('call:hangup', { callId: next, cause: 'media-lost' }));
    expect(await bob.next('call:ended', (p) => p.callId === next)).toEqual({ callId: next, reason: 'hangup' });
    expect(expectOk(await bob.emit('history:list', {})).calls[0]?.cause).toBeUndefined();
  });

  it('without a device id each connection is its own device, so a call cannot be resumed from another', async () => {
    const server = await startTestServer({ callGraceS: 1 });
    const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob') };
    const alice = await connect(server, logins.alice);
    const bob = await connect(server, logins.bob);
    const callId = await establishCall(alice, bob);
    bob.socket.disconnect();
    const bob2 = await connect(server, logins.bob);
    expect(await bob2.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.next('call:ended', undefined, 5000)).toEqual({ callId, reason: 'failed', cause: 'signaling-lost' });
  });
});

describe('after a server restart', () => {
  async function callAcrossRestart(graceS: number) {
    const first = await startTestServer({ callGraceS: graceS });
    const { alice, bob, logins } = await pair(first);
    const callId = await establishCall(alice, bob);
    await first.close();
    expect(alice.events('call:ended')).toEqual([]);
    expect(bob.events('call:ended')).toEqual([]);
    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: graceS });
    return { second, callId, logins };
  }

  it('both sides claim the answered call and it is restored: relay, mute, presence and hang-up work as before', async () => {
    const { second, callId, logins } = await callAcrossRestart(30);
    const alice = await connect(second, logins.alice, { device: ALICE_DEVICE });
    const bob = await connect(second, logins.bob, { device: BOB_DEVICE });

    expect(expectOk(await alice.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'waiting', polite: false, iceServers: [] });
    // One claim is not a call: nothing is relayed yet.
    expect(await alice.emit('call:signal', { callId, candidate: null })).toMatchObject({ ok: false, code: 'not_found' });
    expect(expectOk(await bob.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'active', polite: true, iceServers: [] });
    expect(await alice.next('call:peer-connection')).toEqual({ callId, connected: true, username: 'bob' });

    await expectRelay(alice, bob, callId);
    await expectRelay(bob, alice, callId);
    expect(expectOk(await alice.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('busy');
    // Still one call each: alice cannot place another.
    await connect(second, await register(second, 'carol'));
    expect(await alice.emit('call:invite', { to: 'carol', media: { audio: true, video: false } })).toMatchObject({ ok: false, code: 'in_call' });

    expectOk(await alice.emit('call:hangup', { callId }));
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    const entries = expectOk(await bob.emit('history:list', {})).calls.filter((c) => c.callId === callId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ outcome: 'hangup' });
  });

  it('a claim nobody confirms ends as failed after the grace period', async () => {
    const { second, callId, logins } = await callAcrossRestart(1);
    const alice = await connect(second, logins.alice, { device: ALICE_DEVICE });
    expect(expectOk(await alice.emit('call:resume', { callId })).state).toBe('waiting');
    expect(await alice.next('call:ended', undefined, 5000)).toEqual({ callId, reason: 'failed' });
    const [entry] = expectOk(await alice.emit('history:list', {})).calls;
    expect(entry).toMatchObject({ callId, outcome: 'failed' });
  });

  it('the other side hanging up while one side waits ends the call for the waiting side', async () => {
    const { second, callId, logins } = await callAcrossRestart(30);
    const alice = await connect(second, logins.alice, { device: ALICE_DEVICE });
    const bob = await connect(second, logins.bob, { device: BOB_DEVICE });
    expect(expectOk(await alice.emit('call:resume', { callId })).state).toBe('waiting');
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    // A late claim learns how it ended.
    expect(expectOk(await bob.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'ended', reason: 'hangup' });
  });

  it('a client cannot invent a call: unknown ids, calls of other users and unanswered calls are refused', async () => {
    const first = await startTestServer();
    const { alice, bob, logins } = await pair(first);
    const answered = await establishCall(alice, bob);
    await first.close();
    const second = await startTestServer({ dataDir: first.dataDir });
    const carol = await connect(second, await register(second, 'carol'), { device: 'carol-device-0001' });
    // Carol claims alice and bob's call: the row names neither her nor her device.
    expect(await carol.emit('call:resume', { callId: answered })).toMatchObject({ ok: false, code: 'not_found' });
    const alice2 = await connect(second, logins.alice, { device: ALICE_DEVICE });
    expect(await alice2.emit('call:resume', { callId: 'made-up-call-id' })).toMatchObject({ ok: false, code: 'not_found' });
    // A call that only rang is not a call to resume (and shutdown ended it).
    const bob2 = await connect(second, logins.bob, { device: BOB_DEVICE });
    expectOk(await alice2.emit('call:resume', { callId: answered }));
    expectOk(await bob2.emit('call:resume', { callId: answered }));
    expectOk(await alice2.emit('call:hangup', { callId: answered }));
    const { callId: rang } = expectOk(await carol.emit('call:invite', { to: 'alice', media: { audio: true, video: false } }));
    await alice2.next('call:incoming');
    expect(await alice2.emit('call:resume', { callId: rang })).toMatchObject({ ok: false, code: 'not_in_call' });
  });

  it('after a crash (SIGKILL) the answered call is restored and the ringing one is closed as failed', CHILD_SERVER_TEST, async () => {
    const dataDir = tempDir();
    const crashed = await startChildServer({ dataDir });
    const logins = { alice: await register(crashed, 'alice'), bob: await register(crashed, 'bob'), carol: await register(crashed, 'carol'), dave: await register(crashed, 'dave') };
    const alice = await connect(crashed, logins.alice, { device: ALICE_DEVICE });
    const bob = await connect(crashed, logins.bob, { device: BOB_DEVICE });
    const carol = await connect(crashed, logins.carol);
    const dave = await connect(crashed, logins.dave);
    const callId = await establishCall(alice, bob);
    const { callId: ringing } = expectOk(await carol.emit('call:invite', { to: 'dave', media: { audio: true, video: false } }));
    await dave.next('call:incoming');
    crashed.child.kill('SIGKILL');
    await crashed.exited;

    const second = await startTestServer({ dataDir });
    const carol2 = await connect(second, logins.carol);
    const [rang] = expectOk(await carol2.emit('history:list', {})).calls;
    expect(rang).toMatchObject({ callId: ringing, outcome: 'failed', answeredAt: null });

    const alice2 = await connect(second, logins.alice, { device: ALICE_DEVICE });
    const bob2 = await connect(second, logins.bob, { device: BOB_DEVICE });
    expect(expectOk(await bob2.emit('call:resume', { callId })).state).toBe('waiting');
    expect(expectOk(await alice2.emit('call:resume', { callId })).state).toBe('active');
    await expectRelay(alice2, bob2, callId);
  });
});
