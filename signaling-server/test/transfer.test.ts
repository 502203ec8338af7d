/**
 * Transfer and merge (PROTOCOL.md, "Transfer and merge"): blind transfer
 * (call:transfer `to`), consult and attended transfer (call:invite `hold`,
 * call:transfer `consult`), merge (call:merge), each refusal, and a
 * transfer that rings on one node and is answered on another.
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../src/config.js';
import { serverSchemas, type LoginResponse } from '../src/protocol/index.js';
import { connect, type Device, establishCall, expectOk, expectPairRelay, expectRelay, register, settle, startTestServer, twoNodes } from './harness.js';

const audio = { audio: true, video: false };
/** A client that takes part in transfers (handshake `transfer`). */
const CAPABLE = { transfer: true };

interface People {
  server: { url: string };
  alice: Device;
  bob: Device;
  carol: Device;
  dave: Device;
  logins: Record<'alice' | 'bob' | 'carol' | 'dave', LoginResponse>;
}

/** alice, bob, carol and dave, all on clients that take part in transfers unless `old` names them. */
async function people(overrides: Partial<Config> = {}, old: string[] = []): Promise<People> {
  const server = await startTestServer(overrides);
  const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob'), carol: await register(server, 'carol'), dave: await register(server, 'dave') };
  const dev = (n: keyof typeof logins) => connect(server, logins[n], old.includes(n) ? {} : CAPABLE);
  return { server, alice: await dev('alice'), bob: await dev('bob'), carol: await dev('carol'), dave: await dev('dave'), logins };
}

/** Alice, in a call with Bob, holds it to call Carol, who answers: the held call and the consult. */
async function consult(alice: Device, bob: Device, carol: Device): Promise<{ held: string; consult: string }> {
  const held = await establishCall(alice, bob);
  const placed = expectOk(await alice.emit('call:invite', { to: 'carol', media: audio, hold: held }));
  expect(await bob.next('call:held', (p) => p.callId === held)).toEqual({ callId: held, username: 'alice', held: true });
  await carol.next('call:incoming', (p) => p.callId === placed.callId);
  expectOk(await carol.emit('call:accept', { callId: placed.callId }));
  await alice.next('call:accepted', (p) => p.callId === placed.callId);
  return { held, consult: placed.callId };
}

/** Every event the devices received reads, unchanged, with the schemas a client checks them with. */
function expectValid(...devices: Device[]): void {
  for (const { event, payload } of devices.flatMap((d) => d.received)) expect(serverSchemas[event].parse(payload), event).toEqual(payload);
}

const transferOf = async (d: Device, callId: string) => expectOk(await d.emit('history:list', {})).calls.find((c) => c.callId === callId)?.transfer;
const byAliceBobToCarol = { by: { username: 'alice', displayName: 'Alice' }, from: { username: 'bob', displayName: 'Bob' }, to: { username: 'carol', displayName: 'Carol' } };

