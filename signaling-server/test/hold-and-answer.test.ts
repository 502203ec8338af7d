/**
 * Hold and answer (PROTOCOL.md, call:accept `hold`): in a call of two, a
 * waiting call is answered while the first is held. The held call goes on
 * (relay, its hang-up) but is not its holder's call until the answered one
 * is over for them; then it is theirs again, still on hold.
 */
import { describe, expect, it } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { connect, type Device, establishCall, expectOk, expectRelay, register, settle, startTestServer, team, twoNodes } from './harness.js';

const audio = { audio: true, video: false };
const NAMES = ['alice', 'bob', 'carol'] as const;
type Name = (typeof NAMES)[number];

/** alice and bob in a call, carol calling bob, and bob holding alice to answer carol: the two call ids. */
async function bobHoldsAliceForCarol(alice: Device, bob: Device, carol: Device): Promise<{ held: string; answered: string }> {
  const held = await establishCall(alice, bob);
  const answered = expectOk(await carol.emit('call:invite', { to: 'bob', media: audio })).callId;
  await bob.next('call:incoming', (p) => p.callId === answered);
  expectOk(await bob.emit('call:accept', { callId: answered, hold: held }));
  await carol.next('call:accepted', (p) => p.callId === answered);
  return { held, answered };
}

/** alice, bob and carol connected, each with a device id of their own that a reconnection keeps. */
async function connectAll(server: { url: string }, logins: Record<Name, LoginResponse>): Promise<[Device, Device, Device]> {
  const [alice, bob, carol] = await Promise.all(NAMES.map((n) => connect(server, logins[n], { device: `${n}-device-0001` })));
  if (!alice || !bob || !carol) throw new Error('not connected');
  return [alice, bob, carol];
}

async function registerAll(server: { url: string }): Promise<Record<Name, LoginResponse>> {
  return { alice: await register(server, 'alice'), bob: await register(server, 'bob'), carol: await register(server, 'carol') };
}

