/**
 * The stores' connection to Redis bounds how long a command may wait: a
 * Redis that takes the connection but does not answer (here: CLIENT PAUSE)
 * gets a request answered `unavailable` after COMMAND_TIMEOUT_MS, not a
 * request that hangs; once Redis answers again, so does the connection. The
 * wait is counted while this process runs: a stall of its own is not Redis's.
 * Redis counts as back only when all three connections are (the subscriber
 * subscribed again), since until then other nodes' events are lost.
 */
import { expect, it } from 'vitest';
import { createClient } from 'redis';
import { createLogger } from '../src/logger.js';
import { COMMAND_TIMEOUT_MS, RedisConnection } from '../src/redis/connection.js';
import { StoreUnavailableError } from '../src/stores/types.js';
import { RedisServer } from './redis-server.js';
import { testRedis } from './test-stores.js';

it('a command Redis does not answer is refused as unavailable after the command timeout; the connection works again after', async () => {
  const url = await (await testRedis()).freshUrl();
  const redis = new RedisConnection(url, createLogger('silent'));
  await redis.connect();
  const admin = createClient({ url });
  await admin.connect();
  try {
    await redis.ping();
    // Redis holds every client's commands (but answers this one) for longer than the timeout.
    await admin.sendCommand(['CLIENT', 'PAUSE', String(COMMAND_TIMEOUT_MS + 3000), 'ALL']);
    await expect(redis.run(() => redis.client.get('anything'))).rejects.toBeInstanceOf(StoreUnavailableError);
    await admin.sendCommand(['CLIENT', 'UNPAUSE']);
    await expect(redis.run(() => redis.client.set('anything', 'x'))).resolves.toBe('OK');
  } finally {
    await admin.sendCommand(['CLIENT', 'UNPAUSE']).catch(() => undefined);
    admin.destroy();
    await redis.close();
  }
}, 30_000);

it("a command waiting across this process's own stall gets its whole timeout from the resume", async () => {
  // Its own Redis, stopped (SIGSTOP) as a stalled machine's would be: a pause of the shared one would stall other files.
  const server = await RedisServer.start();
  const redis = new RedisConnection(server.url(), createLogger('silent'));
  try {
    await redis.connect();
    server.pause();
    const answer = redis.run(() => redis.client.set('anything', 'x'));
    // This process stalls past the timeout (its event loop held), then Redis answers 2 s after it resumes.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, COMMAND_TIMEOUT_MS + 500);
    setTimeout(() => server.resume(), 2000);
    await expect(answer).resolves.toBe('OK');
  } finally {
    server.resume();
    await redis.close();
    await server.close();
  }
}, 30_000);

it('after its subscriber dropped alone, the connection counts as back only once that subscriber has subscribed again', async () => {
  // Its own Redis: CLIENT KILL TYPE pubsub would cut every other file's subscribers too.
  const server = await RedisServer.start();
  const redis = new RedisConnection(server.url(), createLogger('silent'));
  const admin = createClient({ url: server.url() });
  try {
    await redis.connect();
    await admin.connect();
    const heard: string[] = [];
    await redis.sub.subscribe('parley-test', (message) => heard.push(message));
    // Read as the subscriber's connection drops (a poll could miss the moment: it reconnects within 0.1 s).
    const whenDropped = new Promise<boolean>((resolve) => redis.sub.once('error', () => resolve(redis.available)));
    const back = new Promise<boolean>((resolve) => redis.onReconnect(() => resolve(redis.available)));
    await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    expect(await whenDropped).toBe(false);
    expect(await back).toBe(true);
    // Told back means subscribed again: what is published now is heard.
    await admin.publish('parley-test', 'after');
    await expect.poll(() => heard).toEqual(['after']);
  } finally {
    admin.destroy();
    await redis.close();
    await server.close();
  }
}, 30_000);
