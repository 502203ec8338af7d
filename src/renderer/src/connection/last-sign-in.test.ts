import { afterEach, describe, expect, it, vi } from 'vitest';
import { readLastSignIn, rememberSignIn } from './last-sign-in.js';

function fakeStorage(): Storage {
  const items = new Map<string, string>();
  return {
    get length() {
      return items.size;
    },
    clear: () => items.clear(),
    getItem: (k) => items.get(k) ?? null,
    key: (i) => [...items.keys()][i] ?? null,
    removeItem: (k) => void items.delete(k),
    setItem: (k, v) => void items.set(k, v),
  };
}

describe('the last sign-in on this device', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('is remembered, server and username, never a password, for the sign-in screen after a sign-out', () => {
    const storage = fakeStorage();
    vi.stubGlobal('localStorage', storage);
    expect(readLastSignIn()).toBeNull();
    rememberSignIn('https://parley.example.com', 'alice');
    expect(readLastSignIn()).toEqual({ serverUrl: 'https://parley.example.com', username: 'alice' });
    expect(storage.getItem('parley.lastSignIn')).not.toMatch(/password|token/);
  });

  it('falls back to nothing when what is stored is not valid', () => {
    const storage = fakeStorage();
    vi.stubGlobal('localStorage', storage);
    storage.setItem('parley.lastSignIn', '{"serverUrl": 42}');
    expect(readLastSignIn()).toBeNull();
  });
});