describe('blind transfer', () => {
  it('alice transfers bob to carol: carol rings "bob, transferred by alice", answers, and alice is free', async () => {
    const { alice, bob, carol, dave } = await people();
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:transfer', { callId, to: 'carol' }));
    expect(await carol.next('call:incoming', (p) => p.callId === callId)).toEqual({
      callId,
      from: { username: 'bob', displayName: 'Bob' },
      media: audio,
      polite: true,
      participants: [{ username: 'bob', displayName: 'Bob' }],
      transferredBy: { username: 'alice', displayName: 'Alice' },
    });
    const ringing = { callId, user: { username: 'carol', displayName: 'Carol' }, by: 'alice', transfer: true };
    expect(await bob.next('room:ringing')).toEqual(ringing);
    expect(await alice.next('room:ringing')).toEqual(ringing);
    // Alice and Bob still talk while it rings.
    await expectRelay(bob, alice, callId);

    expect(expectOk(await carol.emit('call:accept', { callId }))).toMatchObject({ callId, polite: true, participants: [{ username: 'bob', displayName: 'Bob' }] });
    expect(await alice.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'hangup', transferred: true });
    expect(await bob.next('room:left', (p) => p.username === 'alice')).toEqual({ callId, username: 'alice', reason: 'hangup', transfer: true });
    expect(await bob.next('room:joined')).toEqual({ callId, user: { username: 'carol', displayName: 'Carol' }, polite: false });
    await expectRelay(bob, carol, callId);
    await expectRelay(carol, bob, callId);
    expect(await alice.emit('call:signal', { callId, candidate: null })).toMatchObject({ ok: false, code: 'not_in_call' });
    // Alice is free: she calls Dave.
    await establishCall(alice, dave);
    for (const d of [alice, bob, carol]) expect(await transferOf(d, callId)).toEqual(byAliceBobToCarol);

    expectOk(await bob.emit('call:hangup', { callId }));
    expect(await carol.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'hangup' });
    expectValid(alice, bob, carol);
  });

  it('carol declines: bob, on an app that knows nothing of transfers, is told and is back with alice; the call can be transferred again', async () => {
    // Bob's app never said `transfer`: as the one transferred it needs nothing new (group-call events).
    const { alice, bob, carol, dave } = await people({}, ['bob']);
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:transfer', { callId, to: 'carol', onFailure: 'return' }));
    await carol.next('call:incoming', (p) => p.callId === callId);
    expectOk(await carol.emit('call:decline', { callId }));
    const declined = { callId, username: 'carol', reason: 'declined', transfer: true };
    expect(await bob.next('room:left')).toEqual(declined);
    expect(await alice.next('room:left')).toEqual(declined);
    await expectRelay(alice, bob, callId);
    await expectRelay(bob, alice, callId);
    // Nothing is pending any more: a second transfer rings, and the transferor can take it back.
    expectOk(await alice.emit('call:transfer', { callId, to: 'dave' }));
    await dave.next('call:incoming', (p) => p.callId === callId);
    expectOk(await alice.emit('call:cancel', { callId, to: 'dave' }));
    expect(await bob.next('room:left', (p) => p.username === 'dave')).toEqual({ callId, username: 'dave', reason: 'cancelled', transfer: true });
    await expectRelay(alice, bob, callId);
  });

  it('with onFailure "end", nobody answering ends the call, and bob first hears why', async () => {
    const { alice, bob, carol } = await people({ ringTimeoutS: 1 });
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:transfer', { callId, to: 'carol', onFailure: 'end' }));
    await carol.next('call:incoming', (p) => p.callId === callId);
    expect(await bob.next('room:left', undefined, 5000)).toEqual({ callId, username: 'carol', reason: 'no-answer', transfer: true });
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    expect(await alice.next('call:ended')).toEqual({ callId, reason: 'hangup' });
    expect(await carol.next('call:ended')).toEqual({ callId, reason: 'no-answer' });
    await establishCall(bob, carol);
  });

  it('refuses a transfer to oneself, to someone in the call, offline, on DND, busy, without a capable app, twice, or of a call one is not in or that rings', async () => {
    const { server, alice, bob, carol, dave, logins } = await people({}, ['dave']);
    const callId = await establishCall(alice, bob);
    const refused = async (payload: { callId: string; to: string }, code: string, by = alice) => expect(await by.emit('call:transfer', payload), `${payload.to}: ${code}`).toMatchObject({ ok: false, code });
    await refused({ callId, to: 'alice' }, 'self_call');
    await refused({ callId, to: 'bob' }, 'already_in_call');
    await refused({ callId, to: 'nobody' }, 'not_found');
    await refused({ callId, to: 'dave' }, 'transfer_unsupported');
    await refused({ callId, to: 'carol' }, 'not_in_call', carol);
    await refused({ callId: '00000000-0000-4000-8000-000000000000', to: 'carol' }, 'not_found');
    expectOk(await carol.emit('presence:set', { status: 'dnd' }));
    await refused({ callId, to: 'carol' }, 'dnd');
    expectOk(await carol.emit('presence:set', { status: 'available' }));
    carol.socket.disconnect();
    await bob.next('presence:changed', (p) => p.username === 'carol' && p.status === 'offline');
    await refused({ callId, to: 'carol' }, 'offline');
    const carol2 = await connect(server, logins.carol, CAPABLE);
    // A call still ringing cannot be transferred.
    const ringing = expectOk(await carol2.emit('call:invite', { to: 'dave', media: audio })).callId;
    await refused({ callId: ringing, to: 'bob' }, 'not_in_call', carol2);
    await refused({ callId, to: 'carol' }, 'busy');
    expectOk(await carol2.emit('call:cancel', { callId: ringing }));
    expect(await alice.emitRaw('call:transfer', { callId, to: 'carol', consult: callId })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await alice.emitRaw('call:transfer', { callId })).toMatchObject({ ok: false, code: 'bad_request' });

    // Twice at once: one rings, the other is refused, and nobody can be added meanwhile.
    const [first, second] = await Promise.all([alice.emit('call:transfer', { callId, to: 'carol' }), bob.emit('call:transfer', { callId, to: 'carol' })]);
    expect([first, second].filter((a) => a.ok)).toHaveLength(1);
    expect([first, second].find((a) => !a.ok)).toMatchObject({ ok: false, code: 'transfer_pending' });
    await refused({ callId, to: 'carol' }, 'transfer_pending');
    expect(await alice.emit('call:add', { callId, to: 'dave' })).toMatchObject({ ok: false, code: 'transfer_pending' });
    await carol2.next('call:incoming', (p) => p.callId === callId);
    expectOk(await carol2.emit('call:decline', { callId }));
    await settle(alice, bob);
    await expectRelay(alice, bob, callId);
    expect(dave.events('call:incoming').filter((p) => p.callId === callId)).toEqual([]);
  });
});

