/**
 * Limiters counted in Redis, shared by every node. While Redis is
 * unreachable each node counts in its own memory instead
 * (rate-limiter-flexible's insurance limiter), so sign-in keeps working and
 * keeps being throttled.
 */
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { MakeLimiter } from '../limits.js';
import type { RedisConnection } from './connection.js';

export function redisLimiter(redis: RedisConnection): MakeLimiter {
  return (options) =>
    new RateLimiterRedis({
      ...options,
      storeClient: redis.timedClient,
      useRedisPackage: true,
      keyPrefix: `${redis.prefix}limit:${options.keyPrefix}`,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory(options),
    });
}
