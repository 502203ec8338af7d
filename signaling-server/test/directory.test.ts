/**
 * The live directory: an account created (HTTP registration, `user add`),
 * renamed or enabled again reaches every signed-in device as
 * directory:updated, one disabled or removed as directory:removed, and a
 * device told about a user gets their presence:changed from then on. On one
 * node, from the admin CLI in another process, and on two nodes sharing
 * Redis, where each device is told once.
 */
import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import type { LoginResponse } from '../src/protocol/index.js';
import { runCli } from './cli-helpers.js';
import {
  connect,
  expectOk,
  postJson,
  register,
  settle,
  startTestServer,
  twoNodes,
  type Device,
  type EventName,
  type EventPayload,
  type TestServer,
} from './harness.js';

/** A server's own poll interval (1 s), not the harness's 100 ms: changes must arrive within 2 s with it. */
const OWN_POLL = { accountPollMs: undefined };
const WITHIN_MS = 2000;
/** Servers that act on account changes only when the test says so (revocations.poll()). */
const MANUAL_POLL = { accountPollMs: 60_000 };
const SLOW = 60_000;

const updated = (d: Device, username: string) => d.next('directory:updated', (p) => p.user.username === username);
const removed = (d: Device, username: string) => d.next('directory:removed', (p) => p.username === username);

/** What a device received so far is left out: `wait` resolves with the first match that arrives after this call. */
function after<E extends EventName>(d: Device, event: E) {
  const skip = d.events(event).length;
  return (match: (p: EventPayload<E>) => boolean, timeoutMs?: number) => {
    let index = 0;
    return d.next(event, (p) => index++ >= skip && match(p), timeoutMs);
  };
}

/** The sessions that get `username`'s presence:changed. */
function watchers(server: TestServer, username: string): string[] {
  return server.presenceWatchers(username);
}