describe('consult, attended transfer and merge', () => {
  it('alice consults carol holding bob, then transfers: bob and carol are connected and alice leaves both calls', async () => {
    const { alice, bob, carol, dave } = await people();
    const { held, consult: consulted } = await consult(alice, bob, carol);
    await expectRelay(alice, carol, consulted);

    expectOk(await alice.emit('call:transfer', { callId: held, consult: consulted }));
    expect(await carol.next('call:ended', (p) => p.callId === consulted)).toEqual({
      callId: consulted,
      reason: 'hangup',
      moved: { callId: held, participants: [{ username: 'bob', displayName: 'Bob' }] },
    });
    expect(await bob.next('room:left')).toEqual({ callId: held, username: 'alice', reason: 'hangup', transfer: true });
    expect(await bob.next('room:joined')).toEqual({ callId: held, user: { username: 'carol', displayName: 'Carol' }, polite: false });
    await expectRelay(bob, carol, held);
    await expectRelay(carol, bob, held);
    await establishCall(alice, dave);
    for (const d of [alice, bob, carol]) expect(await transferOf(d, held)).toEqual(byAliceBobToCarol);
    expectOk(await carol.emit('call:hangup', { callId: held }));
    expect(await bob.next('call:ended', (p) => p.callId === held)).toEqual({ callId: held, reason: 'hangup' });
    expectValid(alice, bob, carol);
  });

  it('"back to bob": the consult ends and the held call is alice\'s again, still on hold', async () => {
    const { alice, bob, carol } = await people();
    const { held, consult: consulted } = await consult(alice, bob, carol);
    expectOk(await alice.emit('call:hangup', { callId: consulted }));
    await carol.next('call:ended', (p) => p.callId === consulted);
    expectOk(await alice.emit('call:hold', { callId: held, held: false }));
    expect(await bob.next('call:held', (p) => !p.held)).toEqual({ callId: held, username: 'alice', held: false });
    await expectRelay(bob, alice, held);
    // A consult that is refused gives the held call back at once.
    expect(await alice.emit('call:invite', { to: 'alice', media: audio, hold: held })).toMatchObject({ ok: false, code: 'self_call' });
    expect(await alice.emit('call:invite', { to: 'nobody', media: audio, hold: held })).toMatchObject({ ok: false, code: 'not_found' });
    await settle(alice, bob);
    // Held for the consult and back, then held for the one to nobody and given back at once; the one to herself never held it.
    expect(bob.events('call:held').map((p) => p.held)).toEqual([true, false, true, false]);
    await expectRelay(alice, bob, held);
  });

  it('merge makes one call of three: carol moves in, alice and bob offer to her', async () => {
    const { alice, bob, carol } = await people();
    const { held, consult: consulted } = await consult(alice, bob, carol);
    expectOk(await alice.emit('call:merge', { callId: held, with: consulted }));
    expect(await carol.next('call:ended', (p) => p.callId === consulted)).toEqual({
      callId: consulted,
      reason: 'hangup',
      moved: { callId: held, participants: [{ username: 'alice', displayName: 'Alice' }, { username: 'bob', displayName: 'Bob' }] },
    });
    const joined = { callId: held, user: { username: 'carol', displayName: 'Carol' }, polite: false };
    expect(await alice.next('room:joined')).toEqual(joined);
    expect(await bob.next('room:joined')).toEqual(joined);
    await expectPairRelay(held, alice, carol, [bob]);
    await expectPairRelay(held, bob, carol, [alice]);
    await expectPairRelay(held, carol, alice, [bob]);
    // Off hold: alice is in it again, and a call of three is no call to hold.
    expect(await alice.emit('call:hold', { callId: held, held: true })).toMatchObject({ ok: false, code: 'bad_request' });
    expectOk(await alice.emit('call:hangup', { callId: held }));
    await expectRelay(bob, carol, held);
    expect(expectOk(await bob.emit('history:list', {})).calls.find((c) => c.callId === held)?.participants?.map((p) => p.username)).toEqual(['alice', 'carol']);
  });

  it('a merge past PARLEY_SFU_FROM moves the call to the SFU; past the limit it is refused and both calls go on', async () => {
    const sfu = { janusUrls: ['ws://127.0.0.1:9'], adminKey: 'not-a-real-admin-key' };
    const onSfu = await people({ sfu, sfuFrom: 3 });
    const first = await consult(onSfu.alice, onSfu.bob, onSfu.carol);
    expectOk(await onSfu.alice.emit('call:merge', { callId: first.held, with: first.consult }));
    for (const d of [onSfu.alice, onSfu.bob, onSfu.carol]) expect(await d.next('room:mode', (p) => p.callId === first.held)).toEqual({ callId: first.held, mode: 'sfu' });

    const { alice, bob, carol } = await people({ meshLimit: 2 });
    const second = await consult(alice, bob, carol);
    expect(await alice.emit('call:merge', { callId: second.held, with: second.consult })).toMatchObject({ ok: false, code: 'room_full' });
    await expectRelay(carol, alice, second.consult);
    await expectRelay(bob, alice, second.held);
    expect(await alice.emit('call:hold', { callId: second.held, held: false })).toMatchObject({ ok: false, code: 'in_call' });
    expect(carol.events('call:ended')).toEqual([]);
  });

  it('refuses a merge or attended transfer that is not a consult, still rings, or moves someone whose app cannot', async () => {
    const { alice, bob, carol, dave } = await people({}, ['carol']);
    const held = await establishCall(alice, bob);
    const other = await establishCall(carol, dave);
    expect(await alice.emit('call:merge', { callId: held, with: other })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await dave.emit('call:merge', { callId: held, with: other })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await dave.emit('call:hangup', { callId: other }));
    await carol.next('call:ended', (p) => p.callId === other);
    // The consult still rings.
    const ringing = expectOk(await alice.emit('call:invite', { to: 'carol', media: audio, hold: held })).callId;
    await carol.next('call:incoming', (p) => p.callId === ringing);
    expect(await alice.emit('call:transfer', { callId: held, consult: ringing })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await alice.emit('call:merge', { callId: ringing, with: held })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await carol.emit('call:accept', { callId: ringing }));
    await alice.next('call:accepted', (p) => p.callId === ringing);
    // Carol's app cannot be moved: refused, and both calls are as they were.
    expect(await alice.emit('call:transfer', { callId: held, consult: ringing })).toMatchObject({ ok: false, code: 'transfer_unsupported' });
    expect(await alice.emit('call:merge', { callId: held, with: ringing })).toMatchObject({ ok: false, code: 'transfer_unsupported' });
    expect(await alice.emit('call:merge', { callId: held, with: held })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await bob.emit('call:merge', { callId: held, with: ringing })).toMatchObject({ ok: false, code: 'bad_request' });
    await expectRelay(carol, alice, ringing);
    await expectRelay(bob, alice, held);
  });
});

