/**
 * The stores' connection to Redis bounds how long a command may wait: a
 * Redis that takes the connection but does not answer (here: CLIENT PAUSE)
 * gets a request answered `unavailable` after COMMAND_TIMEOUT_MS, not a
 * request that hangs; once Redis answers again, so does the connection.
 */
import { expect, it } from 'vitest';
import { createClient } from 'redis';
import { createLogger } from '../src/logger.js';
import { COMMAND_TIMEOUT_MS, RedisConnection } from '../src/redis/connection.js';
import { StoreUnavailableError } from '../src/stores/types.js';
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
