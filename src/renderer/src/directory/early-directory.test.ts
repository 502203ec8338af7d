import { afterEach, describe, expect, it, vi } from 'vitest';
import { SESSION_KEY } from '../connection/session-store.js';
import { MemoryStorage } from '../test-support/memory-storage.js';
import { DIRECTORY_CACHE_KEY } from './directory-cache.js';
import { takeEarlyDirectory } from './early-directory.js';
import EARLY_JS from '../../early.js?raw';
const ALICE = { serverUrl: 'https://parley.example', username: 'alice' };
const SESSION = { serverUrl: ALICE.serverUrl, token: 'tok', expiresAt: Date.now() + 60_000, user: { username: 'alice', displayName: 'Alice' } };
const TEAM = [{ username: 'bob', displayName: 'Bob', status: 'available' as const }];

/** Runs early.js as a page would, with `stored` in its localStorage; what it asked for, and what it left on the window. */
function runEarly(stored: Record<string, string>, answer: 'ok' | 'refused' | 'unreachable' = 'ok') {
  const storage = new MemoryStorage();
  for (const [key, value] of Object.entries(stored)) storage.setItem(key, value);
  const requests: { url: string; init: RequestInit }[] = [];
  const workers: string[] = [];
  const window: { parleyEarlyDirectory?: unknown } = {};
  const document = { currentScript: { src: 'https://parley.example/early.js' } };
  const Worker = function (url: string) {
    workers.push(url);
  };
  const fetch = (url: string, init: RequestInit) => {
    requests.push({ url, init });
    if (answer === 'unreachable') return Promise.reject(new TypeError('Failed to fetch'));
    return Promise.resolve({ ok: answer === 'ok', json: () => Promise.resolve(answer === 'ok' ? { users: TEAM } : { code: 'unauthorized', message: 'Sign in first' }) });
  };
  // The script as a page runs it, with the page's globals given.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const run = new Function('localStorage', 'window', 'fetch', 'document', 'Worker', EARLY_JS) as (...globals: unknown[]) => void;
  run(storage, window, fetch, document, Worker);
  return { requests, window, workers };
}

afterEach(() => vi.unstubAllGlobals());

describe("early.js, before the app's code", () => {
  it("asks the remembered session's server for the list, by the app's own storage keys", async () => {
    const { requests, window } = runEarly({ [SESSION_KEY]: JSON.stringify(SESSION) });
    expect(requests).toEqual([{ url: 'https://parley.example/api/directory?limit=500', init: { headers: { authorization: 'Bearer tok' } } }]);
    vi.stubGlobal('window', window);
    expect(await takeEarlyDirectory(ALICE)).toEqual(TEAM);
  });

  it("leaves null when the server refuses or cannot be reached: the app's list waits for the socket", async () => {
    for (const answer of ['refused', 'unreachable'] as const) {
      const { requests, window } = runEarly({ [SESSION_KEY]: JSON.stringify(SESSION) }, answer);
      expect(requests).toHaveLength(1);
      vi.stubGlobal('window', window);
      expect(await takeEarlyDirectory(ALICE), answer).toBeNull();
    }
  });

  it('asks for nothing on a returning visit (a list is kept), or without a live session', () => {
    const kept = { [SESSION_KEY]: JSON.stringify(SESSION), [DIRECTORY_CACHE_KEY]: '{}' };
    const session = (changes: object) => ({ [SESSION_KEY]: JSON.stringify({ ...SESSION, ...changes }) });
    const cases: Record<string, string>[] = [
      kept,
      {},
      session({ expiresAt: Date.now() - 1 }),
      { [SESSION_KEY]: 'not json' },
      // Not a server the app would accept, or no token: nothing is sent.
      session({ serverUrl: 'javascript:alert(1)' }),
      session({ serverUrl: undefined }),
      session({ token: undefined }),
    ];
    const workers = (stored: Record<string, string>) => (stored === kept ? [] : ['https://parley.example/early.js']);
    for (const stored of cases) expect(runEarly(stored)).toEqual({ requests: [], window: {}, workers: workers(stored) });
  });

  it("loads the collator's data in a worker of its own script, on a first visit only", () => {
    expect(runEarly({ [SESSION_KEY]: JSON.stringify(SESSION) }).workers).toEqual(['https://parley.example/early.js']);
    // That worker: no document, so it makes a collator and ends.
    const closed: boolean[] = [];
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const worker = new Function('document', 'close', EARLY_JS) as (...globals: unknown[]) => void;
    worker(undefined, () => closed.push(true));
    expect(closed).toEqual([true]);
  });
});

describe('the list early.js asked for', () => {
  const early = (answer: unknown, who = ALICE) => ({ parleyEarlyDirectory: { ...who, answer: Promise.resolve(answer) } });

  it("is taken once, and only for this session's server and user", async () => {
    vi.stubGlobal('window', early({ users: TEAM }));
    expect(await takeEarlyDirectory(ALICE)).toEqual(TEAM);
    expect(await takeEarlyDirectory(ALICE)).toBeNull();
    for (const who of [{ ...ALICE, username: 'mallory' }, { ...ALICE, serverUrl: 'https://elsewhere.example' }]) {
      vi.stubGlobal('window', early({ users: TEAM }, who));
      expect(await takeEarlyDirectory(ALICE)).toBeNull();
    }
  });

  it('is null when refused, malformed or too long, and the list waits for the socket', async () => {
    const tooMany = Array.from({ length: 501 }, (_, i) => ({ username: `user${i}`, displayName: `User ${i}`, status: 'offline' }));
    for (const answer of [null, {}, { users: 'bob' }, { users: [{ username: 'bob' }] }, { users: tooMany }, { code: 'unauthorized', message: 'Sign in' }]) {
      vi.stubGlobal('window', early(answer));
      expect(await takeEarlyDirectory(ALICE), JSON.stringify(answer).slice(0, 40)).toBeNull();
    }
    vi.stubGlobal('window', {});
    expect(await takeEarlyDirectory(ALICE)).toBeNull();
  });
});