describe('transfer through restarts and node changes', () => {
  it('a transferred call is claimed back by bob and carol after a server restart, and history keeps the transfer', async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const logins = { alice: await register(first, 'alice'), bob: await register(first, 'bob'), carol: await register(first, 'carol') };
    const dev = (server: { url: string }, n: keyof typeof logins) => connect(server, logins[n], { ...CAPABLE, device: `${n}-device-0001` });
    const [alice, bob, carol] = [await dev(first, 'alice'), await dev(first, 'bob'), await dev(first, 'carol')];
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:transfer', { callId, to: 'carol' }));
    await carol.next('call:incoming', (p) => p.callId === callId);
    expectOk(await carol.emit('call:accept', { callId }));
    await bob.next('room:joined');
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const [bob2, carol2] = [await dev(second, 'bob'), await dev(second, 'carol')];
    expect(expectOk(await carol2.emit('call:resume', { callId })).state).toMatch(/^(waiting|active)$/);
    expect(expectOk(await bob2.emit('call:resume', { callId })).state).toBe('active');
    await expectRelay(bob2, carol2, callId);
    const alice2 = await dev(second, 'alice');
    // Alice left it when it was transferred: she cannot claim it back.
    expect(await alice2.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await transferOf(carol2, callId)).toEqual(byAliceBobToCarol);
  });

  it('a transfer rung from node 1 completes on node 2 after node 1 is gone: its state is the call record\'s', async () => {
    const [one, two] = await twoNodes({ callGraceS: 30 });
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob'), carol: await register(one, 'carol') };
    const alice = await connect(one, logins.alice, { ...CAPABLE, device: 'alice-device-0001' });
    const bob = await connect(two, logins.bob);
    const carol = await connect(two, logins.carol, CAPABLE);
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:transfer', { callId, to: 'carol' }));
    await carol.next('call:incoming', (p) => p.callId === callId);
    await one.close();
    const alice2 = await connect(two, logins.alice, { ...CAPABLE, device: 'alice-device-0001' });
    expect(expectOk(await alice2.emit('call:resume', { callId })).state).toBe('active');
    expect(await alice2.emit('call:transfer', { callId, to: 'carol' })).toMatchObject({ ok: false, code: 'transfer_pending' });
    expectOk(await carol.emit('call:accept', { callId }));
    expect(await alice2.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'hangup', transferred: true });
    await expectRelay(carol, bob, callId);
  });


  it('alice on node 1 transfers bob to carol, who answers on node 2', async () => {
    const [one, two] = await twoNodes();
    const logins = { alice: await register(one, 'alice'), bob: await register(one, 'bob'), carol: await register(one, 'carol') };
    const alice = await connect(one, logins.alice, CAPABLE);
    const bob = await connect(two, logins.bob);
    const carol = await connect(two, logins.carol, CAPABLE);
    const callId = await establishCall(alice, bob);
    expectOk(await alice.emit('call:transfer', { callId, to: 'carol' }));
    await carol.next('call:incoming', (p) => p.callId === callId);
    // The transfer is call state on every node: a second one is refused on the other node too.
    expect(await bob.emit('call:transfer', { callId, to: 'carol' })).toMatchObject({ ok: false, code: 'transfer_pending' });
    expectOk(await carol.emit('call:accept', { callId }));
    expect(await alice.next('call:ended', (p) => p.callId === callId)).toEqual({ callId, reason: 'hangup', transferred: true });
    await bob.next('room:joined');
    await expectRelay(bob, carol, callId);
    expect(await transferOf(bob, callId)).toEqual(byAliceBobToCarol);
  });
});
