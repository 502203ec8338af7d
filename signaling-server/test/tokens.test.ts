/**
 * What a sign-in token must carry to be accepted: the server's signature is
 * not enough. A token with no expiry (signed with the server's own key, as a
 * leaked key or an old bug could make one) would be good forever.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import { connect, openSocket, register, serverTokenSecret, startTestServer, type TestServer } from './harness.js';

function refusal(server: TestServer, token: string) {
  const socket = openSocket(server.url, { token });
  return new Promise<Error & { data?: { code?: string } }>((resolve, reject) => {
    socket.on('connect', () => reject(new Error('connected, but should have been refused')));
    socket.on('connect_error', resolve);
  });
}

async function signed(server: TestServer, set: (jwt: SignJWT) => SignJWT): Promise<string> {
  const user = await new UserRepository(server.db).find('alice');
  const jwt = new SignJWT({ usr: 'alice', ver: 0 }).setProtectedHeader({ alg: 'HS256' }).setSubject(user?.id ?? 'unknown').setIssuer('parley-server');
  return set(jwt).sign(await serverTokenSecret(server));
}

describe('sign-in tokens', () => {
  it('are refused without an expiry or an issue time, though signed with the server key', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const hourFromNow = Math.floor(Date.now() / 1000) + 3600;
    for (const token of [await signed(server, (j) => j.setIssuedAt()), await signed(server, (j) => j.setExpirationTime(hourFromNow))]) {
      const err = await refusal(server, token);
      expect(err.data?.code).toBe('unauthorized');
      expect(err.message).toMatch(/token is invalid/);
    }
    // With both, the same signing is accepted: the refusals are about the missing claims.
    const whole = await signed(server, (j) => j.setIssuedAt().setExpirationTime(hourFromNow));
    const device = await connect(server, { token: whole, expiresAt: 0, user: { username: 'alice', displayName: 'Alice' } });
    expect(device.ready.user.username).toBe('alice');
  });
});