describe('the live directory', () => {
  it('a colleague who registers after a device signed in appears within 2 s with their status, and their presence changes follow', async () => {
    const server = await startTestServer({}, OWN_POLL);
    const aliceLogin = await register(server, 'alice');
    const alice = await connect(server, aliceLogin, {}, []);
    expect(expectOk(await alice.emit('directory:list', {})).users).toEqual([]);
    // Another device of alice's that never listed the directory is told all the same.
    const phone = await connect(server, aliceLogin, {}, []);

    const bobLogin = await register(server, 'bob', 'Bob Builder');
    const entries = await Promise.all([alice, phone].map((d) => d.next('directory:updated', (p) => p.user.username === 'bob', WITHIN_MS)));
    expect(entries).toEqual([0, 1].map(() => ({ user: { username: 'bob', displayName: 'Bob Builder', status: 'offline' } })));

    const bob = await connect(server, bobLogin, {}, []);
    for (const d of [alice, phone]) await d.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    for (const d of [alice, phone]) {
      expect(await d.next('presence:changed', (p) => p.username === 'bob' && p.status === 'away')).toEqual({
        username: 'bob',
        displayName: 'Bob Builder',
        status: 'away',
      });
    }
    await settle(alice, phone);
    for (const d of [alice, phone]) expect(d.events('directory:updated').filter((p) => p.user.username === 'bob')).toHaveLength(1);
  });

  it('an account that signs in before it is announced: the entry carries its status, and the changes after it follow', async () => {
    const server = await startTestServer({}, MANUAL_POLL);
    const alice = await connect(server, await register(server, 'alice'), {}, []);
    expectOk(await alice.emit('directory:list', {}));
    const bob = await connect(server, await register(server, 'bob'), { status: 'dnd' }, []);
    await settle(alice, bob);
    expect(alice.events('presence:changed').filter((p) => p.username === 'bob')).toEqual([]);

    await server.revocations.poll();
    const entry = { user: { username: 'bob', displayName: 'Bob', status: 'dnd' } };
    expect(await updated(alice, 'bob')).toEqual(entry);
    // The user's own devices are told of their own account too (clients ignore it).
    expect(await updated(bob, 'bob')).toEqual(entry);
    expectOk(await bob.emit('presence:set', { status: 'available' }));
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');
    // The server refuses it from a client: it is server → client only.
    expect(await alice.emitRaw('directory:updated', entry)).toMatchObject({ ok: false, code: 'bad_request' });
  });

  it("a rename reaches every device, and the renamed user's sessions carry the new name from then on", async () => {
    const server = await startTestServer({}, MANUAL_POLL);
    const aliceLogin = await register(server, 'alice');
    const bobLogin = await register(server, 'bob', 'Bob Stone');
    await server.revocations.poll(); // the registrations: nobody is connected to hear of them
    const alice = await connect(server, aliceLogin, {}, []);
    expect(expectOk(await alice.emit('directory:list', {})).users).toEqual([{ username: 'bob', displayName: 'Bob Stone', status: 'offline' }]);
    const bob = await connect(server, bobLogin, {}, []);
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');

    const users = new UserRepository(server.db);
    expect(await users.setDisplayName('bob', 'Robert Stone')).toBe(true);
    expect(await users.setDisplayName('nobody', 'No One')).toBe(false);
    await server.revocations.poll();
    const entry = { user: { username: 'bob', displayName: 'Robert Stone', status: 'available' } };
    expect(await updated(alice, 'bob')).toEqual(entry);
    expect(await updated(bob, 'bob')).toEqual(entry);

    expectOk(await bob.emit('presence:set', { status: 'away' }));
    expect(await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'away')).toEqual({
      username: 'bob',
      displayName: 'Robert Stone',
      status: 'away',
    });
    const { callId } = expectOk(await bob.emit('call:invite', { to: 'alice', media: { audio: true, video: false } }));
    expect((await alice.next('call:incoming', (p) => p.callId === callId)).from).toEqual({ username: 'bob', displayName: 'Robert Stone' });
    expectOk(await bob.emit('call:cancel', { callId }));

    // A password change shows nothing new: no directory event for it.
    await users.setPassword('alice', 'a brand new password');
    await server.revocations.poll();
    await settle(bob);
    expect(bob.events('directory:updated').filter((p) => p.user.username === 'alice')).toEqual([]);
    expect(bob.events('directory:removed')).toEqual([]);
  });

  it('disabled or removed: every device is told and stops watching them, unless it named them; enabled again: told and watching again', async () => {
    const server = await startTestServer({}, MANUAL_POLL);
    const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob'), carol: await register(server, 'carol') };
    const alice = await connect(server, logins.alice, {}, ['carol']);
    expect(expectOk(await alice.emit('directory:list', {})).users.map((u) => u.username)).toEqual(['bob', 'carol']);
    const bob = await connect(server, logins.bob, {}, []);
    await connect(server, logins.carol, {}, []);
    await server.revocations.poll(); // the registrations

    const users = new UserRepository(server.db);
    await users.setDisabled('bob', true);
    await users.remove('carol');
    await server.revocations.poll();
    expect(await removed(alice, 'bob')).toEqual({ username: 'bob' });
    expect(await removed(alice, 'carol')).toEqual({ username: 'carol' });
    expect(await bob.next('session:revoked')).toEqual({ reason: 'disabled' });
    expect(watchers(server, 'bob')).not.toContain(alice.socket.id);
    // Named with presence:watch: still watched (a username without an account is watched too).
    expect(watchers(server, 'carol')).toContain(alice.socket.id);
    await settle(alice);
    const removal = alice.received.findIndex((r) => r.event === 'directory:removed');
    const bobsAfter = alice.received.slice(removal).filter((r) => r.event === 'presence:changed' && (r.payload as { username: string }).username === 'bob');
    expect(bobsAfter).toEqual([]);

    // Bob's teardown (his session out of the store, his presence offline) ends after session:revoked reached him.
    const probe = await connect(server, logins.alice, {}, []);
    const bobsStatus = async () => expectOk(await probe.emit('presence:watch', { usernames: ['bob'] })).presence[0]?.status;
    await expect.poll(bobsStatus, { timeout: 10_000 }).toBe('offline');
    const nextUpdate = after(alice, 'directory:updated');
    await users.setDisabled('bob', false);
    await server.revocations.poll();
    expect(await nextUpdate((p) => p.user.username === 'bob')).toEqual({ user: { username: 'bob', displayName: 'Bob', status: 'offline' } });
    const login = await postJson(`${server.url}/api/login`, { username: 'bob', password: 'bob-password' });
    await connect(server, login.body as unknown as LoginResponse, {}, []);
    await alice.next('presence:changed', (p) => p.username === 'bob' && p.status === 'available');
  });

  it('user add, rename, disable, enable and remove by the CLI in another process reach a running server\'s devices within 2 s', async () => {
    const server = await startTestServer({}, OWN_POLL);
    const alice = await connect(server, await register(server, 'alice'), {}, []);
    const carol = (displayName: string) => ({ user: { username: 'carol', displayName, status: 'offline' as const } });
    const gone = { username: 'carol' };
    const steps: [args: string[], expected: EventPayload<'directory:updated'> | EventPayload<'directory:removed'>][] = [
      [['add', 'carol', '--display-name', 'Carol King'], carol('Carol King')],
      [['rename', 'carol', '--display-name', 'Carol Jones'], carol('Carol Jones')],
      [['disable', 'carol'], gone],
      [['enable', 'carol'], carol('Carol Jones')],
      [['remove', 'carol'], gone],
    ];
    for (const [args, expected] of steps) {
      const [nextUpdate, nextRemoval] = [after(alice, 'directory:updated'), after(alice, 'directory:removed')];
      const res = await runCli(['user', ...args], { dataDir: server.dataDir, stdin: 'carol-password\n' });
      expect(res.code, res.stderr).toBe(0);
      const got =
        'user' in expected
          ? await nextUpdate((p) => p.user.username === 'carol', WITHIN_MS)
          : await nextRemoval((p) => p.username === 'carol', WITHIN_MS);
      expect(got, args.join(' ')).toEqual(expected);
    }
    const rename = await runCli(['user', 'rename', 'carol', '--display-name', 'Carol'], { dataDir: server.dataDir });
    expect(rename.code).toBe(1);
    expect(rename.stderr).toBe('parley-server: no user "carol"\n');
  }, SLOW);
});

