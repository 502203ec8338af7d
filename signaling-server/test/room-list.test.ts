/**
 * Rooms people can find: `room:list` names the rooms open now, with who is
 * in each, and the rooms an admin keeps; every signed-in device hears each
 * change (`room:listing`), once, on whichever node it is connected.
 */
import { describe, expect, it } from 'vitest';
import { PersistentRooms } from '../src/calls/persistent-rooms.js';
import type { RoomListing } from '../src/protocol/index.js';
import { connect, expectOk, register, settle, startTestServer, team, twoNodes, type Device } from './harness.js';

const alice = { username: 'alice', displayName: 'Alice' };
const carol = { username: 'carol', displayName: 'Carol' };

/** The next change of room `name` that `device` hears. */
const listing = (device: Device, name: string, match: (l: RoomListing) => boolean = () => true) =>
  device.next('room:listing', (l) => l.name === name && match(l));

describe('the team’s list of rooms', () => {
  it('lists open rooms with who is in them and kept rooms, and tells every device when a room opens, fills, empties and closes', async () => {
    const server = await startTestServer();
    const team3 = await team(server, 'alice', 'bob', 'carol');
    await new PersistentRooms(server.db).create({ name: 'board', owner: 'carol', code: 'board-code-1' });

    expect(expectOk(await team3.bob.emit('room:list', {})).rooms).toEqual([{ name: 'board', participants: [], hasCode: true, kept: true }]);

    const opened = listing(team3.bob, 'standup');
    const { callId } = expectOk(await team3.alice.emit('room:join', { name: 'standup' }));
    expect((await opened).room).toEqual({ name: 'standup', participants: [alice], hasCode: false, kept: false });

    const filled = listing(team3.bob, 'standup', (l) => l.room?.participants.length === 2);
    expectOk(await team3.carol.emit('room:join', { name: 'standup' }));
    expect((await filled).room?.participants).toEqual([alice, carol]);
    // Everyone signed in hears it, those inside too.
    await listing(team3.alice, 'standup', (l) => l.room?.participants.length === 2);

    // Open rooms first, then kept ones nobody is in; the reply's stamp is past every change told so far.
    const listed = expectOk(await team3.bob.emit('room:list', {}));
    expect(listed.rooms.map((r) => [r.name, r.participants.map((p) => p.username)])).toEqual([
      ['standup', ['alice', 'carol']],
      ['board', []],
    ]);
    expect(listed.stamp).toBeGreaterThan(Math.max(...team3.bob.events('room:listing').map((l) => l.stamp)));

    const emptied = listing(team3.bob, 'standup', (l) => l.room?.participants.length === 1);
    expectOk(await team3.carol.emit('call:hangup', { callId }));
    expect((await emptied).room?.participants).toEqual([alice]);

    const closed = listing(team3.bob, 'standup', (l) => l.room === null);
    expectOk(await team3.alice.emit('call:hangup', { callId }));
    await closed;
    expect(expectOk(await team3.bob.emit('room:list', {})).rooms.map((r) => r.name)).toEqual(['board']);

    // Each change is newer news than the one before it.
    const stamps = team3.bob.events('room:listing').map((l) => l.stamp);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
    expect(new Set(stamps).size).toBe(stamps.length);
  });

  it('shows whether a room needs its code, the kept room’s own code, and a code its owner sets or removes', async () => {
    const server = await startTestServer();
    const { alice: a, bob } = await team(server, 'alice', 'bob');
    await new PersistentRooms(server.db).create({ name: 'board', owner: 'alice', code: null });

    const secret = listing(bob, 'secret');
    const { callId } = expectOk(await a.emit('room:join', { name: 'secret', code: 'sesame-4242' }));
    // A code guards the way in, not who is inside: the list names them.
    expect((await secret).room).toEqual({ name: 'secret', participants: [alice], hasCode: true, kept: false });
    const unlocked = listing(bob, 'secret', (l) => l.room?.hasCode === false);
    expectOk(await a.emit('room:code', { callId, code: null }));
    await unlocked;
    expectOk(await a.emit('call:hangup', { callId }));

    // A kept room stays listed when it closes: as it was before it opened.
    const board = expectOk(await a.emit('room:join', { name: 'board' })).callId;
    await listing(bob, 'board', (l) => l.room?.participants.length === 1);
    const locked = listing(bob, 'board', (l) => l.room?.hasCode === true);
    expectOk(await a.emit('room:code', { callId: board, code: 'board-code-2' }));
    expect((await locked).room).toEqual({ name: 'board', participants: [alice], hasCode: true, kept: true });
    const idle = listing(bob, 'board', (l) => l.room?.participants.length === 0);
    expectOk(await a.emit('call:hangup', { callId: board }));
    expect((await idle).room).toEqual({ name: 'board', participants: [], hasCode: true, kept: true });
  });

  it('with two nodes on Redis, a room opened on one is listed on the other, and each change reaches each device once', async () => {
    const [one, two] = await twoNodes();
    const [aliceLogin, bobLogin, carolLogin] = [await register(one, 'alice'), await register(one, 'bob'), await register(one, 'carol')];
    const a = await connect(one, aliceLogin, {}, []);
    const bob = await connect(two, bobLogin, {}, []);
    const c = await connect(two, carolLogin, {}, []);

    const { callId } = expectOk(await a.emit('room:join', { name: 'standup' }));
    expect((await listing(bob, 'standup')).room?.participants).toEqual([alice]);
    expect(expectOk(await bob.emit('room:list', {})).rooms).toEqual([{ name: 'standup', participants: [alice], hasCode: false, kept: false }]);

    expectOk(await c.emit('room:join', { name: 'standup' }));
    const full = await listing(bob, 'standup', (l) => l.room?.participants.length === 2);
    // After the room filled (next() also reads what came before: the opening listing has one person too).
    const left = listing(bob, 'standup', (l) => l.stamp > full.stamp && l.room?.participants.length === 1);
    expectOk(await c.emit('call:hangup', { callId }));
    await left;
    expectOk(await a.emit('call:hangup', { callId }));
    // Opened, carol in, carol out, closed: four changes, each told once (not once per node). Two nodes may
    // tell them out of order (carol's leave, told by node two through Redis, can reach alice after her own
    // close told by node one): in stamp order, as an app keeps them.
    const told = (d: Device) => d.events('room:listing').toSorted((x, y) => x.stamp - y.stamp).map((l) => l.room?.participants.length ?? null);
    for (const d of [a, bob]) await expect.poll(() => told(d)).toEqual([1, 2, 1, null]);
    await settle(a, bob);
    for (const d of [a, bob]) expect(told(d)).toEqual([1, 2, 1, null]);
  });
});
