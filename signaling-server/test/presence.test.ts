import { describe, expect, it } from 'vitest';
import { connect, establishCall, expectOk, register, settle, startTestServer, team } from './harness.js';

describe('presence', () => {
  it('session:ready holds a snapshot of everyone online, then deltas follow', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    const bobLogin = await register(server, 'bob');
    const bob = await connect(server, bobLogin, { status: 'away' });
    expect(bob.ready.user).toEqual({ username: 'bob', displayName: 'Bob' });
    expect(bob.ready.status).toBe('away');
    expect(bob.ready.presence).toEqual(
      expect.arrayContaining([
        { username: 'alice', status: 'available' },
        { username: 'bob', status: 'away' },
      ]),
    );
    expect(await alice.next('presence:changed', (p) => p.username === 'bob')).toEqual({
      username: 'bob',
      displayName: 'Bob',
      status: 'away',
    });
  });

  it('available, away and dnd are set by the user and reach everyone', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    for (const status of ['away', 'dnd', 'available'] as const) {
      expect(expectOk(await bob.emit('presence:set', { status })).status).toBe(status);
      await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === status);
    }
  });

  it('a user is busy while in an answered call, and available again after', async () => {
    const server = await startTestServer();
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const callId = await establishCall(alice, bob);
    await carol.next('presence:changed', (p) => p.username === 'alice' && p.status === 'busy');
    await carol.next('presence:changed', (p) => p.username === 'bob' && p.status === 'busy');
    const list = expectOk(await carol.emit('directory:list', {}));
    expect(list.users.find((u) => u.username === 'bob')?.status).toBe('busy');
    expectOk(await alice.emit('call:hangup', { callId }));
    await carol.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');
  });

  it('is offline when no device is connected', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    bob.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'offline');
    const list = expectOk(await alice.emit('directory:list', {}));
    expect(list.users).toEqual([{ username: 'bob', displayName: 'Bob', status: 'offline' }]);
  });

  it("a user's status is the best over their devices", async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'dnd');
    const bob2 = await connect(server, logins.bob, { status: 'away' });
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'away');
    expectOk(await bob2.emit('presence:set', { status: 'available' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');
    bob2.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'dnd');
  });

  it('sends only changes: a status set twice, or a second device with the same status, is not re-announced', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    await settle(alice);
    const before = alice.events('presence:changed').length;
    expectOk(await bob.emit('presence:set', { status: 'available' }));
    await connect(server, logins.bob);
    await settle(alice);
    expect(alice.events('presence:changed').length).toBe(before);
  });

  it('a change costs one message per connected device, not a user list', async () => {
    const server = await startTestServer();
    const names = ['u1', 'u2', 'u3', 'u4', 'u5'];
    const devices = Object.values(await team(server, ...names)).filter((d) => 'socket' in d) as Awaited<ReturnType<typeof connect>>[];
    await settle(...devices);
    const counts = devices.map((d) => d.received.length);
    expectOk(await devices[0]!.emit('presence:set', { status: 'away' }));
    await settle(...devices);
    devices.forEach((d, i) => {
      // One presence:changed plus the acknowledgements of settle(), which are not events.
      expect(d.received.length - counts[i]!).toBe(1);
      expect(d.received.at(-1)).toEqual({ event: 'presence:changed', payload: { username: 'u1', displayName: 'U1', status: 'away' } });
    });
  });

  it('directory:list searches by username or display name, excludes the caller, and honours the limit', async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    await register(server, 'bob', 'Robert Smith');
    await register(server, 'carol', 'Carol Bobbins');
    await register(server, 'dave', 'Dave 100%_done');
    const all = expectOk(await alice.emit('directory:list', {}));
    expect(all.users.map((u) => u.username)).toEqual(['carol', 'dave', 'bob']);
    const bob = expectOk(await alice.emit('directory:list', { query: 'BOB' }));
    expect(bob.users.map((u) => u.username).sort()).toEqual(['bob', 'carol']);
    const smith = expectOk(await alice.emit('directory:list', { query: 'smith' }));
    expect(smith.users.map((u) => u.username)).toEqual(['bob']);
    // LIKE wildcards in the query are literal.
    const pct = expectOk(await alice.emit('directory:list', { query: '%_' }));
    expect(pct.users.map((u) => u.username)).toEqual(['dave']);
    const one = expectOk(await alice.emit('directory:list', { limit: 1 }));
    expect(one.users).toHaveLength(1);
  });
});
