/**
 * What call history keeps: a refusal repeated to the same callee is one row
 * with a count (calling someone offline in a loop cannot fill the disk or the
 * callee's missed calls), and calls older than PARLEY_HISTORY_DAYS are
 * deleted in the background, with who took part.
 */
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { HistoryRepository } from '../src/history/history-repository.js';
import { connect, establishCall, expectOk, register, startTestServer, team } from './harness.js';

const AUDIO = { audio: true, video: false };
const DAY_MS = 24 * 60 * 60 * 1000;

describe('call history retention', () => {
  it('the same refusal to the same callee within an hour is one row with a count, listed as the newest; another outcome or callee has its own', async () => {
    const server = await startTestServer();
    const logins = { alice: await register(server, 'alice'), bob: await register(server, 'bob'), carol: await register(server, 'carol') };
    const alice = await connect(server, logins.alice, {}, []);
    for (let i = 0; i < 4; i++) expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'offline' });
    expect(await alice.emit('call:invite', { to: 'carol', media: AUDIO })).toMatchObject({ ok: false, code: 'offline' });
    expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'offline' });
    const before = expectOk(await alice.emit('history:list', {})).calls;
    expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'offline' });
    const mine = expectOk(await alice.emit('history:list', {})).calls;
    // The merged row keeps its call id (a client that listed it replaces it) and moves up.
    expect(mine[0]?.callId).toBe(before.find((c) => c.peer.username === 'bob')?.callId);
    expect(mine.map((c) => [c.peer.username, c.outcome, c.attempts])).toEqual([
      ['bob', 'offline', 6], // moved up past carol's: it is the newest
      ['carol', 'offline', undefined],
    ]);
    // Bob, when he signs in, has one missed call, not six.
    const bob = await connect(server, logins.bob, {}, []);
    expect(bob.ready.missedCalls).toBe(1);
    expect(expectOk(await bob.emit('history:list', {})).calls.map((c) => [c.peer.username, c.missed, c.attempts])).toEqual([['alice', true, 6]]);
    // Set on DND now: refused with another outcome, so a row of its own.
    expectOk(await bob.emit('presence:set', { status: 'dnd' }));
    expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'dnd' });
    expect(await alice.emit('call:invite', { to: 'bob', media: AUDIO })).toMatchObject({ ok: false, code: 'dnd' });
    const latest = expectOk(await alice.emit('history:list', { limit: 2 })).calls;
    expect(latest.map((c) => [c.outcome, c.attempts])).toEqual([
      ['dnd', 2],
      ['offline', 6],
    ]);
  });

  it('calls older than the retention are deleted with their participants; newer ones and calls still open stay', async () => {
    const server = await startTestServer({ historyDays: 30 });
    const { alice, bob, carol } = await team(server, 'alice', 'bob', 'carol');
    const oldCall = await establishCall(alice, bob);
    expectOk(await alice.emit('call:add', { callId: oldCall, to: 'carol' }));
    await carol.next('call:incoming', (p) => p.callId === oldCall);
    expectOk(await carol.emit('call:accept', { callId: oldCall }));
    for (const d of [alice, bob]) expectOk(await d.emit('call:hangup', { callId: oldCall }));
    await carol.next('call:ended', (p) => p.callId === oldCall);
    const recent = await establishCall(alice, bob);
    expectOk(await alice.emit('call:hangup', { callId: recent }));
    const open = await establishCall(alice, carol); // still going on

    // The first call, and the one going on now, started 31 days ago as far as the store knows.
    const longAgo = Date.now() - 31 * DAY_MS;
    await server.db.updateTable('calls').set({ started_at: longAgo }).where('call_id', 'in', [oldCall, open]).execute();
    expect(await server.retention.prune()).toBe(1);

    const ids = (await server.db.selectFrom('calls').select('call_id').execute()).map((r) => r.call_id).sort();
    expect(ids).toEqual([recent, open].sort());
    const members = await server.db.selectFrom('call_participants').select(sql<number>`count(*)`.as('n')).where('call_id', '=', oldCall).executeTakeFirst();
    expect(Number(members?.n)).toBe(0);
    expect(expectOk(await bob.emit('history:list', {})).calls.map((c) => c.callId)).toEqual([recent]);
    // Nothing left to prune: a second round deletes nothing.
    expect(await new HistoryRepository(server.db).prune(Date.now() - 30 * DAY_MS)).toBe(0);
  });
});
