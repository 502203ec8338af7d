import { describe, expect, it } from 'vitest';
import { connect, establishCall, expectOk, settle, startTestServer, team } from './harness.js';

const offer = { type: 'offer' as const, sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const candidate = { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 };

describe('relay of signalling and mute', () => {
  it('delivers call:signal only to the other device of the call, stamped with the sender', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    const bob2 = await connect(server, logins.bob);
    const callId = await establishCall(alice, bob);

    expectOk(await alice.emit('call:signal', { callId, description: offer }));
    expect(await bob.next('call:signal')).toEqual({ callId, from: 'alice', description: offer });
    expectOk(await bob.emit('call:signal', { callId, candidate }));
    expect(await alice.next('call:signal')).toEqual({ callId, from: 'bob', candidate });
    expectOk(await bob.emit('call:signal', { callId, candidate: null }));
    expect(await alice.next('call:signal', (p) => p.candidate === null)).toEqual({ callId, from: 'bob', candidate: null });

    await settle(bob2, alice);
    expect(bob2.events('call:signal')).toEqual([]);
    expect(alice.events('call:signal')).toHaveLength(2);
  });

  it('a client cannot name itself: a `from` in the payload is refused', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    const ack = await alice.emitRaw('call:signal', { callId, from: 'carol', description: offer });
    expect(ack).toMatchObject({ ok: false, code: 'bad_request' });
    await settle(bob);
    expect(bob.events('call:signal')).toEqual([]);
  });

  it('delivers call:mute to the peer as call:muted', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:mute', { callId, muted: true }));
    expect(await bob.next('call:muted')).toEqual({ callId, username: 'alice', muted: true });
    expectOk(await alice.emit('call:mute', { callId, muted: false }));
    expect(await bob.next('call:muted', (p) => !p.muted)).toEqual({ callId, username: 'alice', muted: false });
    await settle(alice);
    expect(alice.events('call:muted')).toEqual([]);
  });

  it('delivers call:hold to the peer as call:held, and refuses it outside a call of two', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:hold', { callId, held: true }));
    expect(await bob.next('call:held')).toEqual({ callId, username: 'alice', held: true });
    expectOk(await bob.emit('call:hold', { callId, held: true }));
    expect(await alice.next('call:held')).toEqual({ callId, username: 'bob', held: true });
    expectOk(await alice.emit('call:hold', { callId, held: false }));
    expect(await bob.next('call:held', (p) => !p.held)).toEqual({ callId, username: 'alice', held: false });
    // Not a participant, an unknown call, a malformed payload.
    expect(await carol.emit('call:hold', { callId, held: true })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.emit('call:hold', { callId: 'no-such-call', held: true })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await alice.emitRaw('call:hold', { callId, held: 'yes' })).toMatchObject({ ok: false, code: 'bad_request' });
    // Someone added: a call of more than two has no "other side" to hold.
    expectOk(await alice.emit('call:add', { callId, to: 'carol' }));
    await carol.next('call:incoming', (p) => p.callId === callId);
    expect(await alice.emit('call:hold', { callId, held: true })).toMatchObject({ ok: false, code: 'bad_request' });
    expectOk(await carol.emit('call:accept', { callId }));
    expect(await bob.emit('call:hold', { callId, held: true })).toMatchObject({ ok: false, code: 'bad_request' });
    await settle(alice, bob, carol, dave);
    expect(carol.events('call:held')).toEqual([]);
    expect(dave.events('call:held')).toEqual([]);
    expect(alice.events('call:held')).toHaveLength(1);
    expect(bob.events('call:held')).toHaveLength(2);
  });

  it("a third user cannot inject signalling or mute into someone else's call", async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const callId = await establishCall(alice, bob);
    expect(await carol.emit('call:signal', { callId, description: offer })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await carol.emit('call:signal', { callId, candidate })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await carol.emit('call:mute', { callId, muted: true })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await carol.emit('call:hangup', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    await settle(alice, bob);
    expect([...alice.events('call:signal'), ...bob.events('call:signal'), ...bob.events('call:muted')]).toEqual([]);
    expect([...alice.events('call:ended'), ...bob.events('call:ended')]).toEqual([]);
  });

  it("the callee's other device, not in the call, cannot relay either", async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    const bob2 = await connect(server, logins.bob);
    const callId = await establishCall(alice, bob);
    expect(await bob2.emit('call:signal', { callId, description: offer })).toMatchObject({ ok: false, code: 'not_in_call' });
  });

  it('relays between the caller and the one device a call rings on, before the answer (the early path)', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const invited = expectOk(await alice.emit('call:invite', { to: 'bob', media: { audio: true, video: false } }));
    const { callId } = invited;
    expect(invited.early).toBe(true);
    expect(await bob.next('call:incoming')).toMatchObject({ callId, early: true });
    expectOk(await alice.emit('call:signal', { callId, description: offer }));
    expect(await bob.next('call:signal')).toEqual({ callId, from: 'alice', description: offer });
    expectOk(await bob.emit('call:signal', { callId, candidate }));
    expect(await alice.next('call:signal')).toEqual({ callId, from: 'bob', candidate });
    // Only signals: mute and hold wait for the answer, and nobody else gets in.
    expect(await alice.emit('call:mute', { callId, muted: true })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await carol.emit('call:signal', { callId, description: offer })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.emit('call:signal', { callId, to: 'bob', candidate })).toMatchObject({ ok: false, code: 'not_in_call' });
    await settle(alice, bob, carol);
    expect(carol.events('call:signal')).toEqual([]);
    expect(bob.events('call:signal')).toHaveLength(1);
  });

  it('refuses relay on a ringing call with no early path (several devices, call waiting), and on an unknown call', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave, logins } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const bob2 = await connect(server, logins.bob);
    const invited = expectOk(await alice.emit('call:invite', { to: 'bob', media: { audio: true, video: false } }));
    const { callId } = invited;
    expect(invited.early).toBeUndefined();
    expect((await bob.next('call:incoming')).early).toBeUndefined();
    expect(await alice.emit('call:signal', { callId, description: offer })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await bob.emit('call:signal', { callId, candidate })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await bob2.emit('call:signal', { callId, candidate })).toMatchObject({ ok: false, code: 'not_in_call' });
    // Carol talks with Dave: Alice's call to her waits, and connects only once she chooses.
    expectOk(await alice.emit('call:cancel', { callId }));
    await establishCall(carol, dave);
    const waiting = expectOk(await alice.emit('call:invite', { to: 'carol', media: { audio: true, video: false } }));
    expect(waiting.early).toBeUndefined();
    expect((await carol.next('call:incoming', (p) => p.callId === waiting.callId)).early).toBeUndefined();
    expect(await alice.emit('call:signal', { callId: waiting.callId, description: offer })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.emit('call:signal', { callId: 'no-such-call', description: offer })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await alice.emit('call:mute', { callId: 'no-such-call', muted: true })).toMatchObject({ ok: false, code: 'not_found' });
    await settle(bob, bob2, carol);
    expect([...bob.events('call:signal'), ...bob2.events('call:signal'), ...carol.events('call:signal')]).toEqual([]);
  });
});
