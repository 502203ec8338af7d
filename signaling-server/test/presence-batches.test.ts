/**
 * Presence in batches (presence-batches.ts): a device that asks for them in
 * its handshake gets a change at once when its window is closed, then one
 * `presence:changes` a window with the latest change of each user; a device
 * that does not ask keeps getting `presence:changed`, one per change.
 */
import { describe, expect, it } from 'vitest';
import type { Status } from '../src/protocol/index.js';
import { connect, expectOk, register, settle, startTestServer, type Device } from './harness.js';

/** Every `presence:changes` message as [username, status] pairs. */
const batches = (d: Device) => d.events('presence:changes').map((b) => b.changes.map((c) => [c.username, c.status] as [string, Status]));

describe('presence in batches', () => {
  // Per-user coalescing off, so what is seen is the per-device batching alone; a window long enough for
  // the changes below to fall inside it on a loaded machine.
  const BATCH_MS = 4000;

  it('the first change at once, then the latest of each user in one message at the window’s end; a device without batches gets each change', async () => {
    const server = await startTestServer({ presenceWindowMs: 0, presenceBatchMs: BATCH_MS });
    const logins = { bob: await register(server, 'bob'), carol: await register(server, 'carol'), alice: await register(server, 'alice'), dave: await register(server, 'dave') };
    const bob = await connect(server, logins.bob, {}, []);
    const carol = await connect(server, logins.carol, {}, []);
    const alice = await connect(server, logins.alice, { presenceBatch: true }, ['bob', 'carol']);
    const dave = await connect(server, logins.dave, {}, ['bob', 'carol']);

    // Her own arrival, at once: it opens her window.
    await alice.next('presence:changes');
    expect(batches(alice)).toEqual([[['alice', 'available']]]);
    // Within the window: four changes of two users, held.
    expectOk(await bob.emit('presence:set', { status: 'away' }));
    expectOk(await carol.emit('presence:set', { status: 'dnd' }));
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    expectOk(await bob.emit('presence:set', { status: 'available' }));
    await alice.next('presence:changes', (b) => b.changes.some((c) => c.username === 'bob' && c.status === 'available'), BATCH_MS + 5000);
    // The latest of each, in the order those were recorded, in one message (two where a loaded machine
    // took a whole window over the four requests: each still with the latest of each user so far).
    // Dave's account may be announced to alice after she connected (with shared stores the announcement of
    // his sign-up goes through Redis): she then watches him too, as the protocol says. He is not this check.
    const after = batches(alice)
      .slice(1)
      .map((b) => b.filter(([u]) => u !== 'dave'))
      .filter((b) => b.length > 0);
    if (after.length === 1) expect(after).toEqual([[['carol', 'dnd'], ['bob', 'available']]]);
    else expect(after.length).toBe(2);
    for (const b of after) expect(new Set(b.map(([u]) => u)).size).toBe(b.length);
    expect(after.flat().filter(([u]) => u === 'bob').at(-1)).toEqual(['bob', 'available']);
    expect(after.flat().filter(([u]) => u === 'carol').at(-1)).toEqual(['carol', 'dnd']);
    expect(alice.events('presence:changed')).toEqual([]);

    // dave, without batches: every change, one message each.
    await expect.poll(() => dave.events('presence:changed').map((p) => `${p.username} ${p.status}`)).toEqual(['dave available', 'bob away', 'carol dnd', 'bob dnd', 'bob available']);
    expect(dave.events('presence:changes')).toEqual([]);
  });

  it('a user the device stops watching during its window: what was held of them never reaches it', async () => {
    const server = await startTestServer({ presenceWindowMs: 0, presenceBatchMs: BATCH_MS });
    // Every sign-up announced before alice connects: one announced to her after (the account feed is polled)
    // would be on her list (directory:updated), and she would watch bob whatever she names.
    const probe = await connect(server, await register(server, 'probe'), {}, []);
    const logins = { bob: await register(server, 'bob'), carol: await register(server, 'carol'), alice: await register(server, 'alice') };
    for (const name of Object.keys(logins)) await probe.next('directory:updated', (u) => u.user.username === name, 10_000);
    const bob = await connect(server, logins.bob, {}, []);
    const carol = await connect(server, logins.carol, {}, []);
    const alice = await connect(server, logins.alice, { presenceBatch: true }, ['bob', 'carol']);

    await alice.next('presence:changes');
    expectOk(await carol.emit('presence:set', { status: 'away' }));
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    expectOk(await carol.emit('presence:set', { status: 'dnd' }));
    // Held for alice (her own arrival opened her window); then she watches carol only. What the server
    // sent before its answer arrives before it: anything after is what was held then.
    expectOk(await alice.emit('presence:watch', { usernames: ['carol'] }));
    const mark = alice.events('presence:changes').length;
    await alice.next('presence:changes', (b) => b.changes.some((c) => c.username === 'carol' && c.status === 'dnd'), BATCH_MS + 5000);
    await settle(alice);
    expect(batches(alice).slice(mark).flat().filter(([u]) => u === 'bob')).toEqual([]);
    expect(batches(alice).flat().at(-1)).toEqual(['carol', 'dnd']);
  });
});
