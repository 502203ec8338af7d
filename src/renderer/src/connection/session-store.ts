/**
 * Remembers the signed-in session: in the desktop app through the main
 * process (token encrypted with safeStorage), in a browser in localStorage.
 */
import { z } from 'zod/mini';
import { storedSessionSchema, type StoredSession } from '../../../shared/stored-session.js';
import { readPersisted, removePersisted, writePersisted } from '../lib/persisted.js';

export const SESSION_KEY = 'parley.session.v1';

export interface SessionStore {
  load(): Promise<StoredSession | null>;
  save(session: StoredSession): Promise<void>;
  clear(): Promise<void>;
}

export function sessionStore(): SessionStore {
  const desktop = typeof window === 'undefined' ? undefined : window.parley;
  if (desktop) return desktop.session;
  return {
    load: () => Promise.resolve(readPersisted(SESSION_KEY, z.nullable(storedSessionSchema), null)),
    save: (s) => Promise.resolve(writePersisted(SESSION_KEY, s)),
    clear: () => Promise.resolve(removePersisted(SESSION_KEY)),
  };
}
