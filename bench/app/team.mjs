// The benchmark's team on a real parley-server: the signed-in user `bench`
// and `size` contacts, written straight into the server's database (the
// HTTP API allows 20 registrations an hour per address, and hashing 500
// passwords would only slow the benchmark down).
import { member } from './names.js';

export const BENCH_USER = { username: 'bench', password: 'bench-password', displayName: 'Bench' };

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

/**
 * Registers `bench` through the API, adds `size` contacts to the database of
 * `server` (a RunningServer) and signs in: returns the session the app keeps
 * (web mode: localStorage `parley.session.v1`).
 */
export async function seedTeam(server, url, size) {
  await post(`${url}/api/register`, BENCH_USER);
  const now = Date.now();
  const rows = Array.from({ length: size }, (_, i) => {
    const m = member(i);
    // They never sign in: no password works for them.
    return { id: crypto.randomUUID(), username: m.username, display_name: m.displayName, password_hash: 'none', disabled: 0, token_version: 0, missed_seen_at: 0, created_at: now };
  });
  for (let i = 0; i < rows.length; i += 500) await server.db.insertInto('users').values(rows.slice(i, i + 500)).execute();
  const { token, expiresAt, user } = await post(`${url}/api/login`, { username: BENCH_USER.username, password: BENCH_USER.password });
  return { serverUrl: url, token, expiresAt, user };
}
