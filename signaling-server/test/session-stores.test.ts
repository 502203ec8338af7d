/**
 * The SessionStore contract on both stores, this node's memory and Redis (a
 * real redis-server, two connections standing for two nodes): a user's
 * devices as they come and go, one device or several.
 */
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../src/stores/memory.js';
import { RedisSessionStore } from '../src/stores/redis-sessions.js';
import type { DeviceSession, SessionStore } from '../src/stores/types.js';
import { redisPair } from './test-stores.js';

const stores: [string, () => Promise<[SessionStore, SessionStore]>][] = [
  [
    'memory',
    () => {
      const store = new MemorySessionStore();
      return Promise.resolve([store, store]);
    },
  ],
  [
    'Redis',
    async () => {
      const [one, two] = await redisPair();
      return [new RedisSessionStore(one, 'node-a'), new RedisSessionStore(two, 'node-b')];
    },
  ],
];

const session = (sessionId: string, username: string): DeviceSession => ({
  sessionId,
  device: `${username}:${sessionId}`,
  username,
  displayName: username.toUpperCase(),
  status: 'available',
  connectedAt: 1,
});

const ids = async (store: SessionStore, username: string) => (await store.byUser(username)).map((s) => s.sessionId).sort();

describe.each(stores)('SessionStore (%s)', (_name, make) => {
  it("keeps a user's devices as they come and go: one, two, three, then fewer", async () => {
    const [a, b] = await make();
    expect((await a.reserve(session('s1', 'alice'))).map((s) => s.sessionId)).toEqual(['s1']);
    expect((await b.reserve(session('s2', 'alice'))).map((s) => s.sessionId).sort()).toEqual(['s1', 's2']);
    await a.reserve(session('s3', 'alice'));
    await a.reserve(session('t1', 'bob'));
    expect(await ids(b, 'alice')).toEqual(['s1', 's2', 's3']);
    expect((await a.remove('s2'))?.sessionId).toBe('s2');
    expect(await ids(a, 'alice')).toEqual(['s1', 's3']);
    await b.remove('s1');
    expect(await ids(a, 'alice')).toEqual(['s3']);
    expect((await a.setStatus('s3', 'away'))?.status).toBe('away');
    expect(await a.remove('s3')).toBeDefined();
    expect(await ids(b, 'alice')).toEqual([]);
    expect(await a.remove('s3')).toBeUndefined();
    expect(await ids(a, 'bob')).toEqual(['t1']);
    expect(await a.count()).toBe(1);
  });

  it('takes a session reserved twice as one, and forgets a removed one for good', async () => {
    const [a] = await make();
    await a.reserve(session('s1', 'carol'));
    expect((await a.reserve(session('s1', 'carol'))).map((s) => s.sessionId)).toEqual(['s1']);
    await a.remove('s1');
    expect(await a.get('s1')).toBeUndefined();
    expect(await ids(a, 'carol')).toEqual([]);
    await a.reserve(session('s4', 'carol'));
    expect(await ids(a, 'carol')).toEqual(['s4']);
  });
});
