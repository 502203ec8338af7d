/**
 * A first visit's contact list, asked for before the app's code has loaded.
 *
 * src/renderer/early.js, a classic script index.html runs deferred before the
 * app's scripts (which wait for it), sees whether this browser keeps a list
 * from the last visit (directory-cache.ts). When it does not and a session is
 * remembered (a browser's, in localStorage; the desktop app's main process
 * keeps its own), it asks the server for the list over HTTP
 * (`GET /api/directory`), so the list is here when the shell is drawn rather
 * than after the socket's handshake; and it starts itself again as a worker,
 * whose Intl.Collator loads ICU's collation data (14 to 36 ms here) for the
 * list's sort (contacts-view.ts) off the page's main thread: the data is the
 * renderer process's, so the page's own first collator then takes 0.1 ms. A returning visit
 * draws the kept list without either (its copy for the next visit is sorted
 * with a collator later, after the list is usable). early.js names the
 * storage keys itself (early-directory.test.ts checks them).
 *
 * Its answer is read like any input: validated, this session's server and
 * user only, taken once; anything else is null, and the list waits for the socket.
 */
import type { DirectoryEntry } from 'parley-server/protocol';
import { ownersList, type DirectoryOwner } from './directory-cache.js';

declare global {
  interface Window {
    /** What early.js leaves: whose list it asked for, and the server's answer (null when refused or unreachable). */
    parleyEarlyDirectory?: { serverUrl: unknown; username: unknown; answer: Promise<unknown> };
  }
}

/** The listing early.js fetched for `owner`, once it has arrived; null when there is none (or not theirs, or malformed). */
export async function takeEarlyDirectory(owner: DirectoryOwner): Promise<DirectoryEntry[] | null> {
  const early = window.parleyEarlyDirectory;
  delete window.parleyEarlyDirectory;
  if (!early) return null;
  const answer = await early.answer;
  return ownersList(owner, { serverUrl: early.serverUrl, username: early.username, users: (answer as { users?: unknown } | null)?.users });
}
