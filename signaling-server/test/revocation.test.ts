import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import type { LoginResponse } from '../src/protocol/index.js';
import { userRoom } from '../src/realtime/types.js';
import { connect, type Device, postJson, register, settle, startTestServer, twoNodes } from './harness.js';

const disconnected = (d: { socket: { connected: boolean; on(e: 'disconnect', l: () => void): void } }) =>
  new Promise<void>((resolve) => {
    if (!d.socket.connected) resolve();
    d.socket.on('disconnect', () => resolve());
  });

describe('revocation of live sessions', () => {
  it('a password change ends sessions on the old token but not a sign-in with the new password', async () => {
    const server = await startTestServer({}, { accountPollMs: 60_000 });
    const old = await connect(server, await register(server, 'alice'));
    await new UserRepository(server.db).setPassword('alice', 'the new password');
    const login = await postJson(`${server.url}/api/login`, { username: 'alice', password: 'the new password' });
    const fresh = await connect(server, login.body as unknown as LoginResponse);
    // The poll interval is long: trigger the check the timer would make.
    await server.revocations.poll();
    await disconnected(old);
    await settle(fresh); // a wrongful revocation of `fresh` would have arrived by now
    expect(old.events('session:revoked')).toEqual([{ reason: 'password-changed' }]);
    expect(fresh.socket.connected).toBe(true);
    expect(fresh.events('session:revoked')).toEqual([]);
  });

  it('removing a user does not touch a new account that took the same username', async () => {
    const server = await startTestServer({}, { accountPollMs: 60_000 });
    const old = await connect(server, await register(server, 'alice'));
    await new UserRepository(server.db).remove('alice');
    const again = await connect(server, await register(server, 'alice'));
    await server.revocations.poll();
    await disconnected(old);
    await settle(again);
    expect(old.events('session:revoked')).toEqual([{ reason: 'removed' }]);
    expect(again.socket.connected).toBe(true);
  });
});

describe('revocation with two nodes sharing Redis', () => {
  const revocations = (d: Device) => d.events('session:revoked');

  it('each node ends only the sessions connected to it: a device on the other node is left to its own node', async () => {
    const [one, two] = await twoNodes({}, { accountPollMs: 60_000 });
    const login = await register(one, 'alice');
    const onOne = await connect(one, login, { device: 'alice-desk-0001' }, []);
    const onTwo = await connect(two, login, { device: 'alice-laptop-01' }, []);
    await new UserRepository(one.db).setPassword('alice', 'the new password');

    await one.revocations.poll();
    await disconnected(onOne);
    // A cross-node request sent after the poll reaches node two after anything node one
    // sent it while polling (one publisher, one subscriber, in order): alice is still there.
    expect(await one.io.in(userRoom('alice')).fetchSockets()).toHaveLength(1);
    await settle(onTwo);
    expect(onTwo.socket.connected).toBe(true);
    expect(revocations(onTwo)).toEqual([]);

    await two.revocations.poll();
    await disconnected(onTwo);
    expect(revocations(onOne)).toEqual([{ reason: 'password-changed' }]);
    expect(revocations(onTwo)).toEqual([{ reason: 'password-changed' }]);
  });

  it('both nodes polling on their own: every device of a removed user gets exactly one session:revoked and is disconnected', async () => {
    const [one, two] = await twoNodes({}, { accountPollMs: 50 });
    const login = await register(one, 'alice');
    const devices: Device[] = [];
    for (const [i, node] of [one, two, one, two].entries()) devices.push(await connect(node, login, { device: `alice-device-${i}0` }, []));
    const bob = await connect(two, await register(two, 'bob'), {}, []);
    await new UserRepository(two.db).remove('alice');
    await Promise.all(devices.map((d) => disconnected(d)));
    // Whatever either node could still send has arrived at the other devices by now.
    await settle(bob);
    await Promise.all([one.revocations.poll(), two.revocations.poll()]);
    for (const d of devices) expect(revocations(d)).toEqual([{ reason: 'removed' }]);
    expect(bob.socket.connected).toBe(true);
  });
});
