/**
 * Group calls across a server restart, as 1:1 calls: the stores lose the
 * call, its participants claim it back with `call:resume`, and the server
 * rebuilds it from their claims and its history (who was still in it, the
 * room's name). Two claims restore it; everyone else who was in it stands
 * in it, awaited, until their own claim puts their device back in, or the
 * grace period runs out and they leave as `failed`. No one can claim their
 * way into a call they were not in.
 */
import { describe, expect, it } from 'vitest';
import type { LoginResponse } from '../src/protocol/index.js';
import { CHILD_SERVER_TEST, startChildServer } from './cli-helpers.js';
import { connect, type Device, establishCall, expectOk, register, settle, startTestServer, tempDir, type TestServer } from './harness.js';

const device = (name: string) => `${name}-device-0001`;
let signals = 0;
/** A candidate no earlier signal of the test carried (`next` also finds signals that came before). */
const candidate = () => ({ candidate: `candidate:${++signals} 1 udp 1 10.0.0.1 9 typ host`, sdpMid: '0' });

/** `from` signals `to` by name; it arrives there stamped with `from`. */
async function expectPairRelay(callId: string, from: Device, to: Device): Promise<void> {
  const c = candidate();
  const arrived = to.next('call:signal', (p) => p.callId === callId && p.candidate?.candidate === c.candidate);
  expectOk(await from.emit('call:signal', { callId, to: to.ready.user.username, candidate: c }));
  expect(await arrived).toMatchObject({ from: from.ready.user.username });
}

/** Every ordered pair of `devices` relays. */
async function expectMesh(callId: string, devices: Device[]): Promise<void> {
  for (const from of devices) for (const to of devices) if (from !== to) await expectPairRelay(callId, from, to);
}

/** Registers `names` and connects each with its own stable device id. */
async function people(server: { url: string }, names: string[]): Promise<{ devices: Device[]; logins: LoginResponse[] }> {
  const logins: LoginResponse[] = [];
  for (const n of names) logins.push(await register(server, n));
  const devices: Device[] = [];
  for (const l of logins) devices.push(await connect(server, l, { device: device(l.user.username) }, []));
  return { devices, logins };
}

/** The same people, connected again with the same device ids (their apps after the restart). */
async function reconnect(server: TestServer, logins: LoginResponse[]): Promise<Device[]> {
  const devices: Device[] = [];
  for (const l of logins) devices.push(await connect(server, l, { device: device(l.user.username) }, []));
  return devices;
}

/** Opens room `name` with everyone in `devices`, in order. */
async function openRoom(name: string, devices: Device[], code?: string): Promise<string> {
  let callId = '';
  for (const d of devices) callId = expectOk(await d.emit('room:join', { name, ...(code && { code }) })).callId;
  return callId;
}

