/**
 * The PresenceStore contract, run against both stores: this node's memory
 * and Redis (a real redis-server, two connections standing for two nodes).
 * Two refreshes of one user on two nodes can read the user's state in one
 * order and publish in the other: the one that read earlier is refused, and
 * every node's listeners get the recorded changes in one order, so watchers
 * end on the recorded status.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Status } from '../src/protocol/index.js';
import { RedisConnection } from '../src/redis/connection.js';
import { MemoryPresenceStore } from '../src/stores/memory.js';
import { RedisPresenceStore } from '../src/stores/redis-presence.js';
import type { PresenceChange, PresenceStore } from '../src/stores/types.js';
import { redisPair, testRedis } from './test-stores.js';

const connections: RedisConnection[] = [];
afterAll(async () => {
  for (const c of connections.splice(0)) await c.close();
});

/** Two nodes' views of one store, each with what its listener heard. */
interface Node {
  store: PresenceStore;
  heard: PresenceChange[];
}

async function nodes(make: () => Promise<[PresenceStore, PresenceStore]>): Promise<[Node, Node]> {
  const [a, b] = await make();
  const pair: [Node, Node] = [
    { store: a, heard: [] },
    { store: b, heard: [] },
  ];
  for (const n of pair) await n.store.subscribe((c) => n.heard.push(c));
  return pair;
}

const stores: [string, () => Promise<[PresenceStore, PresenceStore]>][] = [
  [
    'memory',
    () => {
      const store = new MemoryPresenceStore();
      return Promise.resolve([store, store]);
    },
  ],
  [
    'Redis',
    async () => {
      const [one, two] = await redisPair();
      return [new RedisPresenceStore(one), new RedisPresenceStore(two)];
    },
  ],
];

const change = (username: string, status: Status): PresenceChange => ({ username, displayName: username.toUpperCase(), status });

/**
 * A change of `marker`'s status published after everything else: once every
 * node heard it, it heard everything recorded before (one order for all).
 */
async function heardEverything(pair: [Node, Node], status: Status): Promise<void> {
  const [a] = pair;
  await a.store.publish(change('marker', status), await a.store.stamp());
  for (const n of pair) {
    await expect.poll(() => n.heard.some((c) => c.username === 'marker' && c.status === status), { timeout: 5000, interval: 10 }).toBe(true);
  }
}

const of = (n: Node, username: string) => n.heard.filter((c) => c.username === username).map((c) => c.status);

describe.each(stores)('PresenceStore (%s)', (_name, make) => {
  it('a refresh that read before another cannot overwrite it, even when it publishes last', async () => {
    const pair = await nodes(make);
    const [a, b] = pair;
    const early = await a.store.stamp(); // node a reads bob's devices…
    const late = await b.store.stamp(); // …a device changes, and node b reads again
    expect(await b.store.publish(change('bob', 'away'), late)).toBe('away');
    expect(await a.store.publish(change('bob', 'available'), early)).toBe('away');
    expect(await a.store.get('bob')).toBe('away');
    expect(await b.store.statuses(['bob'])).toEqual(['away']);
    await heardEverything(pair, 'dnd');
    for (const n of pair) expect(of(n, 'bob')).toEqual(['away']);
  });

  it('only changes are announced, once to each node; offline removes the user from the snapshot', async () => {
    const pair = await nodes(make);
    const [a, b] = pair;
    await a.store.publish(change('bob', 'away'), await a.store.stamp());
    await b.store.publish(change('bob', 'away'), await b.store.stamp());
    expect(await b.store.snapshot()).toEqual([{ username: 'bob', status: 'away' }]);
    await a.store.publish(change('bob', 'offline'), await a.store.stamp());
    await b.store.publish(change('bob', 'offline'), await b.store.stamp());
    expect(await b.store.snapshot()).toEqual([]);
    await heardEverything(pair, 'away');
    for (const n of pair) expect(n.heard.filter((c) => c.username === 'bob')).toEqual([change('bob', 'away'), change('bob', 'offline')]);
  });

  it('many refreshes racing from two nodes: every node hears the same changes in the same order, ending on the recorded status', async () => {
    const pair = await nodes(make);
    const statuses: Status[] = ['available', 'away', 'dnd', 'busy', 'offline'];
    for (let round = 0; round < 20; round++) {
      // Stamps taken in one order, published in a shuffled one, from both nodes at once.
      const refreshes = await Promise.all(
        Array.from({ length: 8 }, async (_, i) => {
          const node = pair[i % 2] as Node;
          return { node, stamp: await node.store.stamp(), status: statuses[(round * 3 + i) % statuses.length] as Status };
        }),
      );
      refreshes.sort(() => Math.random() - 0.5);
      await Promise.all(refreshes.map((r) => r.node.store.publish(change('bob', r.status), r.stamp)));
      const newest = refreshes.reduce((x, y) => (y.stamp > x.stamp ? y : x));
      const recorded = await pair[0].store.get('bob');
      expect(recorded).toBe(newest.status);
      await heardEverything(pair, round % 2 === 0 ? 'away' : 'available');
      const [heardA, heardB] = pair.map((n) => of(n, 'bob'));
      expect(heardA).toEqual(heardB);
      expect(heardA?.at(-1) ?? 'offline').toBe(recorded);
    }
  });
});

describe('PresenceStore (Redis) after Redis lost its data', () => {
  it('a refresh in flight across the loss is recorded, and the refreshes after it still win', async () => {
    const url = await (await testRedis()).freshUrl();
    const redis = new RedisConnection(url, createLogger('silent'));
    connections.push(redis);
    await redis.connect();
    const store = new RedisPresenceStore(redis);
    for (let i = 0; i < 5; i++) await store.stamp();
    const inFlight = await store.stamp();
    await redis.client.flushDb(); // Redis restarted empty
    expect(await store.publish(change('bob', 'away'), inFlight)).toBe('away');
    const after = await store.stamp();
    expect(after).toBeGreaterThan(inFlight);
    expect(await store.publish(change('bob', 'dnd'), after)).toBe('dnd');
    expect(await store.get('bob')).toBe('dnd');
  });
});
