/**
 * The guessing limits under parallel requests: sign-in gets
 * no more real checks when guesses arrive all at once than one by one, on
 * whichever store the run uses (memory, or Redis shared between nodes).
 * Every 401 is a real check; a 429 is not.
 */
import { describe, expect, it } from 'vitest';
import { postJson, register, startTestServer } from './harness.js';

/** Free failures per username and per IP (login-throttle.ts), plus the one try the gate lets through. */
const USER_CHECKS = 5 + 1;
const IP_CHECKS = 20 + 1;

function tally(results: { status: number }[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const r of results) counts[r.status] = (counts[r.status] ?? 0) + 1;
  return counts;
}

const burst = <T>(n: number, request: (i: number) => Promise<T>): Promise<T[]> => Promise.all(Array.from({ length: n }, (_, i) => request(i)));

describe('sign-in limits under parallel guesses', () => {
  it('checks at most the free tries plus one when 150 wrong passwords for one username arrive at once', async () => {
    const server = await startTestServer();
    await register(server, 'alice');
    const login = (password: string) => postJson(`${server.url}/api/login`, { username: 'alice', password });
    const counts = tally(await burst(150, (i) => login(`guess-${i}`)));
    expect(Object.keys(counts).sort()).toEqual(['401', '429']);
    expect(counts[401]).toBeLessThanOrEqual(USER_CHECKS);
    // Now alice must wait, even with the right password...
    const blocked = await login('alice-password');
    expect(blocked).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    expect(blocked.body.retryAfterMs).toBeGreaterThan(0);
    // ...and once the wait is over the right password forgives her count: five free tries again.
    await new Promise((r) => setTimeout(r, Number(blocked.body.retryAfterMs) + 50));
    expect((await login('alice-password')).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login('wrong')).status).toBe(401);
  });

  it('checks at most the per-IP free tries plus one when 120 usernames are guessed at once from one address', async () => {
    const server = await startTestServer();
    const counts = tally(await burst(120, (i) => postJson(`${server.url}/api/login`, { username: `user${i}`, password: 'guess' })));
    expect(Object.keys(counts).sort()).toEqual(['401', '429']);
    expect(counts[401]).toBeLessThanOrEqual(IP_CHECKS);
  });
});
