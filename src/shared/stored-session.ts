/**
 * A signed-in session as the app remembers it (the desktop's main process
 * encrypted, a browser in localStorage). Its own module: the renderer reads
 * it before the first paint without the rest of the IPC contract.
 */
import { z } from 'zod/mini';

export const storedSessionSchema = z.strictObject({
  serverUrl: z.url({ protocol: /^https?$/ }).check(z.maxLength(2048)),
  token: z.string().check(z.minLength(1), z.maxLength(4096)),
  expiresAt: z.int().check(z.positive()),
  user: z.strictObject({
    username: z.string().check(z.minLength(2), z.maxLength(32)),
    displayName: z.string().check(z.minLength(1), z.maxLength(64)),
  }),
});
export type StoredSession = z.infer<typeof storedSessionSchema>;
