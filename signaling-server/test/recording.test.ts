/**
 * Recording notices (call:recording): whoever records a call tells the server,
 * which tells every other participant and keeps who records, so that someone
 * coming in later (a room's newcomer, a person added) is told in their ack;
 * a recorder who leaves stops counting; a device that resumes the call (after
 * a reload or a lost connection) is told who else records in its ack.
 * Malformed notices and notices from outside the call are refused.
 */
import { describe, expect, it } from 'vitest';
import { connect, establishCall, expectOk, register, settle, startTestServer, team } from './harness.js';

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

  it('a device that resumes the call, fresh or not, learns who else records in its ack (it may have missed call:recording meanwhile)', async () => {
    const server = await startTestServer({ callGraceS: 30 });
    const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob') };
    const alice = await connect(server, logins.alice, { device: 'alice-laptop' });
    const bob = await connect(server, logins.bob, { device: 'bob-laptop' });
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:recording', { callId, on: true }));
    await bob.next('call:recording');

    bob.socket.disconnect();
    await alice.next('call:peer-connection', (p) => !p.connected);
    expectOk(await alice.emit('call:recording', { callId, on: false }));
    expectOk(await alice.emit('call:recording', { callId, on: true }));
    const bob2 = await connect(server, logins.bob, { device: 'bob-laptop' });
    expect(expectOk(await bob2.emit('call:resume', { callId }))).toMatchObject({ state: 'active', recording: ['alice'] });
    expectOk(await bob2.emit('call:recording', { callId, on: true }));
    await alice.next('call:recording', (p) => p.username === 'bob');

    // A reload: bob's window comes back fresh. His own recording is his to know, not in the list.
    bob2.socket.disconnect();
    await alice.next('call:peer-connection', (p) => !p.connected);
    const bob3 = await connect(server, logins.bob, { device: 'bob-laptop' });
    expect(expectOk(await bob3.emit('call:resume', { callId, fresh: true }))).toMatchObject({ state: 'active', recording: ['alice'] });
    // alice, who records nothing else, hears of nobody but bob.
    alice.socket.disconnect();
    await bob3.next('call:peer-connection', (p) => !p.connected);
    const alice2 = await connect(server, logins.alice, { device: 'alice-laptop' });
    expect(expectOk(await alice2.emit('call:resume', { callId }))).toMatchObject({ state: 'active', recording: ['bob'] });
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
