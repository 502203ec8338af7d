/**
 * GET /api/directory: the contact list over HTTP with a session's bearer
 * token, the same listing as directory:list (statuses included), and refused with a clear code for a missing token, a disabled
 * account or a malformed query.
 */
import { describe, expect, it } from 'vitest';
import { UserRepository } from '../src/accounts/users.js';
import { DIRECTORY_HTTP_PER_MINUTE } from '../src/http/directory-route.js';
import { expectOk, register, startTestServer, team } from './harness.js';

async function getDirectory(url: string, token: string | undefined, search = '') {
  const res = await fetch(`${url}/api/directory${search}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  return { status: res.status, cacheControl: res.headers.get('cache-control'), retryAfter: res.headers.get('retry-after'), body: (await res.json()) as Record<string, unknown> };
}

describe('GET /api/directory', () => {
  it("lists everyone but the caller as directory:list does, with each one's status", async () => {
    const server = await startTestServer();
    const { alice, bob, logins } = await team(server, 'alice', 'bob');
    await register(server, 'carol');
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    const overHttp = await getDirectory(server.url, logins.alice.token);
    expect(overHttp.status).toBe(200);
    expect(overHttp.cacheControl).toBe('private, no-store');
    expect(overHttp.body).toEqual({ users: expectOk(await alice.emit('directory:list', {})).users });
    expect(overHttp.body.users).toEqual([
      { username: 'bob', displayName: 'Bob', status: 'away' },
      { username: 'carol', displayName: 'Carol', status: 'offline' },
    ]);
    // limit and query as directory:list takes them.
    expect((await getDirectory(server.url, logins.alice.token, '?limit=1')).body).toEqual({ users: [{ username: 'bob', displayName: 'Bob', status: 'away' }] });
    expect((await getDirectory(server.url, logins.alice.token, '?query=CAR')).body.users).toEqual([{ username: 'carol', displayName: 'Carol', status: 'offline' }]);
  });

  it('refuses a missing, wrong or signed-out token, a disabled account, a malformed query and too many listings, each with its code', async () => {
    const server = await startTestServer();
    const alice = await register(server, 'alice');
    const dave = await register(server, 'dave');
    expect(await getDirectory(server.url, undefined)).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    expect(await getDirectory(server.url, 'not-a-token')).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    for (const search of ['?limit=0', '?limit=501', '?limit=ten', '?limit=1&limit=2', `?query=${'x'.repeat(65)}`, '?query=a&query=b', '?query=%07'])
      expect(await getDirectory(server.url, alice.token, search), search).toMatchObject({ status: 400, body: { code: 'bad_request' } });
    await new UserRepository(server.db).setDisabled('dave', true);
    expect(await getDirectory(server.url, dave.token)).toMatchObject({ status: 403, body: { code: 'account_disabled' } });
    const erin = await register(server, 'erin');
    expect((await fetch(`${server.url}/api/logout`, { method: 'POST', headers: { authorization: `Bearer ${erin.token}` } })).status).toBe(204);
    expect(await getDirectory(server.url, erin.token)).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    // The refusals above cost alice nothing of her limit; a minute's worth of listings, then a wait.
    for (let i = 0; i < DIRECTORY_HTTP_PER_MINUTE; i++) expect((await getDirectory(server.url, alice.token)).status).toBe(200);
    const refused = await getDirectory(server.url, alice.token);
    expect(refused).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    // Another user's limit is their own.
    const carol = await register(server, 'carol');
    expect((await getDirectory(server.url, carol.token)).status).toBe(200);
  });
});
