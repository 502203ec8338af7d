/**
 * A Monday-morning burst: 1,000 people sign in at once and 200 of them
 * change status (some twice) while the first sign-ins are still arriving,
 * with watchers each watching 500 of them. Presence may be coalesced
 * (presence-coalescer.ts) and batched (presence-batches.ts, burst windows
 * included), never lost: once it settles, each watcher's last word on each
 * user is that user's status.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { displayNameKey } from '../src/accounts/display-name-key.js';
import { hashPassword } from '../src/accounts/passwords.js';
import { TokenService } from '../src/auth/tokens.js';
import type { LoginResponse, Status } from '../src/protocol/index.js';
import type { PresenceChange } from '../src/stores/types.js';
import { connect, expectOk, openSocket, serverTokenSecret, startTestServer, type Client, type Device } from './harness.js';

const PEOPLE = 1000;
const name = (i: number) => `p${String(i).padStart(4, '0')}`;

/** What each watcher has been told about each user: the watch's answer, then every change in order (one by one, or in batches). */
function lastWord(device: Device, watchAnswer: readonly { username: string; status: Status }[]): Map<string, Status> {
  const view = new Map(watchAnswer.map((e) => [e.username, e.status]));
  const changes = device.received.flatMap((r) =>
    r.event === 'presence:changed' ? [r.payload as PresenceChange] : r.event === 'presence:changes' ? (r.payload as { changes: PresenceChange[] }).changes : [],
  );
  for (const change of changes) if (view.has(change.username)) view.set(change.username, change.status);
  return view;
}

describe('presence in a burst of sign-ins and status changes', () => {
  const sockets: Client[] = [];
  afterAll(() => {
    for (const s of sockets) s.disconnect();
  });

  // Twice: with the default windows, and with every batch window a burst one (presence-batches.ts: 2 s, the
  // first change held too), as a node taking a whole company's sign-ins runs.
  it.each([
    { windows: 'the default windows', options: {} },
    { windows: 'burst windows', options: { presenceBurstFrom: 1 } },
  ])('every watcher ends with every watched user’s last state ($windows)', { timeout: 90_000 }, async ({ options }) => {
    const server = await startTestServer(options);
    const tokens = new TokenService(await serverTokenSecret(server), 3600);
    // Inserted in one transaction, as bench/signaling/seed.mjs does: /api/register's strength check and
    // one write per account would take a minute, and no part of this test is about them.
    const hash = await hashPassword(randomUUID());
    const people = Array.from({ length: PEOPLE + 4 }, (_, i) => {
      const username = i < PEOPLE ? name(i) : `watcher${i - PEOPLE}`;
      const displayName = `Person ${username}`;
      return { id: randomUUID(), username, display_name: displayName, display_name_key: displayNameKey(displayName), password_hash: hash, disabled: 0, token_version: 0, missed_seen_at: 0, created_at: Date.now() };
    });
    await server.db.transaction().execute(async (trx) => {
      for (let i = 0; i < people.length; i += 200) await trx.insertInto('users').values(people.slice(i, i + 200)).execute();
    });
    const logins = await Promise.all(
      people.map(async (p) => ({ token: (await tokens.issue({ userId: p.id, username: p.username, version: 0 })).token, user: { username: p.username, displayName: p.display_name } }) as LoginResponse),
    );
    const team = logins.slice(0, PEOPLE);
    // Four watchers, 500 each (the protocol's most), their lists overlapping: every user is watched twice,
    // once by a device that takes batches (presence-batches.ts), once by one that takes each change.
    const lists = [team.slice(0, 500), team.slice(500), team.slice(250, 750), team.filter((_, i) => i < 250 || i >= 750)].map((l) =>
      l.map((x) => x.user.username),
    );
    const watchers = await Promise.all(lists.map(async (list, w) => {
      const device = await connect(server, logins[PEOPLE + w] as LoginResponse, { presenceBatch: w < 2 }, []);
      const { presence } = expectOk(await device.emit('presence:watch', { usernames: list }));
      expect(presence.every((e) => e.status === 'offline')).toBe(true);
      return { device, presence };
    }));

    // The burst: every sign-in sent at once; the first 200 to be ready change status at once, half of them twice.
    const expected = new Map<string, Status>(team.map((l) => [l.user.username, 'available']));
    type Settable = 'away' | 'dnd' | 'available';
    // n % 4: away; away then available; dnd; available then dnd. A status changed back within the
    // presence window may never reach a watcher; the last one must.
    const STEPS: Settable[][] = [['away'], ['away', 'available'], ['dnd'], ['available', 'dnd']];
    const changes: Promise<boolean>[] = [];
    let changed = 0;
    await Promise.all(team.map((l) => new Promise<void>((resolve, reject) => {
      // A thousand connections at once can overflow the listening socket's queue on a loaded machine (seen as
      // "websocket error" beside a CI's browser tests): the socket then tries again, as the app's client does. A
      // refusal by the server (its middleware) leaves the socket inactive, and fails the test.
      const socket = openSocket(server.url, { token: l.token }, { reconnection: true, reconnectionDelay: 200 });
      sockets.push(socket);
      socket.on('connect_error', (err) => {
        if (!socket.active) reject(err);
      });
      socket.once('session:ready', () => {
        resolve();
        if (changed >= 200) return;
        const steps = STEPS[changed++ % 4] as Settable[];
        expected.set(l.user.username, steps.at(-1) as Status);
        changes.push((async () => {
          for (const status of steps) {
            const ack = (await socket.timeout(10_000).emitWithAck('presence:set', { status })) as { ok: boolean };
            if (!ack.ok) return false;
          }
          return true;
        })());
      });
    })));
    expect((await Promise.all(changes)).every(Boolean)).toBe(true);
    expect(changed).toBe(200);

    // Settled: each watcher's last word on each of its 500 is the user's status.
    const wrong = () =>
      watchers.flatMap(({ device, presence }, w) =>
        [...lastWord(device, presence)].filter(([u, s]) => expected.get(u) !== s).map(([u, s]) => `watcher${w}: ${u} ${s}, not ${String(expected.get(u))}`),
      );
    const until = Date.now() + 20_000;
    while (wrong().length > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    expect(wrong().slice(0, 10)).toEqual([]);
  });
});
