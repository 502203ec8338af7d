import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '../test-support/memory-storage.js';
import { DIRECTORY_CACHE_KEY, forgetCachedDirectory, readCachedDirectory, writeCachedDirectory } from './directory-cache.js';

const ALICE = { serverUrl: 'https://parley.example', username: 'alice' };
const TEAM = [
  { username: 'bob', displayName: 'Bob', status: 'available' as const },
  { username: 'carol', displayName: 'Carol', status: 'offline' as const },
];

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  vi.stubGlobal('localStorage', storage);
});
afterEach(() => vi.unstubAllGlobals());

describe('the contact list kept between visits', () => {
  it('reads back what was written for the same server and user', () => {
    writeCachedDirectory(ALICE, TEAM);
    expect(readCachedDirectory(ALICE)).toEqual(TEAM);
  });

  it('keeps the list in name order, so the next visit sorts a sorted list', () => {
    const team = [
      { username: 'zed', displayName: 'Zed', status: 'available' as const },
      { username: 'eve', displayName: 'Ève', status: 'offline' as const },
      { username: 'amy', displayName: 'amy', status: 'away' as const },
    ];
    writeCachedDirectory(ALICE, team);
    expect(readCachedDirectory(ALICE)?.map((u) => u.username)).toEqual(['amy', 'eve', 'zed']);
  });

  it("is nobody else's: another user or server reads nothing", () => {
    writeCachedDirectory(ALICE, TEAM);
    expect(readCachedDirectory({ ...ALICE, username: 'mallory' })).toBeNull();
    expect(readCachedDirectory({ ...ALICE, serverUrl: 'https://elsewhere.example' })).toBeNull();
  });

  it.each([
    ['absent', null],
    ['not JSON', '{"users": ['],
    ['an entry without a status', JSON.stringify({ ...ALICE, users: [{ username: 'bob', displayName: 'Bob' }] })],
    ['an unknown status', JSON.stringify({ ...ALICE, users: [{ ...TEAM[0], status: 'partying' }] })],
    ['users not a list', JSON.stringify({ ...ALICE, users: 'bob' })],
    ['more than the server lists', JSON.stringify({ ...ALICE, users: Array.from({ length: 501 }, (_, i) => ({ ...TEAM[0], username: `u${i}` })) })],
  ])('falls back to nothing when %s', (_what, raw) => {
    if (raw !== null) storage.setItem(DIRECTORY_CACHE_KEY, raw);
    expect(readCachedDirectory(ALICE)).toBeNull();
  });

  it('is forgotten on sign-out', () => {
    writeCachedDirectory(ALICE, TEAM);
    forgetCachedDirectory();
    expect(storage.getItem(DIRECTORY_CACHE_KEY)).toBeNull();
  });

  it('a full storage leaves the next visit without a copy, not with an error', () => {
    vi.spyOn(storage, 'setItem').mockImplementation(() => {
      throw new DOMException('quota exceeded', 'QuotaExceededError');
    });
    expect(() => writeCachedDirectory(ALICE, TEAM)).not.toThrow();
  });
});
