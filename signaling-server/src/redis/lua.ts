/**
 * A Lua script for Redis, named by its SHA-1 (EVALSHA first, EVAL when Redis
 * has not seen it). Its own module, without the Redis client: the modules that
 * define scripts are also loaded by a node that has no Redis (the memory
 * stores beside them), which then never loads the client.
 */
import { createHash } from 'node:crypto';

export interface LuaScript {
  text: string;
  sha: string;
}

export function lua(text: string): LuaScript {
  return { text, sha: createHash('sha1').update(text).digest('hex') };
}
