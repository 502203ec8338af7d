/**
 * A frame of a call's chat channel read as JSON: the chat messages and their
 * receipts (chat.ts), the file transfers' control messages (file-wire.ts) and
 * the callee's answered word (answer-word.ts) all share the channel, each
 * with its schemas.
 */
import type { z } from 'zod/mini';

/** What the first of `schemas` makes of `data`, a JSON string of at most `max` characters; null when none accepts it. */
export function parseFrame<S extends z.ZodMiniType>(data: unknown, max: number, schemas: readonly S[]): z.infer<S> | null {
  if (typeof data !== 'string' || data.length > max) return null;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return null;
  }
  for (const schema of schemas) {
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
  }
  return null;
}
