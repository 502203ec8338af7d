/**
 * Where counting limiters keep their counts (rate-limiter-flexible): this
 * node's memory by default, Redis when nodes share state (see
 * redis/redis-limiters.ts), so a limit holds however a load balancer spreads
 * the requests.
 */
import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  duration: number;
}

export type MakeLimiter = (options: LimiterOptions) => RateLimiterAbstract;

export const memoryLimiter: MakeLimiter = (options) => new RateLimiterMemory(options);
