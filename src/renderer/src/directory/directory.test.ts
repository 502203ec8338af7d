/**
 * A returning visit's list gets this session's statuses from session:ready:
 * the handshake names the cached contacts, so their Call buttons need not
 * wait for the listing. What the connection heard first is newer and stays.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeLink } from '../test-support/call-fakes.js';
import { MemoryStorage } from '../test-support/memory-storage.js';
import { writeCachedDirectory } from './directory-cache.js';
import { Directory } from './directory.svelte.js';

const OWNER = { serverUrl: 'https://parley.example', username: 'alice' };

beforeEach(() => {
  vi.stubGlobal('localStorage', new MemoryStorage());
  writeCachedDirectory(OWNER, [
    { username: 'bob', displayName: 'Bob', status: 'available' },
    { username: 'carol', displayName: 'Carol', status: 'available' },
  ]);
});
afterEach(() => vi.unstubAllGlobals());

function cachedDirectory() {
  const link = new FakeLink();
  const directory = new Directory({ link, me: () => 'alice', saveFavorites: () => undefined, owner: () => OWNER });
  directory.showCached();
  return { link, directory };
}

const status = (d: Directory, username: string) => d.entries.get(username)?.status;

describe("the contacts' presence at connect", () => {
  it('names the cached list in the handshake, and takes its statuses from session:ready', () => {
    const { directory } = cachedDirectory();
    expect(directory.presenceKnown).toBe(false);
    expect(directory.handshakeWatch().sort()).toEqual(['bob', 'carol']);
    directory.snapshot([
      { username: 'alice', status: 'available' },
      { username: 'bob', status: 'dnd' },
      { username: 'carol', status: 'offline' },
    ]);
    expect(status(directory, 'bob')).toBe('dnd');
    expect(status(directory, 'carol')).toBe('offline');
    expect(directory.presenceKnown).toBe(true);
    // The listing is still to come: the list is not "loaded" (its members may change).
    expect(directory.loaded).toBe(false);
  });

  it("keeps a change heard on this connection before session:ready, which is newer than the snapshot", () => {
    const { link, directory } = cachedDirectory();
    directory.handshakeWatch();
    link.emit('presence:changes', { changes: [{ username: 'bob', displayName: 'Bob', status: 'away' }] });
    directory.snapshot([
      { username: 'alice', status: 'available' },
      { username: 'bob', status: 'available' },
      { username: 'carol', status: 'dnd' },
    ]);
    expect(status(directory, 'bob')).toBe('away');
    expect(status(directory, 'carol')).toBe('dnd');
  });

  it('an older server sends only the user: the presence stays unknown until the listing', async () => {
    const { link, directory } = cachedDirectory();
    directory.handshakeWatch();
    directory.snapshot([{ username: 'alice', status: 'available' }]);
    expect(directory.presenceKnown).toBe(false);
    expect(status(directory, 'bob')).toBe('available'); // last visit's, shown as unknown
    link.replies.set('directory:list', () => ({ ok: true, users: [{ username: 'bob', displayName: 'Bob', status: 'offline' }] }));
    await directory.load();
    expect(directory.presenceKnown).toBe(true);
    expect([...directory.entries.keys()]).toEqual(['bob']);
  });

  it('a first visit names nobody', () => {
    vi.stubGlobal('localStorage', new MemoryStorage());
    const { directory } = cachedDirectory();
    expect(directory.handshakeWatch()).toEqual([]);
  });
});

describe("a first visit's list asked for by early.js", () => {
  const TEAM = [{ username: 'bob', displayName: 'Bob', status: 'dnd' as const }];
  const asked = (answer: unknown) => vi.stubGlobal('window', { parleyEarlyDirectory: { ...OWNER, answer: Promise.resolve(answer) } });

  function firstVisit(owner: () => typeof OWNER | null = () => OWNER) {
    vi.stubGlobal('localStorage', new MemoryStorage());
    const link = new FakeLink();
    link.connected = false;
    const directory = new Directory({ link, me: () => 'alice', saveFavorites: () => undefined, owner });
    return { link, directory };
  }

  it("is shown before the handshake with this session's statuses, and named in it", async () => {
    const { directory } = firstVisit();
    asked({ users: TEAM });
    await directory.showEarly();
    expect([...directory.entries.values()]).toEqual(TEAM);
    expect(directory.presenceKnown).toBe(true);
    expect(directory.loaded).toBe(false);
    expect(directory.handshakeWatch()).toEqual(['bob']);
  });

  it('is not shown when its user signed out (or someone else signed in) while it was on its way', async () => {
    let owner: typeof OWNER | null = OWNER;
    const { directory } = firstVisit(() => owner);
    let answer = (_: unknown): void => undefined;
    vi.stubGlobal('window', { parleyEarlyDirectory: { ...OWNER, answer: new Promise((resolve) => (answer = resolve)) } });
    const shown = directory.showEarly();
    owner = { ...OWNER, username: 'mallory' };
    answer({ users: TEAM });
    await shown;
    expect(directory.entries.size).toBe(0);
  });

  it('leaves out whoever was removed meanwhile, and after the handshake shows its statuses as unknown', async () => {
    const { link, directory } = firstVisit();
    link.connected = true;
    link.emit('directory:removed', { username: 'bob' });
    asked({ users: [...TEAM, { username: 'carol', displayName: 'Carol', status: 'available' }] });
    await directory.showEarly();
    expect([...directory.entries.keys()]).toEqual(['carol']);
    // Named in no handshake: nobody watches it until the socket's listing.
    expect(directory.presenceKnown).toBe(false);
  });

  it("never replaces the socket's listing that came first", async () => {
    const { link, directory } = firstVisit();
    link.connected = true;
    link.replies.set('directory:list', () => ({ ok: true, users: [{ username: 'carol', displayName: 'Carol', status: 'offline' }] }));
    await directory.load();
    asked({ users: TEAM });
    await directory.showEarly();
    expect([...directory.entries.keys()]).toEqual(['carol']);
  });
});