describe('the live directory with two nodes sharing Redis', () => {
  it('every device on either node is told once, and watches the new account whichever node it signs in on', async () => {
    const [one, two] = await twoNodes(); // each node polls every 100 ms
    const alice = await connect(one, await register(one, 'alice'), {}, []);
    const carol = await connect(two, await register(two, 'carol'), {}, []);
    for (const d of [alice, carol]) expectOk(await d.emit('directory:list', {}));
    await Promise.all([one.revocations.poll(), two.revocations.poll()]);

    const daveLogin = await register(one, 'dave', 'Dave Day');
    for (const d of [alice, carol]) expect(await updated(d, 'dave')).toEqual({ user: { username: 'dave', displayName: 'Dave Day', status: 'offline' } });
    const dave = await connect(two, daveLogin, {}, []);
    for (const d of [alice, carol]) await d.next('presence:changed', (p) => p.username === 'dave' && p.status === 'available');

    await new UserRepository(one.db).setDisplayName('dave', 'David Day');
    for (const d of [alice, carol]) {
      expect(await d.next('directory:updated', (p) => p.user.displayName === 'David Day')).toEqual({
        user: { username: 'dave', displayName: 'David Day', status: 'available' },
      });
    }
    // dave's session (node two) carries the new name: his next change says so on both nodes.
    expectOk(await dave.emit('presence:set', { status: 'away' }));
    for (const d of [alice, carol]) {
      expect(await d.next('presence:changed', (p) => p.username === 'dave' && p.status === 'away')).toEqual({
        username: 'dave',
        displayName: 'David Day',
        status: 'away',
      });
    }

    await new UserRepository(two.db).remove('dave');
    for (const d of [alice, carol]) await removed(d, 'dave');
    // Both nodes have acted on every change by now: none reached a device twice.
    await Promise.all([one.revocations.poll(), two.revocations.poll()]);
    await settle(alice, carol);
    for (const d of [alice, carol]) {
      expect(d.events('directory:updated').filter((p) => p.user.username === 'dave').map((p) => p.user.displayName)).toEqual(['Dave Day', 'David Day']);
      expect(d.events('directory:removed')).toEqual([{ username: 'dave' }]);
    }
  });
});
