/**
 * Recording notices (call:recording): whoever records a call tells the server,
 * which tells every other participant and keeps who records, so that someone
 * coming in later (a room's newcomer, a person added) is told in their ack;
 * a recorder who leaves stops counting. Malformed notices and notices from
 * outside the call are refused.
 */
import { describe, expect, it } from 'vitest';
import { establishCall, expectOk, settle, startTestServer, team } from './harness.js';

describe('recording notices', () => {
  it('a 1:1 call: the peer is told when recording starts and stops, the recorder is not echoed', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:recording', { callId, on: true }));
    expect(await bob.next('call:recording')).toEqual({ callId, username: 'alice', on: true });
    expectOk(await alice.emit('call:recording', { callId, on: false }));
    expect(await bob.next('call:recording', (p) => !p.on)).toEqual({ callId, username: 'alice', on: false });
    await settle(alice);
    expect(alice.events('call:recording')).toEqual([]);
  });

  it('a room: everyone hears it; a newcomer and a person added learn who records in their ack; a recorder who leaves stops counting', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const { callId } = expectOk(await alice.emit('room:join', { name: 'standup' }));
    expect(expectOk(await bob.emit('room:join', { name: 'standup' })).recording).toBeUndefined();
    await alice.next('room:joined');

    expectOk(await bob.emit('call:recording', { callId, on: true }));
    expect(await alice.next('call:recording')).toEqual({ callId, username: 'bob', on: true });
    // Idempotent: saying it twice keeps one entry.
    expectOk(await bob.emit('call:recording', { callId, on: true }));
    const carolJoin = expectOk(await carol.emit('room:join', { name: 'standup' }));
    expect(carolJoin.recording).toEqual(['bob']);

    expectOk(await alice.emit('call:recording', { callId, on: true }));
    for (const d of [bob, carol]) expect(await d.next('call:recording', (p) => p.username === 'alice')).toEqual({ callId, username: 'alice', on: true });
    expectOk(await carol.emit('call:add', { callId, to: 'dave' }));
    await dave.next('call:incoming', (p) => p.callId === callId);
    // In the order they are in the call.
    expect(expectOk(await dave.emit('call:accept', { callId })).recording).toEqual(['alice', 'bob']);

    // Bob hangs up: his recording goes with him (the others see room:left); alice's stays.
    expectOk(await bob.emit('call:hangup', { callId }));
    await carol.next('room:left', (p) => p.username === 'bob');
    expectOk(await dave.emit('call:hangup', { callId }));
    expectOk(await carol.emit('call:hangup', { callId }));
    const { recording } = expectOk(await bob.emit('room:join', { name: 'standup' }));
    expect(recording).toEqual(['alice']);
    expectOk(await alice.emit('call:recording', { callId, on: false }));
    await bob.next('call:recording', (p) => !p.on);
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(expectOk(await carol.emit('room:join', { name: 'standup' })).recording).toBeUndefined();
  });

  it('refuses malformed notices, notices from outside the call and on a ringing call, and tells nobody', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const callId = await establishCall(alice, bob);
    for (const bad of [{ callId }, { callId, on: 'yes' }, { callId, on: true, username: 'carol' }, { on: true }, { callId, on: 1 }]) {
      expect(await alice.emitRaw('call:recording', bad), JSON.stringify(bad)).toMatchObject({ ok: false, code: 'bad_request' });
    }
    expect(await carol.emit('call:recording', { callId, on: true })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await carol.emit('call:recording', { callId: 'no-such-call', on: true })).toMatchObject({ ok: false, code: 'not_found' });
    const ringing = expectOk(await carol.emit('call:invite', { to: 'dave', media: { audio: true, video: false } }));
    expect(await carol.emit('call:recording', { callId: ringing.callId, on: true })).toMatchObject({ ok: false, code: 'not_in_call' });
    await settle(alice, bob);
    expect([...alice.events('call:recording'), ...bob.events('call:recording')]).toEqual([]);
  });
});
