/**
 * The CallStore contract, run against both stores: this node's memory and
 * Redis (a real redis-server, two connections standing for two nodes). A
 * call's indexes follow its members and devices as it changes (ringing,
 * answered, someone added, joining, leaving, ended), a change that would put
 * someone in two calls is refused, and the races two nodes can run (an
 * answer, the last place in a room, opening a room) have exactly one winner.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as membership from '../src/calls/membership.js';
import { MemoryCallStore } from '../src/stores/memory.js';
import { RedisCallStore } from '../src/stores/redis-calls.js';
import type { Call, CallStore, Participant } from '../src/stores/types.js';
import { redisPair } from './test-stores.js';

/** Two views of one store, as two nodes have: the same instance in memory, two connections to one Redis database. */
type Pair = [CallStore, CallStore];

const stores: [string, () => Promise<Pair>][] = [
  [
    'memory',
    () => {
      const store = new MemoryCallStore();
      return Promise.resolve([store, store]);
    },
  ],
  [
    'Redis',
    async () => {
      const [one, two] = await redisPair();
      return [new RedisCallStore(one), new RedisCallStore(two)];
    },
  ],
];

const AUDIO = { audio: true, video: false };

function ringing(caller: string, callee: string, devices = [`${callee}:phone`, `${callee}:desk`]): Call {
  return {
    id: randomUUID(),
    caller,
    callerDevice: `${caller}:desk`,
    callee,
    calleeDevice: null,
    ringing: devices,
    media: AUDIO,
    state: 'ringing',
    startedAt: 1000,
    answeredAt: null,
    away: [],
    room: null,
    code: null,
    participants: [],
    invitations: [],
  };
}

const me = (username: string, at = 2000): Participant => ({ username, device: `${username}:desk`, joinedAt: at });

function room(name: string, opener: string): Call {
  return {
    ...ringing(opener, ''),
    callee: '',
    ringing: [],
    state: 'active',
    answeredAt: 1000,
    room: name,
    participants: [me(opener, 1000)],
  };
}

const ids = (calls: Call[]) => calls.map((c) => c.id);