describe('hold and answer', () => {
  it('bob holds his call with alice to answer carol; back with alice, on hold, once carol\'s call is over', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const first = await establishCall(alice, bob);
    const waiting = expectOk(await carol.emit('call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === waiting);

    expect(expectOk(await bob.emit('call:accept', { callId: waiting, hold: first }))).toMatchObject({ callId: waiting, polite: true });
    expect(await alice.next('call:held')).toEqual({ callId: first, username: 'bob', held: true });
    expect(await carol.next('call:accepted', (p) => p.callId === waiting)).toEqual({ callId: waiting, polite: false });
    // Both calls carry their signals: the held one keeps its connection up.
    await expectRelay(bob, carol, waiting);
    await expectRelay(alice, bob, first);
    await expectRelay(bob, alice, first);
    // Bob is in carol's call now: a call to him waits, and his status is busy.
    const third = expectOk(await dave.emit('call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === third);
    expectOk(await bob.emit('call:decline', { callId: third }));
    expect(expectOk(await dave.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('busy');
    // The held call cannot come off hold while carol's goes on, nor grow.
    expect(await bob.emit('call:hold', { callId: first, held: false })).toMatchObject({ ok: false, code: 'in_call' });
    expect(await alice.emit('call:add', { callId: first, to: 'dave' })).toMatchObject({ ok: false, code: 'bad_request' });
    // Alice, on hold, is still in her call: calling her is call waiting, and she is busy.
    expect(expectOk(await dave.emit('directory:list', {})).users.find((u) => u.username === 'alice')?.status).toBe('busy');

    expectOk(await carol.emit('call:hangup', { callId: waiting }));
    expect(await bob.next('call:ended', (p) => p.callId === waiting)).toEqual({ callId: waiting, reason: 'hangup' });
    await settle(bob, carol);
    // The call with alice is bob's again: he cannot place another, and taking it off hold works.
    expect(await bob.emit('call:invite', { to: 'dave', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    expectOk(await bob.emit('call:hold', { callId: first, held: false }));
    expect(await alice.next('call:held', (p) => !p.held)).toEqual({ callId: first, username: 'bob', held: false });
    await expectRelay(bob, alice, first);
    expectOk(await alice.emit('call:hangup', { callId: first }));
    expect(await bob.next('call:ended', (p) => p.callId === first)).toEqual({ callId: first, reason: 'hangup' });
    const history = expectOk(await bob.emit('history:list', {})).calls;
    expect(history.filter((c) => c.callId === first || c.callId === waiting).map((c) => c.outcome)).toEqual(['hangup', 'hangup']);
    expect(history.find((c) => c.callId === first)?.answeredAt).not.toBeNull();
  });

  it('bob swaps back to alice and again to carol; whichever call ends, the other is his, held', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const { held: first, answered: second } = await bobHoldsAliceForCarol(alice, bob, carol);
    await alice.next('call:held', (p) => p.held);
    // Only the holder may swap, and only the call held aside.
    expect(await alice.emit('call:swap', { callId: first })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await bob.emit('call:swap', { callId: second })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await dave.emit('call:swap', { callId: first })).toMatchObject({ ok: false, code: 'not_in_call' });

    expectOk(await bob.emit('call:swap', { callId: first }));
    expect(await carol.next('call:held', (p) => p.held)).toEqual({ callId: second, username: 'bob', held: true });
    expect(await alice.next('call:held', (p) => !p.held)).toEqual({ callId: first, username: 'bob', held: false });
    await expectRelay(bob, alice, first);
    await expectRelay(carol, bob, second);
    // Carol's call is the one held aside now: it cannot come off hold, and alice's cannot be swapped again.
    expect(await bob.emit('call:hold', { callId: second, held: false })).toMatchObject({ ok: false, code: 'in_call' });
    expect(await bob.emit('call:swap', { callId: first })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(expectOk(await dave.emit('directory:list', {})).users.filter((u) => ['alice', 'bob', 'carol'].includes(u.username)).map((u) => u.status)).toEqual(['busy', 'busy', 'busy']);

    // And back to carol.
    expectOk(await bob.emit('call:swap', { callId: second }));
    expect(await alice.next('call:held', (p) => p.held)).toEqual({ callId: first, username: 'bob', held: true });
    expect(await carol.next('call:held', (p) => !p.held)).toEqual({ callId: second, username: 'bob', held: false });
    expectOk(await bob.emit('call:swap', { callId: first }));
    await alice.next('call:held', (p) => !p.held);

    // Alice's call (the one going on) ends: carol's is bob's again, still held, and comes off hold.
    expectOk(await alice.emit('call:hangup', { callId: first }));
    await bob.next('call:ended', (p) => p.callId === first);
    await settle(bob, carol);
    expect(await bob.emit('call:invite', { to: 'dave', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    expectOk(await bob.emit('call:hold', { callId: second, held: false }));
    expect(await carol.next('call:held', (p) => !p.held && p.callId === second)).toEqual({ callId: second, username: 'bob', held: false });
    expect(await bob.emit('call:swap', { callId: second })).toMatchObject({ ok: false, code: 'bad_request' });
  });

  it('the held side hangs up: the answered call goes on, and bob is in no call once it ends', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const { held: first, answered: second } = await bobHoldsAliceForCarol(alice, bob, carol);

    expectOk(await alice.emit('call:hangup', { callId: first }));
    expect(await bob.next('call:ended', (p) => p.callId === first)).toEqual({ callId: first, reason: 'hangup' });
    await expectRelay(carol, bob, second);
    expectOk(await bob.emit('call:hangup', { callId: second }));
    await carol.next('call:ended');
    await settle(bob);
    expect(expectOk(await dave.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('available');
    await establishCall(bob, dave);
  });

  it('refuses a hold that is not this device\'s answered call of two, and leaves the call as it was', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const over = await establishCall(carol, dave);
    expectOk(await dave.emit('call:hangup', { callId: over }));
    const first = await establishCall(alice, bob);
    const waiting = expectOk(await dave.emit('call:invite', { to: 'bob', media: audio })).callId;
    await bob.next('call:incoming', (p) => p.callId === waiting);

    expect(await bob.emit('call:accept', { callId: waiting, hold: over })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await bob.emit('call:accept', { callId: waiting, hold: waiting })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await bob.emitRaw('call:accept', { callId: waiting, hold: 42 })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await carol.emit('call:accept', { callId: waiting, hold: first })).toMatchObject({ ok: false, code: 'not_in_call' });
    // Still ringing and still bob's choice: the refusals held nothing.
    expect(alice.events('call:held')).toEqual([]);
    expectOk(await dave.emit('call:cancel', { callId: waiting }));
    await bob.next('call:ended', (p) => p.callId === waiting);
    // Answering a call that stopped ringing holds nothing either.
    expect(await bob.emit('call:accept', { callId: waiting, hold: first })).toMatchObject({ ok: false, code: 'not_found' });
    await settle(alice);
    expect(alice.events('call:held')).toEqual([]);
    expect(await bob.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
  });

  it('a device that loses its connection picks up both calls again', async () => {
    const server = await startTestServer({ callGraceS: 30 });
    const logins = await registerAll(server);
    const [alice, bob, carol] = await connectAll(server, logins);
    const { held: first, answered: second } = await bobHoldsAliceForCarol(alice, bob, carol);

    bob.socket.disconnect();
    await Promise.all([alice.next('call:peer-connection'), carol.next('call:peer-connection')]);
    const bob2 = await connect(server, logins.bob, { device: 'bob-device-0001' });
    expect(expectOk(await bob2.emit('call:resume', { callId: first })).state).toBe('active');
    expect(expectOk(await bob2.emit('call:resume', { callId: second })).state).toBe('active');
    await expectRelay(alice, bob2, first);
    await expectRelay(carol, bob2, second);
    // Still held for carol's call: it comes back when that one ends.
    expect(await bob2.emit('call:hold', { callId: first, held: false })).toMatchObject({ ok: false, code: 'in_call' });
    expectOk(await bob2.emit('call:hangup', { callId: second }));
    expectOk(await bob2.emit('call:hold', { callId: first, held: false }));
  });

  it('after a server restart both calls are claimed back, the held one still held aside until the other ends', async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const logins = await registerAll(first);
    const { held, answered } = await bobHoldsAliceForCarol(...(await connectAll(first, logins)));
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const [alice2, bob2, carol2] = await connectAll(second, logins);
    // The answered call first (carol, then bob), then the held one: bob is in the answered one by then.
    expect(expectOk(await carol2.emit('call:resume', { callId: answered })).state).toMatch(/^(waiting|active)$/);
    expect(expectOk(await bob2.emit('call:resume', { callId: answered })).state).toBe('active');
    expect(expectOk(await alice2.emit('call:resume', { callId: held })).state).toMatch(/^(waiting|active)$/);
    expect(expectOk(await bob2.emit('call:resume', { callId: held })).state).toBe('active');
    await expectRelay(carol2, bob2, answered);
    await expectRelay(alice2, bob2, held);
    expect(await bob2.emit('call:hold', { callId: held, held: false })).toMatchObject({ ok: false, code: 'in_call' });
    expectOk(await bob2.emit('call:hangup', { callId: answered }));
    expectOk(await bob2.emit('call:hold', { callId: held, held: false }));
    expect(await alice2.next('call:held', (p) => !p.held)).toEqual({ callId: held, username: 'bob', held: false });
    expect(await bob2.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
  });

  it('across two nodes: bob on node 2 holds his call with alice on node 1 to answer carol, and gets it back', async () => {
    const [one, two] = await twoNodes();
    const logins = await registerAll(one);
    const alice = await connect(one, logins.alice);
    const bob = await connect(two, logins.bob);
    const carol = await connect(one, logins.carol);
    const { held: first, answered: second } = await bobHoldsAliceForCarol(alice, bob, carol);
    expect(await alice.next('call:held')).toEqual({ callId: first, username: 'bob', held: true });
    await expectRelay(carol, bob, second);
    await expectRelay(alice, bob, first);
    expect(await bob.emit('call:hold', { callId: first, held: false })).toMatchObject({ ok: false, code: 'in_call' });
    expectOk(await carol.emit('call:hangup', { callId: second }));
    await bob.next('call:ended', (p) => p.callId === second);
    await settle(bob, carol);
    // The call with alice is bob's again, on every node: he cannot place another.
    expect(await bob.emit('call:invite', { to: 'carol', media: audio })).toMatchObject({ ok: false, code: 'in_call' });
    expectOk(await bob.emit('call:hold', { callId: first, held: false }));
    expect(await alice.next('call:held', (p) => !p.held)).toEqual({ callId: first, username: 'bob', held: false });
    expect(await carol.emit('call:invite', { to: 'bob', media: audio })).toMatchObject({ ok: true });
  });
});
