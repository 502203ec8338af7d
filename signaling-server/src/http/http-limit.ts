/**
 * A counting limit on an HTTP route: one point of `key`'s budget per request,
 * and past it `429 rate_limited` with the words given and a Retry-After
 * (http-failure.ts). The limiter's store (memory or Redis) is the caller's.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { HttpFailure } from './http-failure.js';

export async function withinLimit(limiter: RateLimiterAbstract, key: string, refusal: string): Promise<void> {
  try {
    await limiter.consume(key);
  } catch (err) {
    if (err instanceof RateLimiterRes) throw new HttpFailure(429, 'rate_limited', refusal, err.msBeforeNext);
    throw err;
  }
}
