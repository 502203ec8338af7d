import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import type { LoginResponse } from '../src/protocol/index.js';
import { connect, postJson, register, settle, startTestServer } from './harness.js';

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
