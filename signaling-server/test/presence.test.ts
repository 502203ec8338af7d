import { describe, expect, it } from 'vitest';
import type { SettableStatus, Status } from '../src/protocol/index.js';
import { connect, establishCall, expectOk, register, settle, startTestServer, team, twoNodes, type Device, type TestServer } from './harness.js';

describe('presence', () => {
  it("session:ready holds the user's own status, then deltas follow for the users watched", async () => {
    const server = await startTestServer();
    const { alice } = await team(server, 'alice');
    const bobLogin = await register(server, 'bob');
    expectOk(await alice.emit('presence:watch', { usernames: ['bob'] }));
    const bob = await connect(server, bobLogin, { status: 'away' });
    expect(bob.ready.user).toEqual({ username: 'bob', displayName: 'Bob' });
    expect(bob.ready.status).toBe('away');
    expect(bob.ready.presence).toEqual([{ username: 'bob', status: 'away' }]);
    expect(await alice.next('presence:changed', (p) => p.username === 'bob')).toEqual({
      username: 'bob',
      displayName: 'Bob',
      status: 'away',
    });
  });

  it('available, away and dnd are set by the user and reach the watchers', async () => {
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

  it('ending a call to answer a waiting one (end and answer) makes the user busy again for every watcher', async () => {
    // Every change at once, so the moment between the two calls is seen and what follows it can be told apart.
    const server = await startTestServer({ presenceWindowMs: 0 });
    const { alice, bob, carol, dave } = await team(server, 'alice', 'bob', 'carol', 'dave');
    const first = await establishCall(alice, bob);
    const waiting = expectOk(await carol.emit('call:invite', { to: 'bob', media: { audio: true, video: false } })).callId;
    await bob.next('call:incoming', (p) => p.callId === waiting);
    expectOk(await bob.emit('call:hangup', { callId: first }));
    await dave.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');
    const mark = dave.events('presence:changed').length;
    expectOk(await bob.emit('call:accept', { callId: waiting }));
    const after = () => dave.events('presence:changed').slice(mark).filter((p) => p.username === 'bob');
    await expect.poll(() => after().at(-1)?.status, { timeout: 5000 }).toBe('busy');
    expect(expectOk(await dave.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('busy');
  });

  it('a room sets presence like a call: busy from the join, available after the leave; a reload that resumes stays busy throughout', async () => {
    const server = await startTestServer({ presenceWindowMs: 0, callGraceS: 30 });
    const bobLogin = await register(server, 'bob');
    const { alice, carol } = await team(server, 'alice', 'carol');
    const bob = await connect(server, bobLogin, { device: 'bob-desktop-0001' });
    const AUDIO = { audio: true, video: false };
    const { callId: room } = expectOk(await alice.emit('room:join', { name: 'standup', media: AUDIO }));
    await carol.next('presence:changed', (p) => p.username === 'alice' && p.status === 'busy');
    expectOk(await alice.emit('call:hangup', { callId: room }));
    await carol.next('presence:changed', (p) => p.username === 'alice' && p.status === 'available');

    const callId = await establishCall(alice, bob);
    await carol.next('presence:changed', (p) => p.username === 'bob' && p.status === 'busy');
    const mark = carol.events('presence:changed').length;
    bob.socket.disconnect();
    const again = await connect(server, bobLogin, { device: 'bob-desktop-0001' });
    expect(again.ready.status).toBe('busy');
    expectOk(await again.emit('call:resume', { callId, fresh: true }));
    await settle(carol);
    // Never "available" (nor offline) while the call waited for bob's window: carol saw no change at all.
    expect(carol.events('presence:changed').slice(mark).filter((p) => p.username === 'bob')).toEqual([]);
    expect(expectOk(await carol.emit('directory:list', {})).users.find((u) => u.username === 'bob')?.status).toBe('busy');
  });

  it('is offline when no device is connected', async () => {
    const server = await startTestServer();
    const { alice, bob } = await team(server, 'alice', 'bob');
    bob.socket.disconnect();
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'offline');
    const list = expectOk(await alice.emit('directory:list', {}));
    expect(list.users).toEqual([{ username: 'bob', displayName: 'Bob', status: 'offline' }]);
  });

  it('a status flipped many times a second reaches each watcher at most once a second, ending on the last', async () => {
    const server = await startTestServer({ statusChanges: 100 });
    const { alice, bob } = await team(server, 'alice', 'bob');
    await settle(alice);
    const before = alice.events('presence:changed').length;
    const flips: SettableStatus[] = [];
    for (let i = 0; i < 30; i++) flips.push((['away', 'dnd', 'available'] as const)[i % 3]!);
    flips.push('away');
    const started = Date.now();
    for (const status of flips) expectOk(await bob.emit('presence:set', { status }));
    const bobs = () => alice.events('presence:changed').slice(before).filter((p) => p.username === 'bob');
    // The window open at the last flip ends and delivers it.
    await expect.poll(() => bobs().at(-1)?.status, { timeout: 5000 }).toBe('away');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const seen = bobs();
    // The first at once, then one a second at most (a window's end delivers the latest).
    expect(seen.length).toBeLessThanOrEqual(2 + Math.ceil((Date.now() - started) / 1000));
    expect(seen.length).toBeLessThan(flips.length / 3);
    expect(seen.at(-1)?.status).toBe('away');
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

  it("a change costs one message per watching device and per device of the user, not one per team member", async () => {
    const server = await startTestServer();
    const names = ['user1', 'user2', 'user3', 'user4', 'user5', 'user6'];
    const logins = await Promise.all(names.map((n) => register(server, n)));
    // Announced (directory:updated) before anyone connects: no device watches them for that.
    await server.revocations.poll();
    // u2 and u3 watch u1; u4 lists the directory (u1 is on its screen); u5 and u6 watch nobody.
    const devices: Device[] = [];
    for (const [i, login] of logins.entries()) devices.push(await connect(server, login, {}, i === 1 || i === 2 ? ['user1'] : []));
    const [u1, u2, u3, u4, u5, u6] = devices as [Device, Device, Device, Device, Device, Device];
    expectOk(await u4.emit('directory:list', {}));
    // u1's second device is away: when the first goes dnd, u1 is away.
    const u1phone = await connect(server, logins[0]!, { status: 'away' }, []);
    await settle(...devices, u1phone);
    const counts = [...devices, u1phone].map((d) => d.events('presence:changed').length);
    expectOk(await u1.emit('presence:set', { status: 'dnd' }));
    // Held to the end of the window user1's connecting opened, then sent to every watcher at once.
    await u2.next('presence:changed', (p) => p.username === 'user1' && p.status === 'away');
    await settle(...devices, u1phone);
    const got = [...devices, u1phone].map((d, i) => d.events('presence:changed').length - counts[i]!);
    expect(got).toEqual([1, 1, 1, 1, 0, 0, 1]);
    expect(u2.events('presence:changed').at(-1)).toEqual({ username: 'user1', displayName: 'User1', status: 'away' });
    expect(u5.events('presence:changed').filter((p) => p.username === 'user1')).toEqual([]);
    expect(u6.events('presence:changed').filter((p) => p.username === 'user1')).toEqual([]);
    expect(u3.ready.presence).toEqual([{ username: 'user3', status: 'available' }]);
  });

  it('presence:watch answers the current statuses, once per name, and replaces what the device named before', async () => {
    const server = await startTestServer();
    const { bob, carol } = await team(server, 'bob', 'carol');
    expectOk(await carol.emit('presence:set', { status: 'dnd' }));
    const daveLogin = await register(server, 'dave');
    // Registrations announced before dave connects: dave watches only whom it names.
    await server.revocations.poll();
    const dave = await connect(server, daveLogin, {}, []);
    const first = expectOk(await dave.emit('presence:watch', { usernames: ['bob', 'carol', 'bob', 'nobody', 'dave'] }));
    expect(first.presence).toEqual([
      { username: 'bob', status: 'available' },
      { username: 'carol', status: 'dnd' },
      { username: 'nobody', status: 'offline' },
      { username: 'dave', status: 'available' },
    ]);
    // What dave hears of a user from now on (a change held in its presence window before dave
    // watched may still come, repeating the snapshot's status: only what follows counts).
    const heard = (username: string, since: number) => dave.events('presence:changed').slice(since).filter((p) => p.username === username).map((p) => p.status);
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    await dave.next('presence:changed', (p) => p.username === 'bob' && p.status === 'away');
    // Now only carol: bob's changes stop, carol's go on.
    expectOk(await dave.emit('presence:watch', { usernames: ['carol'] }));
    const unwatchedBob = dave.events('presence:changed').length;
    expectOk(await bob.emit('presence:set', { status: 'available' }));
    expectOk(await carol.emit('presence:set', { status: 'available' }));
    await dave.next('presence:changed', (p) => p.username === 'carol' && p.status === 'available');
    // bob's "available" would have come with carol's, or at the end of bob's window: past both.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await settle(dave);
    expect(heard('bob', unwatchedBob)).toEqual([]);
    // An empty list stops watching; the user's own changes still arrive.
    expectOk(await dave.emit('presence:watch', { usernames: [] }));
    const unwatchedCarol = dave.events('presence:changed').length;
    expectOk(await carol.emit('presence:set', { status: 'away' }));
    expectOk(await dave.emit('presence:set', { status: 'away' }));
    await dave.next('presence:changed', (p) => p.username === 'dave' && p.status === 'away');
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await settle(carol, dave);
    expect(heard('carol', unwatchedCarol)).toEqual([]);
  });

  it('directory:list watches what it lists; a new listing replaces the old one and leaves presence:watch names alone', async () => {
    const server = await startTestServer();
    await register(server, 'bob', 'Bob Stone');
    await register(server, 'carol', 'Carol King');
    const alice = await connect(server, await register(server, 'alice'), {}, []);
    const bob2 = await connect(server, await register(server, 'bob2', 'Bob Two'), {}, []);
    const { dave } = await team(server, 'dave');
    // bob2 and dave announced to alice (directory:updated) before her listings replace what she listed.
    await server.revocations.poll();
    expectOk(await alice.emit('presence:watch', { usernames: ['dave'] }));
    expect(expectOk(await alice.emit('directory:list', { query: 'bob' })).users.map((u) => u.username)).toEqual(['bob', 'bob2']);
    // What came before the listing (bob2 coming online, if the registration was announced first) is not what this checks.
    const bob2sBefore = alice.events('presence:changed').filter((p) => p.username === 'bob2').length;
    expectOk(await bob2.emit('presence:set', { status: 'away' }));
    await alice.next('presence:changed', (p) => p.username === 'bob2' && p.status === 'away');
    // A listing of carol only: bob2 is no longer on screen.
    expect(expectOk(await alice.emit('directory:list', { query: 'carol' })).users.map((u) => u.username)).toEqual(['carol']);
    expectOk(await bob2.emit('presence:set', { status: 'dnd' }));
    expectOk(await dave.emit('presence:set', { status: 'away' }));
    await alice.next('presence:changed', (p) => p.username === 'dave' && p.status === 'away');
    await settle(alice);
    expect(alice.events('presence:changed').filter((p) => p.username === 'bob2').slice(bob2sBefore).map((p) => p.status)).toEqual(['away']);
  });

  it("a handshake's watch list: its statuses in session:ready, its changes after, until the first directory:list replaces it", async () => {
    const server = await startTestServer();
    const { bob, carol } = await team(server, 'bob', 'carol');
    expectOk(await carol.emit('presence:set', { status: 'dnd' }));
    const daveLogin = await register(server, 'dave');
    await server.revocations.poll(); // registrations announced before dave connects: dave watches only what it names
    // Duplicates and the user's own name count once; an unknown user is offline.
    const dave = await connect(server, daveLogin, { watch: ['bob', 'carol', 'bob', 'dave', 'nobody'] }, []);
    expect(dave.ready.presence).toEqual([
      { username: 'dave', status: 'available' },
      { username: 'bob', status: 'available' },
      { username: 'carol', status: 'dnd' },
      { username: 'nobody', status: 'offline' },
    ]);
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    await dave.next('presence:changed', (p) => p.username === 'bob' && p.status === 'away');
    // The first listing is what the device shows now: bob left it, carol stays.
    expect(expectOk(await dave.emit('directory:list', { query: 'carol' })).users.map((u) => u.username)).toEqual(['carol']);
    const sinceListing = dave.events('presence:changed').length;
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    expectOk(await carol.emit('presence:set', { status: 'away' }));
    await dave.next('presence:changed', (p) => p.username === 'carol' && p.status === 'away');
    // bob's own device hears his change when every watcher on the node is sent it: dave, had he still watched.
    await bob.next('presence:changed', (p) => p.username === 'bob' && p.status === 'dnd');
    await settle(dave);
    expect(dave.events('presence:changed').slice(sinceListing).filter((p) => p.username === 'bob')).toEqual([]);
  });

  it('what a device watches ends with its connection: a new connection watches only its own user', async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    alice.socket.disconnect();
    await server.revocations.poll(); // bob announced before: the new connection is not told of him
    const again = await connect(server, logins.alice, {}, []);
    expect(again.ready.presence).toEqual([{ username: 'alice', status: 'available' }]);
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    await settle(bob, again);
    expect(again.events('presence:changed').filter((p) => p.username === 'bob')).toEqual([]);
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

describe('presence with two nodes sharing Redis', () => {
  const RANK: Record<SettableStatus, number> = { available: 3, away: 2, dnd: 1 };
  const SETTABLE: SettableStatus[] = ['available', 'away', 'dnd'];

  /**
   * alice (on node one) and carol (on node two) watch bob: what each shows of
   * him is its snapshot, then the deltas. zed (node one) is watched too: a
   * change of zed's made after bob's were recorded reaches each watcher after
   * them, so once it is there each watcher shows what it will keep showing.
   */
  async function watchingBob(one: TestServer, two: TestServer) {
    const logins = { bob: await register(one, 'bob'), zed: await register(one, 'zed'), alice: await register(one, 'alice'), carol: await register(one, 'carol') };
    const zed = await connect(one, logins.zed, {}, []);
    const watchers: { device: Device; snapshot: Status }[] = [];
    for (const [node, login] of [[one, logins.alice], [two, logins.carol]] as const) {
      const device = await connect(node, login, {}, []);
      const [bob] = expectOk(await device.emit('presence:watch', { usernames: ['bob', 'zed'] })).presence;
      watchers.push({ device, snapshot: bob?.status ?? 'offline' });
    }
    let marker: SettableStatus = 'available';
    return {
      bob: logins.bob,
      /** bob's status as the server recorded it. */
      stored: async () => expectOk(await zed.emit('presence:watch', { usernames: ['bob'] })).presence[0]?.status,
      /** What each watcher shows of bob once everything recorded so far has reached it. */
      async shown(): Promise<Status[]> {
        marker = marker === 'available' ? 'away' : 'available';
        expectOk(await zed.emit('presence:set', { status: marker }));
        for (const w of watchers) await w.device.next('presence:changed', (p) => p.username === 'zed' && p.status === marker);
        return watchers.map((w) => w.device.events('presence:changed').filter((p) => p.username === 'bob').at(-1)?.status ?? w.snapshot);
      },
    };
  }

  it("two devices of one user changing status at the same moment on two nodes: the stored status is the devices' aggregate, and every watcher ends with it", async () => {
    // Many rounds, each a few messages from the same devices: no rate limit in the way, and
    // every change at once (the order the store recorded is what is checked here).
    const [one, two] = await twoNodes({ messageRate: 10_000, messageBurst: 100_000, statusChanges: 100_000, presenceWindowMs: 0 });
    const watch = await watchingBob(one, two);
    const bobOne = await connect(one, watch.bob, { device: 'bob-desktop-01' }, []);
    const bobTwo = await connect(two, watch.bob, { device: 'bob-laptop-001' }, []);
    for (let i = 0; i < 100; i++) {
      const a = SETTABLE[i % 3] as SettableStatus;
      const b = SETTABLE[(i + 1 + Math.floor(i / 3)) % 3] as SettableStatus;
      // The second change starts a little later each round, so the two nodes' steps interleave differently.
      const later = async () => {
        for (let k = 0; k < i % 40; k++) await new Promise((r) => setImmediate(r));
        return bobTwo.emit('presence:set', { status: b });
      };
      for (const ack of await Promise.all([bobOne.emit('presence:set', { status: a }), later()])) expectOk(ack);
      const expected = RANK[a] >= RANK[b] ? a : b;
      expect(await watch.stored(), `round ${i}: ${a} + ${b}`).toBe(expected);
      expect(await watch.shown(), `round ${i}: ${a} + ${b}`).toEqual([expected, expected]);
    }
  });

  it('a connection moving to the other node (its old one closing as the new one opens): every watcher ends with the stored status', async () => {
    const [one, two] = await twoNodes({ messageRate: 10_000, messageBurst: 100_000, statusChanges: 100_000, presenceWindowMs: 0 });
    const watch = await watchingBob(one, two);
    let bob = await connect(one, watch.bob, {}, []);
    for (let i = 0; i < 30; i++) {
      const old = bob;
      const opening = connect(i % 2 === 0 ? two : one, watch.bob, {}, []);
      old.socket.disconnect();
      bob = await opening;
      expect(await watch.stored(), `round ${i}`).toBe('available');
      expect(await watch.shown(), `round ${i}`).toEqual(['available', 'available']);
    }
  });
});
