/**
 * Who signed in last on this device, and where: the sign-in screen starts
 * from them after a sign-out, as a phone keeps its account. Never the
 * password or the token (the session store keeps the token while signed in).
 */
import { z } from 'zod/mini';
import { readPersisted, writePersisted } from '../lib/persisted.js';

const KEY = 'parley.lastSignIn';
const schema = z.object({ serverUrl: z.string().check(z.maxLength(2048)), username: z.string().check(z.maxLength(64)) });
export type LastSignIn = z.infer<typeof schema>;

export function readLastSignIn(): LastSignIn | null {
  return readPersisted<LastSignIn | null>(KEY, z.nullable(schema), null);
}

export function rememberSignIn(serverUrl: string, username: string): void {
  writePersisted(KEY, { serverUrl, username } satisfies LastSignIn);
}