describe.each(stores)('the %s CallStore', (_name, open) => {
  it('refuses a second call for the caller or the callee, and a second room of one name', async () => {
    const [store] = await open();
    const call = ringing('alice', 'bob');
    expect(await store.create(call)).toEqual({ ok: true });
    expect(await store.create(ringing('alice', 'carol'))).toEqual({ ok: false, conflict: 'caller' });
    expect(await store.create(ringing('carol', 'bob'))).toEqual({ ok: false, conflict: 'callee' });
    expect(await store.create(ringing('bob', 'alice'))).toEqual({ ok: false, conflict: 'caller' });
    const standup = room('standup', 'carol');
    expect(await store.create(standup)).toEqual({ ok: true });
    expect(await store.create(room('standup', 'dave'))).toEqual({ ok: false, conflict: 'room' });
    expect((await store.byRoom('standup'))?.id).toBe(standup.id);
    expect(await store.byRoom('other')).toBeUndefined();
    expect((await store.byUser('bob'))?.id).toBe(call.id);
    expect(ids(await store.byDevice('bob:phone'))).toEqual([call.id]);
    expect(ids(await store.all()).sort()).toEqual([call.id, standup.id].sort());
  });

  it('follows a call from ringing to answered, someone added, joining and leaving, then ended: users and devices indexed as it goes', async () => {
    const [store] = await open();
    const call = ringing('alice', 'bob');
    await store.create(call);
    const answered = await store.accept(call.id, 'bob:phone', 2000);
    expect(answered).toMatchObject({
      state: 'active',
      calleeDevice: 'bob:phone',
      answeredAt: 2000,
      ringing: [],
      participants: [
        { username: 'alice', device: 'alice:desk', joinedAt: 1000 },
        { username: 'bob', device: 'bob:phone', joinedAt: 2000 },
      ],
    });
    expect(await store.accept(call.id, 'bob:desk', 2001)).toBeUndefined();
    // The device that did not answer is no longer in it.
    expect(await store.byDevice('bob:desk')).toEqual([]);
    expect(ids(await store.byDevice('bob:phone'))).toEqual([call.id]);

    // Carol added: rung on her two devices, and "in a call" from then on.
    const invitation = { username: 'carol', devices: ['carol:desk', 'carol:phone'], by: 'alice', at: 3000 };
    const added = await store.update(call.id, membership.invite(invitation, 'alice:desk', 6));
    expect(added.ok).toBe(true);
    expect((await store.byUser('carol'))?.id).toBe(call.id);
    expect(ids(await store.byDevice('carol:phone'))).toEqual([call.id]);
    expect(await store.create(ringing('dave', 'carol'))).toEqual({ ok: false, conflict: 'callee' });

    // She answers on her desk: the phone drops out of it.
    const joined = await store.update(call.id, membership.acceptInvitation(me('carol', 4000), null));
    expect(joined.ok && joined.call.participants.map((p) => p.username)).toEqual(['alice', 'bob', 'carol']);
    expect(await store.byDevice('carol:phone')).toEqual([]);
    expect(ids(await store.byDevice('carol:desk'))).toEqual([call.id]);

    // A change that would add someone who is in another call is refused, and changes nothing.
    await store.create(ringing('dave', 'erin'));
    const before = await store.get(call.id);
    const busy = await store.update(call.id, membership.invite({ ...invitation, username: 'dave', devices: ['dave:desk'] }, 'alice:desk', 6));
    expect(busy).toEqual({ ok: false, refused: 'busy' });
    expect(await store.get(call.id)).toEqual(before);
    // A refusal of the change itself changes nothing either.
    expect(await store.update(call.id, membership.leave('nobody:desk'))).toEqual({ ok: false, refused: 'not_in_call' });
    expect(await store.update('no-such-call', membership.leave('bob:phone'))).toEqual({ ok: false, refused: 'not_found' });

    // Bob leaves: free for another call, his device out of it.
    const left = await store.update(call.id, membership.leave('bob:phone'));
    expect(left.ok && left.call.participants.map((p) => p.username)).toEqual(['alice', 'carol']);
    expect(await store.byUser('bob')).toBeUndefined();
    expect(await store.byDevice('bob:phone')).toEqual([]);
    expect(await store.create(ringing('bob', 'frank'))).toEqual({ ok: true });

    // Away and back, as a device losing its connection.
    expect((await store.setAway(call.id, 'carol:desk', true))?.away).toEqual(['carol:desk']);
    expect((await store.setAway(call.id, 'carol:desk', false))?.away).toEqual([]);

    // Ended only when the condition holds at that moment; then nothing of it is left.
    expect(await store.end(call.id, (c) => c.state === 'ringing')).toBeUndefined();
    expect((await store.end(call.id))?.id).toBe(call.id);
    expect(await store.end(call.id)).toBeUndefined();
    for (const u of ['alice', 'carol']) expect(await store.byUser(u)).toBeUndefined();
    for (const d of ['alice:desk', 'carol:desk']) expect(await store.byDevice(d)).toEqual([]);
    expect(ids(await store.all())).not.toContain(call.id);
  });

  it('a ringing device that stops ringing leaves the call’s devices; a room closes with its call', async () => {
    const [store] = await open();
    const call = ringing('alice', 'bob');
    await store.create(call);
    expect((await store.stopRinging(call.id, 'bob:desk'))?.ringing).toEqual(['bob:phone']);
    expect(await store.byDevice('bob:desk')).toEqual([]);
    const standup = room('standup', 'carol');
    await store.create(standup);
    expect((await store.update(standup.id, membership.join(me('dave'), 6, null))).ok).toBe(true);
    expect((await store.byUser('dave'))?.id).toBe(standup.id);
    await store.end(standup.id);
    expect(await store.byRoom('standup')).toBeUndefined();
    expect(await store.byUser('dave')).toBeUndefined();
    expect(await store.create(room('standup', 'erin'))).toEqual({ ok: true });
  });

  it('a change given the call as it was read decides on the call as it is when another node changed it since', async () => {
    const [a, b] = await open();
    // a read it ringing on both devices; b stops one ringing: a's answer from that device is refused.
    const call = ringing('alice', 'bob');
    await a.create(call);
    const seen = await a.get(call.id);
    expect((await b.stopRinging(call.id, 'bob:phone'))?.ringing).toEqual(['bob:desk']);
    expect(await a.accept(call.id, 'bob:phone', 2000, seen)).toBeUndefined();
    const answered = await a.accept(call.id, 'bob:desk', 2000, seen);
    expect(answered?.participants.map((p) => p.device)).toEqual(['alice:desk', 'bob:desk']);
    expect(answered?.ringing).toEqual([]);
    expect((await b.get(call.id))?.state).toBe('active');

    // a read it ringing, b answered it: ending it from what a read ends the call as it is now, indexes and all.
    const second = ringing('carol', 'dave');
    await b.create(second);
    const before = await a.get(second.id);
    expect(await b.accept(second.id, 'dave:phone', 3000)).toBeDefined();
    const ended = await a.end(second.id, (c) => c.caller === 'carol', before);
    expect(ended?.participants.map((p) => p.device)).toEqual(['carol:desk', 'dave:phone']);
    for (const u of ['carol', 'dave']) expect(await b.byUser(u)).toBeUndefined();
    for (const d of ['carol:desk', 'dave:phone', 'dave:desk']) expect(await b.byDevice(d)).toEqual([]);

    // a read a call b has ended since: changing or ending it finds no call.
    const third = ringing('erin', 'frank');
    await a.create(third);
    const gone = await a.get(third.id);
    expect(await b.end(third.id)).toBeDefined();
    expect(await a.update(third.id, (c) => c, gone)).toEqual({ ok: false, refused: 'not_found' });
    expect(await a.end(third.id, undefined, gone)).toBeUndefined();
  });

  it('races between two nodes have exactly one winner: an answer, the last place in a room, two devices of one user joining, opening a room', async () => {
    const [a, b] = await open();
    for (let round = 0; round < 20; round++) {
      const call = ringing(`caller${round}`, `callee${round}`);
      await a.create(call);
      const answers = await Promise.all([a.accept(call.id, call.ringing[0] ?? '', 2000), b.accept(call.id, call.ringing[1] ?? '', 2000)]);
      expect(answers.filter(Boolean), `round ${round}`).toHaveLength(1);

      // Mesh limit 3, two in: four people try for the last place at once, half through each node.
      const open = room(`room-${round}`, `host${round}`);
      await a.create(open);
      expect((await a.update(open.id, membership.join(me(`guest${round}`), 3, null))).ok).toBe(true);
      const joiners = [0, 1, 2, 3].map((i) => me(`joiner${round}-${i}`));
      const joins = await Promise.all(joiners.map((p, i) => (i % 2 ? b : a).update(open.id, membership.join(p, 3, null))));
      expect(joins.filter((r) => r.ok), `round ${round}`).toHaveLength(1);
      expect(joins.flatMap((r) => (r.ok ? [] : [r.refused]))).toEqual(['room_full', 'room_full', 'room_full']);
      const now = await b.get(open.id);
      expect(now?.participants).toHaveLength(3);
      // The losers are in no call.
      const winner = now?.participants[2]?.username;
      for (const p of joiners) expect((await a.byUser(p.username))?.id).toBe(p.username === winner ? open.id : undefined);

      // Two devices of one user joining at once: one gets in, the user is in it once.
      const busy = room(`busy-${round}`, `owner${round}`);
      await a.create(busy);
      const laptop = { ...me(`pair${round}`), device: `pair${round}:laptop` };
      const [l, p] = await Promise.all([a.update(busy.id, membership.join(laptop, 6, null)), b.update(busy.id, membership.join(me(`pair${round}`), 6, null))]);
      expect([l, p].filter((r) => r.ok), `round ${round}`).toHaveLength(1);
      expect([l, p].find((r) => !r.ok)).toEqual({ ok: false, refused: 'already_in' });
      expect((await a.get(busy.id))?.participants.map((x) => x.username)).toEqual([`owner${round}`, `pair${round}`]);

      // Two people opening one room at once: one opens it, the other is told it is open.
      const [x, y] = await Promise.all([a.create(room(`new-${round}`, `x${round}`)), b.create(room(`new-${round}`, `y${round}`))]);
      expect([x, y].filter((r) => r.ok), `round ${round}`).toHaveLength(1);
      expect([x, y].find((r) => !r.ok)).toEqual({ ok: false, conflict: 'room' });
    }
  });
});