describe('a group call across a server restart', () => {
  it('after a crash (SIGKILL) a room of three is rebuilt from its claims: relay on every pair, mute, presence, the room by name, history', CHILD_SERVER_TEST, async () => {
    const dataDir = tempDir();
    const crashed = await startChildServer({ dataDir });
    const names = ['alice', 'bob', 'carol'];
    const { devices: before, logins } = await people(crashed, names);
    const callId = await openRoom('standup', before);
    crashed.child.kill('SIGKILL');
    await crashed.exited;

    const server = await startTestServer({ dataDir, callGraceS: 30 });
    const [alice, bob, carol] = (await reconnect(server, logins)) as [Device, Device, Device];
    // One claim is not a call: nothing is relayed yet.
    expect(expectOk(await alice.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'waiting', polite: false, iceServers: [] });
    expect(await alice.emit('call:signal', { callId, to: 'bob', candidate: null })).toMatchObject({ ok: false, code: 'not_found' });
    // The second restores it; carol, not back yet, is awaited.
    const bobBack = expectOk(await bob.emit('call:resume', { callId }));
    expect(bobBack).toEqual({ ok: true, state: 'active', polite: true, iceServers: [] });
    expect(await alice.next('call:peer-connection', (p) => p.username === 'bob')).toEqual({ callId, connected: true, username: 'bob' });
    for (const d of [alice, bob]) expect(await d.next('call:peer-connection', (p) => p.username === 'carol')).toEqual({ callId, connected: false, username: 'carol' });
    await expectMesh(callId, [alice, bob]);
    expect(await alice.emit('call:signal', { callId, to: 'dave', candidate: null })).toMatchObject({ ok: false, code: 'not_in_call' });

    // The third comes back into it, and hears that the other two are there.
    expect(expectOk(await carol.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'active', polite: true, iceServers: [] });
    for (const d of [alice, bob]) expect(await d.next('call:peer-connection', (p) => p.username === 'carol' && p.connected)).toBeTruthy();
    await settle(carol);
    expect(carol.events('call:peer-connection').map((p) => [p.username, p.connected])).toEqual([
      ['alice', true],
      ['bob', true],
    ]);
    await expectMesh(callId, [alice, bob, carol]);
    expectOk(await carol.emit('call:mute', { callId, muted: true }));
    for (const d of [alice, bob]) expect(await d.next('call:muted')).toEqual({ callId, username: 'carol', muted: true });

    // Everyone is busy again, and the room is open under its name: a fourth joins the same call.
    const [dave] = (await people(server, ['dave'])).devices as [Device];
    expect(expectOk(await dave.emit('directory:list', {})).users.filter((u) => u.status === 'busy').map((u) => u.username).sort()).toEqual(names);
    const daveJoin = expectOk(await dave.emit('room:join', { name: 'standup' }));
    expect(daveJoin).toMatchObject({ callId, room: 'standup' });
    expect(daveJoin.participants.map((p) => p.username)).toEqual(names);
    for (const d of [alice, bob, carol]) await d.next('room:joined', (p) => p.user.username === 'dave');
    await expectPairRelay(callId, alice, dave);

    // The last one out ends it; history has one row, with everyone.
    for (const d of [alice, bob, carol, dave]) expectOk(await d.emit('call:hangup', { callId }));
    const entries = expectOk(await bob.emit('history:list', {})).calls.filter((c) => c.callId === callId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ room: 'standup', outcome: 'hangup' });
    expect(entries[0]?.participants?.map((p) => p.username).sort()).toEqual(['alice', 'carol', 'dave']);
  });

  it('all claims at once, in several rooms: each call is rebuilt with every participant in it', async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const rooms = ['one', 'two', 'three'];
    const groups = await Promise.all(rooms.map((r) => people(first, [`${r}a`, `${r}b`, `${r}c`, `${r}d`])));
    const callIds: string[] = [];
    for (const [i, g] of groups.entries()) callIds.push(await openRoom(rooms[i] ?? '', g.devices));
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const back = await Promise.all(groups.map((g) => reconnect(second, g.logins)));
    const replies = await Promise.all(back.map((devices, i) => Promise.all(devices.map((d) => d.emit('call:resume', { callId: callIds[i] ?? '' })))));
    for (const [i, devices] of back.entries()) {
      const callId = callIds[i] ?? '';
      await settle(...devices);
      for (const [j, d] of devices.entries()) {
        const state = expectOk(replies[i]?.[j] ?? { ok: false, code: 'internal', message: 'no reply' }).state;
        expect(state).toMatch(/^(active|waiting)$/);
        // What the device was told last of each other participant says they are back (a `waiting` device was told of each).
        for (const other of devices) {
          const u = other.ready.user.username;
          if (other === d) continue;
          const last = d.events('call:peer-connection').filter((p) => p.callId === callId && p.username === u).at(-1);
          expect(state === 'waiting' ? last?.connected : (last?.connected ?? true), `${d.ready.user.username} about ${u}`).toBe(true);
        }
      }
      await expectMesh(callId, devices);
    }
  });

  it('someone who does not come back leaves as `failed` after the grace period; the others go on', async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const { devices: before, logins } = await people(first, ['alice', 'bob', 'carol']);
    // A call placed with call:invite that became a group (Add person).
    const [a0, b0, c0] = before as [Device, Device, Device];
    const callId = await establishCall(a0, b0);
    expectOk(await a0.emit('call:add', { callId, to: 'carol' }));
    await c0.next('call:incoming');
    expectOk(await c0.emit('call:accept', { callId }));
    await first.close();

    // The grace period also bounds how long bob's claim waits for alice's: 3 s, as 1 s was once too short between
    // the two claims on PostgreSQL beside the browser tests in CI.
    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 3 });
    const [alice, bob] = (await reconnect(second, logins.slice(0, 2))) as [Device, Device];
    expect(expectOk(await bob.emit('call:resume', { callId })).state).toBe('waiting');
    expect(expectOk(await alice.emit('call:resume', { callId })).state).toBe('active');
    for (const d of [alice, bob]) expect(await d.next('room:left', undefined, 10_000)).toEqual({ callId, username: 'carol', reason: 'failed', cause: 'signaling-lost' });
    await expectMesh(callId, [alice, bob]);
    // Too late: the call went on without carol, as for any device that did not come back in time.
    const [carol] = (await reconnect(second, logins.slice(2))) as [Device];
    expect(await carol.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await alice.emit('call:hangup', { callId }));
    expect(await bob.next('call:ended')).toEqual({ callId, reason: 'hangup' });
  });

  it('a hang-up sent once the server is back takes only that person out; a room left with one is theirs on their claim alone', async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const { devices: before, logins } = await people(first, ['alice', 'bob', 'carol']);
    const callId = await openRoom('night', before);
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const [alice, bob, carol] = (await reconnect(second, logins)) as [Device, Device, Device];
    // bob claimed it, then hung up: his app sends it now; the call goes on, and his claim counts for nothing.
    expect(expectOk(await bob.emit('call:resume', { callId })).state).toBe('waiting');
    expectOk(await bob.emit('call:hangup', { callId }));
    expect(expectOk(await alice.emit('call:resume', { callId })).state).toBe('waiting');
    expect(alice.events('call:ended')).toEqual([]);
    expect(expectOk(await carol.emit('call:resume', { callId })).state).toBe('active');
    // Both hear that bob left, since neither could have.
    for (const d of [alice, carol]) expect(await d.next('room:left')).toEqual({ callId, username: 'bob', reason: 'hangup' });
    await expectMesh(callId, [alice, carol]);
    expect(await bob.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    await second.close();

    // Again, and this time carol leaves before alice is back: alice is alone in the room, and has it.
    const third = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const [alice3, carol3] = (await reconnect(third, [logins[0], logins[2]] as LoginResponse[])) as [Device, Device];
    expectOk(await carol3.emit('call:hangup', { callId }));
    expect(expectOk(await alice3.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'active', polite: false, iceServers: [] });
    expect(await alice3.next('room:left')).toEqual({ callId, username: 'carol', reason: 'hangup' });
    expectOk(await alice3.emit('call:mute', { callId, muted: false }));
    expectOk(await alice3.emit('call:hangup', { callId }));
    const [entry] = expectOk(await alice3.emit('history:list', {})).calls;
    expect(entry).toMatchObject({ callId, room: 'night', outcome: 'hangup' });
  });

  it('a window reloaded meanwhile (fresh) is not one of the claims that restore a room, but comes back into it as a newcomer', async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const { devices: before, logins } = await people(first, ['alice', 'bob', 'carol']);
    const callId = await openRoom('retro', before);
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const [alice, bob, carol] = (await reconnect(second, logins)) as [Device, Device, Device];
    // carol's window reloaded: without peer connections she vouches for nothing.
    expect(expectOk(await carol.emit('call:resume', { callId, fresh: true })).state).toBe('waiting');
    expect(expectOk(await alice.emit('call:resume', { callId })).state).toBe('waiting');
    expect(expectOk(await bob.emit('call:resume', { callId })).state).toBe('active');
    // Restored: now she comes back as a newcomer, polite toward both, who make new connections to her.
    expect(expectOk(await carol.emit('call:resume', { callId, fresh: true }))).toEqual({
      ok: true,
      state: 'active',
      polite: true,
      iceServers: [],
      participants: [
        { username: 'alice', displayName: 'Alice' },
        { username: 'bob', displayName: 'Bob' },
      ],
    });
    for (const d of [alice, bob]) expect(await d.next('call:peer-connection', (p) => p.username === 'carol' && p.connected)).toEqual({ callId, connected: true, username: 'carol', fresh: true });
    await expectMesh(callId, [alice, bob, carol]);
  });

  it("an unkept room comes back with its join code, as its owner last set it, and its owner", async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const { devices: before, logins } = await people(first, ['alice', 'bob', 'carol']);
    const [a0, b0] = before as [Device, Device, Device];
    const callId = await openRoom('secret', [a0, b0], 'first-code-1');
    expectOk(await a0.emit('room:code', { callId, code: 'second-code-2' }));
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const [alice, bob, carol] = (await reconnect(second, logins)) as [Device, Device, Device];
    expectOk(await alice.emit('call:resume', { callId }));
    expectOk(await bob.emit('call:resume', { callId }));
    expect(await carol.emit('room:join', { name: 'secret' })).toMatchObject({ ok: false, code: 'wrong_code' });
    expect(await carol.emit('room:join', { name: 'secret', code: 'first-code-1' })).toMatchObject({ ok: false, code: 'wrong_code' });
    expect(expectOk(await carol.emit('room:join', { name: 'secret', code: 'second-code-2' })).callId).toBe(callId);
    // Whoever opened it still owns it.
    expect(await bob.emit('room:code', { callId, code: null })).toMatchObject({ ok: false, code: 'not_owner' });
    expectOk(await alice.emit('room:code', { callId, code: null }));
  });

  it('no one claims their way into a group call: not someone never in it, not someone who left it, not a second device', async () => {
    const first = await startTestServer({ callGraceS: 30 });
    const { devices: before, logins } = await people(first, ['alice', 'bob', 'carol', 'dave']);
    const [a0, b0, c0, d0] = before as [Device, Device, Device, Device];
    const callId = await openRoom('board', [a0, b0, c0, d0]);
    expectOk(await d0.emit('call:hangup', { callId }));
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, callGraceS: 30 });
    const [erin] = (await people(second, ['erin'])).devices as [Device];
    expect(await erin.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_found' });
    const [alice, bob, , dave] = (await reconnect(second, logins)) as [Device, Device, Device, Device];
    expect(expectOk(await dave.emit('call:resume', { callId }))).toEqual({ ok: true, state: 'ended', reason: 'failed' });
    // dave left before the restart: his claim does not count toward the two.
    expect(expectOk(await alice.emit('call:resume', { callId })).state).toBe('waiting');
    expect(expectOk(await bob.emit('call:resume', { callId })).state).toBe('active');
    const aliceAgain = await connect(second, logins[0] as LoginResponse, { device: 'alice-phone-0001' }, []);
    expect(await aliceAgain.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
    expect(await dave.emit('call:resume', { callId })).toMatchObject({ ok: false, code: 'not_in_call' });
  });
});
