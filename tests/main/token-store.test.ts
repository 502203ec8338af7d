import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredSession } from '../../src/shared/ipc.js';
import { fake, safeStorage } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { createTokenStore, SESSION_FILE } = await import('../../src/main/token-store.js');
type TokenStoreFs = import('../../src/main/token-store.js').TokenStoreFs;

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJlLXRva2Vu';
const session: StoredSession = {
  serverUrl: 'https://parley.example.com',
  token: TOKEN,
  expiresAt: 1_900_000_000_000,
  user: { username: 'ada', displayName: 'Ada Lovelace' },
};

describe('token store', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    fake.reset();
    dir = await mkdtemp(join(tmpdir(), 'parley-token-'));
    file = join(dir, SESSION_FILE);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads null when nothing is stored', async () => {
    expect(await createTokenStore({ dir }).load()).toBeNull();
  });

  it('round-trips a session encrypted, without the token in clear on disk', async () => {
    await createTokenStore({ dir }).save(session);
    const bytes = await readFile(file);
    expect(bytes.includes(TOKEN)).toBe(false);
    expect(bytes.includes('ada')).toBe(false);
    expect(bytes.toString('latin1')).toMatch(/^parley-session\/1 encrypted\n/);
    // A new store (a restart) reads it back.
    expect(await createTokenStore({ dir }).load()).toEqual(session);
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  });

  it('stores in plain form when the OS offers no encryption, and says so', async () => {
    safeStorage.available = false;
    const store = createTokenStore({ dir });
    expect(await store.isSecure()).toBe(false);
    await store.save(session);
    expect((await readFile(file, 'utf8')).startsWith('parley-session/1 plain\n')).toBe(true);
    expect(await store.load()).toEqual(session);
    // Once encryption is available, loading upgrades the file.
    safeStorage.available = true;
    expect(await store.load()).toEqual(session);
    expect((await readFile(file)).includes(TOKEN)).toBe(false);
  });

  it('reports Linux basic_text storage as not secure', async () => {
    expect(await createTokenStore({ dir, platform: 'linux' }).isSecure()).toBe(true);
    safeStorage.backend = 'basic_text';
    expect(await createTokenStore({ dir, platform: 'linux' }).isSecure()).toBe(false);
    expect(await createTokenStore({ dir, platform: 'darwin' }).isSecure()).toBe(true);
  });

  it.each([
    ['garbage', Buffer.from('not a session at all')],
    ['truncated ciphertext', Buffer.from('parley-session/1 encrypted\nFAKE-SAFE')],
    ['ciphertext of something else', Buffer.from('parley-session/1 encrypted\nFAKE-SAFESTORAGE:==gbvN2b')],
    ['plain non-JSON', Buffer.from('parley-session/1 plain\n{"serverUrl":')],
    ['plain JSON that is not a session', Buffer.from('parley-session/1 plain\n{"token":"x"}')],
    ['empty', Buffer.alloc(0)],
  ])('treats a corrupt file (%s) as no session and removes it', async (_name, bytes) => {
    await writeFile(file, bytes);
    expect(await createTokenStore({ dir }).load()).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps an encrypted file it cannot decrypt while the OS offers no decryption', async () => {
    await createTokenStore({ dir }).save(session);
    safeStorage.available = false;
    expect(await createTokenStore({ dir }).load()).toBeNull();
    safeStorage.available = true;
    expect(await createTokenStore({ dir }).load()).toEqual(session);
  });

  it('re-encrypts when the OS says the key has rotated', async () => {
    await createTokenStore({ dir }).save(session);
    const before = await stat(file);
    safeStorage.shouldReEncrypt = true;
    const encrypt = vi.spyOn(safeStorage, 'encryptStringAsync');
    expect(await createTokenStore({ dir }).load()).toEqual(session);
    expect(encrypt).toHaveBeenCalledOnce();
    expect((await stat(file)).ino).not.toBe(before.ino);
  });

  it('clear() deletes the file; clearing twice is fine', async () => {
    const store = createTokenStore({ dir });
    await store.save(session);
    await store.clear();
    await store.clear();
    expect(await readdir(dir)).toEqual([]);
    expect(await store.load()).toBeNull();
  });

  it('refuses to save an invalid session', async () => {
    const store = createTokenStore({ dir });
    await expect(store.save({ ...session, token: '' })).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates the folder when it does not exist yet', async () => {
    const nested = join(dir, 'user', 'data');
    await createTokenStore({ dir: nested }).save(session);
    expect(await createTokenStore({ dir: nested }).load()).toEqual(session);
  });

  it('keeps the previous file when a write fails midway, and leaves no temp file', async () => {
    await createTokenStore({ dir }).save(session);
    const previous = await readFile(file);
    const failingFs: TokenStoreFs = {
      ...nodeFs,
      async writeFile(path, data, options) {
        // Half the bytes reach the disk, then the disk is full.
        await nodeFs.writeFile(path, data.subarray(0, Math.floor(data.length / 2)), options);
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      },
    };
    const store = createTokenStore({ dir, fs: failingFs });
    await expect(store.save({ ...session, token: 'a-newer-token' })).rejects.toThrow(/ENOSPC/);
    expect(await readFile(file)).toEqual(previous);
    expect(await readdir(dir)).toEqual([SESSION_FILE]);
    expect(await createTokenStore({ dir }).load()).toEqual(session);
  });

  it('keeps the previous file when the rename fails', async () => {
    await createTokenStore({ dir }).save(session);
    const failingFs: TokenStoreFs = {
      ...nodeFs,
      rename: () => Promise.reject(Object.assign(new Error('EXDEV'), { code: 'EXDEV' })),
    };
    await expect(createTokenStore({ dir, fs: failingFs }).save({ ...session, token: 'newer' })).rejects.toThrow();
    expect(await readdir(dir)).toEqual([SESSION_FILE]);
    expect(await createTokenStore({ dir }).load()).toEqual(session);
  });

  it('applies saves and clears in call order', async () => {
    const store = createTokenStore({ dir });
    const saves = [
      store.save({ ...session, token: 'first' }),
      store.clear(),
      store.save({ ...session, token: 'last' }),
    ];
    await Promise.all(saves);
    expect((await store.load())?.token).toBe('last');
  });
});
