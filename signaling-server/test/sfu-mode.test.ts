/**
 * When a call moves to the SFU (PROTOCOL.md, "Meetings on the SFU"): at
 * PARLEY_SFU_FROM participants, told to each with room:mode, for the rest of
 * the call. The mode is call state, so this needs no Janus (sfu.test.ts
 * runs the media through a real one); two nodes share it through Redis.
 */
import { describe, expect, it } from 'vitest';
import { serverSchemas, type LoginResponse } from '../src/protocol/index.js';
import { missingTool } from './coturn.js';
import { connect, expectOk, register, settle, startTestServer, team, twoNodes, type Device } from './harness.js';

// Never dialled: the mode is the server's to decide, Janus only carries the media.
const sfu = { janusUrls: ['ws://127.0.0.1:9'], adminKey: 'not-a-real-admin-key' };
const modes = (d: Device) => d.received.filter((r) => r.event === 'room:mode').map((r) => r.payload);

describe('room:mode', () => {
  it('a room reaching PARLEY_SFU_FROM people moves to the SFU: everyone is told, newcomers and devices coming back too, and it stays there', async () => {
    const server = await startTestServer({ sfu, sfuFrom: 3 });
    const { alice, bob, dave, logins } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const carol = await connect(server, logins.carol, { device: 'carol-laptop' });
    const callId = expectOk(await alice.emit('room:join', { name: 'standup' })).callId;
    expectOk(await bob.emit('room:join', { name: 'standup' }));
    await alice.next('room:joined');
    // Two people: a mesh, and nobody is told anything.
    expect([...modes(alice), ...modes(bob)]).toEqual([]);

    const told = [alice, bob].map((d) => d.next('room:mode', (p) => p.callId === callId));
    expectOk(await carol.emit('room:join', { name: 'standup' }));
    // The newcomer hears it before the answer to its join (it keeps it for the call it is joining).
    expect(modes(carol)).toEqual([{ callId, mode: 'sfu' }]);
    expect(await Promise.all(told)).toEqual([{ callId, mode: 'sfu' }, { callId, mode: 'sfu' }]);
    // Before the news of carol: nobody makes a mesh connection to her.
    await alice.next('room:joined', (p) => p.user.username === 'carol');
    const order = alice.received.map((r) => r.event).filter((e) => e === 'room:mode' || e === 'room:joined');
    expect(order).toEqual(['room:joined', 'room:mode', 'room:joined']);

    // Carol's connection drops and comes back: her SFU connections are gone (sfu:closed), the call is still on the SFU.
    carol.socket.disconnect();
    await alice.next('call:peer-connection', (p) => !p.connected);
    const back = await connect(server, logins.carol, { device: 'carol-laptop' });
    expectOk(await back.emit('call:resume', { callId }));
    expect(back.received.filter((r) => r.event === 'sfu:closed' || r.event === 'room:mode')).toEqual([
      { event: 'sfu:closed', payload: { callId } },
      { event: 'room:mode', payload: { callId, mode: 'sfu' } },
    ]);

    // Down to one person and up again: still the SFU (a call never moves back and forth).
    expectOk(await back.emit('call:hangup', { callId }));
    expectOk(await bob.emit('call:hangup', { callId }));
    expectOk(await dave.emit('room:join', { name: 'standup' }));
    expect(modes(dave)).toEqual([{ callId, mode: 'sfu' }]);

    for (const d of [alice, bob, carol, back, dave]) {
      for (const { event, payload } of d.received) expect(serverSchemas[event].safeParse(payload).data, event).toEqual(payload);
    }
  });

  it('a call on the SFU comes back there after a restart: each device hears it before anyone is back, and newcomers too', async () => {
    const first = await startTestServer({ sfu, sfuFrom: 3, callGraceS: 30 });
    const names = ['alice', 'bob', 'carol'] as const;
    const logins: LoginResponse[] = [];
    for (const n of names) logins.push(await register(first, n));
    const desk = (l: LoginResponse) => ({ device: `${l.user.username}-desk` });
    let callId = '';
    for (const l of logins) callId = expectOk(await (await connect(first, l, desk(l))).emit('room:join', { name: 'standup' })).callId;
    await first.close();

    const second = await startTestServer({ dataDir: first.dataDir, sfu, sfuFrom: 3, callGraceS: 30 });
    const back: Device[] = [];
    for (const l of logins) back.push(await connect(second, l, desk(l), []));
    for (const d of back) expect(expectOk(await d.emit('call:resume', { callId })).state).toMatch(/^(active|waiting)$/);
    await settle(...back);
    for (const d of back) {
      const told = d.received.map((r) => r.event).filter((e) => e === 'sfu:closed' || e === 'room:mode' || e === 'call:peer-connection');
      // Publish again, on the SFU, before the news of anyone it could otherwise connect to by mesh.
      expect(told.slice(0, 2), d.ready.user.username).toEqual(['sfu:closed', 'room:mode']);
      expect(told.slice(2).every((e) => e === 'call:peer-connection'), d.ready.user.username).toBe(true);
      expect(modes(d), d.ready.user.username).toEqual([{ callId, mode: 'sfu' }]);
    }
    const dave = await connect(second, await register(second, 'dave'));
    expectOk(await dave.emit('room:join', { name: 'standup' }));
    expect(modes(dave)).toEqual([{ callId, mode: 'sfu' }]);
  });

  it('Add person counts too; past the mesh limit a call holds more people on the SFU', async () => {
    const server = await startTestServer({ sfu, sfuFrom: 7, meshLimit: 3 });
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const callId = expectOk(await alice.emit('room:join', { name: 'standup' })).callId;
    expectOk(await bob.emit('room:join', { name: 'standup' }));
    expectOk(await alice.emit('call:add', { callId, to: 'carol' }));
    await carol.next('call:incoming');
    const told = alice.next('room:mode', (p) => p.callId === callId);
    // The fourth would be refused on a mesh of three: here the call moves to the SFU at four instead.
    expectOk(await carol.emit('call:accept', { callId }));
    expect(modes(carol)).toEqual([]);
    expectOk(await dave.emit('room:join', { name: 'standup' }));
    expect(await told).toEqual({ callId, mode: 'sfu' });
    expect(modes(dave)).toEqual([{ callId, mode: 'sfu' }]);
  });

  it('without an SFU nothing changes: the mesh limit refuses the next one', async () => {
    const server = await startTestServer({ sfuFrom: 2, meshLimit: 3 });
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    for (const d of [alice, bob, carol]) expectOk(await d.emit('room:join', { name: 'standup' }));
    expect(await dave.emit('room:join', { name: 'standup' })).toMatchObject({ ok: false, code: 'room_full' });
    expect([alice, bob, carol].flatMap(modes)).toEqual([]);
  });

  it.skipIf(missingTool('redis-server', 'redis-server', 'sfu-mode.test.ts'))('two nodes: the mode is the shared call\'s, so devices on either node are told', async () => {
    const [one, two] = await twoNodes({ sfu, sfuFrom: 3 });
    const { alice, carol } = await team(one, 'alice', 'carol');
    const bob = await connect(two, await register(two, 'bob'));
    const callId = expectOk(await alice.emit('room:join', { name: 'standup' })).callId;
    expectOk(await bob.emit('room:join', { name: 'standup' }));
    const told = [alice, bob].map((d) => d.next('room:mode', (p) => p.callId === callId));
    expectOk(await carol.emit('room:join', { name: 'standup' }));
    expect(await Promise.all(told)).toEqual([{ callId, mode: 'sfu' }, { callId, mode: 'sfu' }]);
  });
});