describe('the Redis CallStore', () => {
  it('publishes what a creation carries in the same step, bytes as they are, and only when it makes the call', async () => {
    const [one, two] = await redisPair();
    const store = new RedisCallStore(one);
    const heard: Buffer[] = [];
    await two.sub.subscribe('ring-test', (message: Buffer) => heard.push(message), true);
    // A message as the Socket.IO adapter encodes it is binary (msgpack): no byte may be lost on the way.
    const message = (text: string) => Buffer.concat([Buffer.from([0x93, 0x00, 0xc1, 0xff]), Buffer.from(text)]);
    const publish = (text: string) => [{ channel: 'ring-test', message: message(text) }];
    expect(await store.create(ringing('alice', 'bob'), publish('made'))).toEqual({ ok: true });
    // Bob is in that call: this one is refused and publishes nothing.
    expect(await store.create(ringing('carol', 'bob'), publish('refused'))).toEqual({ ok: false, conflict: 'callee' });
    expect(await store.create(ringing('dave', 'erin'), publish('made too'))).toEqual({ ok: true });
    // Published in the order the scripts ran: once the last is heard, a publish of the refused one would have been too.
    await expect.poll(() => heard.length).toBe(2);
    expect(heard).toEqual([message('made'), message('made too')]);
  });
});
