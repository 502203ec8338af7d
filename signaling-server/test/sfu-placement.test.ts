/**
 * Which Janus a call's room is on (src/sfu/placement.ts), against this
 * node's memory and a real Redis (two connections standing for two nodes):
 * the first to place it wins, a move happens only off the instance it is on,
 * and the first node to move it decides for the others.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MemoryPlacement, RedisPlacement, type RoomPlacement } from '../src/sfu/placement.js';
import { missingTool } from './coturn.js';
import { redisPair } from './test-stores.js';

const kinds: [string, () => Promise<[RoomPlacement, RoomPlacement]>][] = [
  [
    'memory',
    () => {
      const placement = new MemoryPlacement();
      return Promise.resolve([placement, placement]);
    },
  ],
  [
    'Redis',
    async () => {
      const [one, two] = await redisPair();
      return [new RedisPlacement(one), new RedisPlacement(two)];
    },
  ],
];
const noRedis = missingTool('redis-server', 'redis-server', 'sfu-placement.test.ts');

describe.each(kinds)('room placement (%s)', (kind, make) => {
  it.skipIf(kind === 'Redis' && noRedis)('the first node to place a room decides for every node; a move goes only off the instance it is on', async () => {
    const [one, two] = await make();
    const callId = randomUUID();
    expect(await one.get(callId)).toBeUndefined();
    // Both nodes race to place it, each on the instance it found least loaded: one wins.
    const placed = await Promise.all([one.claim(callId, 1), two.claim(callId, 0)]);
    expect(placed[0]).toBe(placed[1]);
    const at = placed[0];
    expect(await two.get(callId)).toBe(at);
    // Its instance went away: both nodes see it and move it, each to its choice; the first move stands.
    const other = at === 0 ? 1 : 0;
    expect(await one.move(callId, at, other)).toBe(other);
    expect(await two.move(callId, at, 2)).toBe(other);
    expect(await one.get(callId)).toBe(other);
    // Other calls are placed on their own.
    expect(await two.claim(randomUUID(), 2)).toBe(2);
  });
});
