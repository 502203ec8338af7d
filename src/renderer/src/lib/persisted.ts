/**
 * Small values kept between runs (settings, favorites, the web session) in
 * localStorage, validated on read: a corrupt or outdated value falls back
 * to the default instead of breaking the app.
 */
import type { z } from 'zod/mini';
import { logger } from './log.js';

const log = logger('storage');

/** Absent where storage is disabled (some private modes). */
const storage = (): Storage | undefined => globalThis.localStorage;

export function readPersisted<T>(key: string, schema: z.ZodMiniType<T>, fallback: T): T {
  const raw = storage()?.getItem(key);
  if (raw == null) return fallback;
  try {
    const parsed = schema.safeParse(JSON.parse(raw));
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON: fall through
  }
  log.warn(`ignoring an invalid stored ${key}`);
  return fallback;
}

export function writePersisted(key: string, value: unknown): void {
  storage()?.setItem(key, JSON.stringify(value));
}

export function removePersisted(key: string): void {
  storage()?.removeItem(key);
}
