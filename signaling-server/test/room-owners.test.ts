/**
 * Room names cannot be squatted: an admin keeps a room (`parley-server room
 * add`) with an owner and a join code that outlive its calls; only its owner
 * (from the app, room:code) or an admin (the CLI) changes the code. An unkept
 * room's code is its opener's to change, while it is open.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './cli-helpers.js';
import { expectOk, startTestServer, team } from './harness.js';

const SLOW = 60_000;

describe('room owners and kept rooms', () => {
  it('an admin keeps "standup" for carol with a code: nobody opens it with a code of their own, only carol changes it, and it outlives its calls', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const added = await runCli(['room', 'add', 'standup', '--owner', 'carol', '--code'], { dataDir: server.dataDir, stdin: 'daily-1234\n' });
    expect(added).toMatchObject({ code: 0, stdout: 'kept room standup, owned by carol, with a join code\n' });
    expect((await runCli(['room', 'list'], { dataDir: server.dataDir })).stdout).toBe('standup\tcarol\tcode\n');

    // The squatter's way in is closed: opening it needs its code, not one of your own.
    expect(await alice.emit('room:join', { name: 'standup', code: 'alices-own-code' })).toMatchObject({ ok: false, code: 'wrong_code' });
    expect(await alice.emit('room:join', { name: 'standup' })).toMatchObject({ ok: false, code: 'wrong_code' });
    const { callId } = expectOk(await alice.emit('room:join', { name: 'standup', code: 'daily-1234' }));
    // Alice opened it, but carol owns it: alice may not change the code.
    expect(await alice.emit('room:code', { callId, code: 'alice-takes-it' })).toMatchObject({
      ok: false,
      code: 'not_owner',
      message: 'Only carol can change the join code of room "standup"',
    });
    expectOk(await carol.emit('room:join', { name: 'standup', code: 'daily-1234' }));
    expectOk(await carol.emit('room:code', { callId, code: 'weekly-5678' }));
    expect(await bob.emit('room:join', { name: 'standup', code: 'daily-1234' })).toMatchObject({ ok: false, code: 'wrong_code' });
    expectOk(await bob.emit('room:join', { name: 'standup', code: 'weekly-5678' }));
    for (const d of [alice, bob, carol]) await d.emit('call:hangup', { callId });

    // Closed and opened again: still carol's code.
    expect(await bob.emit('room:join', { name: 'standup', code: 'bobs-new-code' })).toMatchObject({ ok: false, code: 'wrong_code' });
    const again = expectOk(await bob.emit('room:join', { name: 'standup', code: 'weekly-5678' })).callId;
    expectOk(await bob.emit('call:hangup', { callId: again }));

    // An admin may always: a new code from the CLI, then none, then the room is let go.
    expect((await runCli(['room', 'code', 'standup'], { dataDir: server.dataDir, stdin: 'monthly-9999\n' })).code).toBe(0);
    expect(await bob.emit('room:join', { name: 'standup', code: 'weekly-5678' })).toMatchObject({ ok: false, code: 'wrong_code' });
    const monthly = expectOk(await bob.emit('room:join', { name: 'standup', code: 'monthly-9999' })).callId;
    expectOk(await bob.emit('call:hangup', { callId: monthly }));
    expect((await runCli(['room', 'code', 'standup', '--no-code'], { dataDir: server.dataDir })).code).toBe(0);
    const open = expectOk(await bob.emit('room:join', { name: 'standup' })).callId;
    expectOk(await bob.emit('call:hangup', { callId: open }));
    expect((await runCli(['room', 'remove', 'standup'], { dataDir: server.dataDir })).stdout).toBe('room standup is no longer kept: its name is free\n');
    expect((await runCli(['room', 'list'], { dataDir: server.dataDir })).stdout).toMatch(/^no kept rooms/);
  }, SLOW);

  it('an unkept room: its opener may change or remove the code while it is open, the others may not; not from outside it', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const { callId } = expectOk(await alice.emit('room:join', { name: 'board', code: 'sesame-4242' }));
    expect(await carol.emit('room:code', { callId, code: 'carols-code-1' })).toMatchObject({ ok: false, code: 'not_in_call' });
    expectOk(await bob.emit('room:join', { name: 'board', code: 'sesame-4242' }));
    expect(await bob.emit('room:code', { callId, code: null })).toMatchObject({ ok: false, code: 'not_owner', message: 'Only alice can change the join code of room "board"' });
    expectOk(await alice.emit('room:code', { callId, code: 'new-code-777' }));
    expect(await carol.emit('room:join', { name: 'board', code: 'sesame-4242' })).toMatchObject({ ok: false, code: 'wrong_code' });
    expectOk(await alice.emit('room:code', { callId, code: null }));
    expectOk(await carol.emit('room:join', { name: 'board' }));
  });

  it('each device coming into a room is told who owns it and whether it may change the code: by room:join, and by call:accept when rung in', async () => {
    const server = await startTestServer();
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const ref = (username: string) => ({ username, displayName: username[0]!.toUpperCase() + username.slice(1) });

    // Unkept: its opener owns it, and whether it has a code follows what they set.
    const board = expectOk(await alice.emit('room:join', { name: 'board' }));
    expect(board.ownership).toEqual({ owner: ref('alice'), canChangeCode: true, hasCode: false });
    expectOk(await alice.emit('room:code', { callId: board.callId, code: 'sesame-4242' }));
    expect(expectOk(await bob.emit('room:join', { name: 'board', code: 'sesame-4242' })).ownership).toEqual({
      owner: ref('alice'),
      canChangeCode: false,
      hasCode: true,
    });
    for (const d of [alice, bob]) expectOk(await d.emit('call:hangup', { callId: board.callId }));

    // Kept for carol: the opener is not its owner; carol, rung in by Add person, is told she is.
    expect((await runCli(['room', 'add', 'standup', '--owner', 'carol'], { dataDir: server.dataDir })).code).toBe(0);
    const standup = expectOk(await dave.emit('room:join', { name: 'standup' }));
    expect(standup.ownership).toEqual({ owner: ref('carol'), canChangeCode: false, hasCode: false });
    expectOk(await dave.emit('call:add', { callId: standup.callId, to: 'carol' }));
    await carol.next('call:incoming');
    expect(expectOk(await carol.emit('call:accept', { callId: standup.callId })).ownership).toEqual({ owner: ref('carol'), canChangeCode: true, hasCode: false });
  }, SLOW);

  it('the CLI refuses a room for nobody, a taken name and a short code, with usage errors', async () => {
    const server = await startTestServer();
    await team(server, 'carol');
    const refused = async (args: string[], stderr: string, stdin?: string) => {
      const res = await runCli(['room', ...args], { dataDir: server.dataDir, ...(stdin !== undefined && { stdin }) });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(stderr);
    };
    await refused(['add', 'standup', '--owner', 'nobody'], 'there is no user "nobody"');
    await refused(['add', 'standup'], '--owner USERNAME');
    await refused(['add', 'standup', '--owner', 'carol', '--code'], 'join code: must be at least 8 characters', 'short\n');
    expect((await runCli(['room', 'add', 'standup', '--owner', 'carol'], { dataDir: server.dataDir })).code).toBe(0);
    await refused(['add', 'standup', '--owner', 'carol'], 'There is a room "standup" already');
    expect((await runCli(['room', 'code', 'nowhere'], { dataDir: server.dataDir, stdin: 'whatever-123\n' })).code).toBe(1);
  }, SLOW);
});
