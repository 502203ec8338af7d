import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ParleyDesktopApi } from '../../../shared/ipc.js';
import { DEFAULT_AUDIO_SETTINGS, type AudioSettings, type Preferences, type PreferencesPatch } from '../../../shared/preferences.js';
import { ParleyApp } from '../lib/app.svelte.js';
import { AUDIO_KEY, FAVORITES_KEY, preferencesStore } from './preferences-store.js';
import { MemoryStorage } from '../test-support/memory-storage.js';

const HEADSET: AudioSettings = { ...DEFAULT_AUDIO_SETTINGS, microphoneId: 'usb-headset-mic', ringtoneVolume: 0.25 };

/** window.parley's preferences as main answers them; arguments are structured-cloned as IPC does. */
function fakeBridge(stored: Preferences) {
  const sets: PreferencesPatch[] = [];
  let failSets = false;
  const preferences: ParleyDesktopApi['preferences'] = {
    get: () => Promise.resolve(structuredClone(stored)),
    set: (patch) => {
      const copy = structuredClone(patch);
      if (failSets) return Promise.reject(new Error('ENOSPC: no space left on device'));
      sets.push(copy);
      stored = { audio: copy.audio ?? stored.audio, favorites: copy.favorites ?? stored.favorites };
      return Promise.resolve();
    },
  };
  const api = {
    preferences,
    app: { info: () => Promise.resolve({ version: 'test', platform: 'linux', secureStorage: true }) },
    session: { load: () => Promise.resolve(null), save: () => Promise.resolve(), clear: () => Promise.resolve() },
    pushToTalk: { onChange: () => () => undefined },
  } as unknown as ParleyDesktopApi;
  return {
    api,
    sets,
    stored: () => stored,
    failSets: (fail: boolean) => (failSets = fail),
  };
}

let storage: MemoryStorage;
beforeEach(() => {
  storage = new MemoryStorage();
  vi.stubGlobal('localStorage', storage);
  vi.stubGlobal('navigator', {});
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('preferences in the desktop app (window.parley)', () => {
  it('the app loads its audio settings and favorites from main, and every change goes back through the bridge, not localStorage', async () => {
    const bridge = fakeBridge({ audio: HEADSET, favorites: ['bob'] });
    vi.stubGlobal('window', Object.assign(new EventTarget(), { parley: bridge.api }));
    const app = new ParleyApp();
    await app.start();
    expect(app.settings.values).toEqual(HEADSET);
    expect([...app.directory.favorites]).toEqual(['bob']);

    app.directory.toggleFavorite('carol');
    app.settings.update({ ringtoneVolume: 0.9 });
    app.directory.toggleFavorite('bob');
    await vi.waitFor(() => expect(bridge.sets).toHaveLength(3));
    expect(bridge.sets).toEqual([
      { favorites: ['bob', 'carol'] },
      { audio: { ...HEADSET, ringtoneVolume: 0.9 } },
      { favorites: ['carol'] },
    ]);
    expect(bridge.stored()).toEqual({ audio: { ...HEADSET, ringtoneVolume: 0.9 }, favorites: ['carol'] });
    expect(storage.items.size).toBe(0);
  });

  it('moves what an earlier version kept in localStorage into main once, then forgets it here', async () => {
    storage.setItem(AUDIO_KEY, JSON.stringify({ ringtoneVolume: 0.3 }));
    storage.setItem(FAVORITES_KEY, JSON.stringify(['dora']));
    const bridge = fakeBridge({ audio: DEFAULT_AUDIO_SETTINGS, favorites: [] });
    const expected = { audio: { ...DEFAULT_AUDIO_SETTINGS, ringtoneVolume: 0.3 }, favorites: ['dora'] };
    expect(await preferencesStore(bridge.api).load()).toEqual(expected);
    expect(bridge.sets).toEqual([expected]);
    expect(storage.items.size).toBe(0);
    // Next start: nothing left to move.
    expect(await preferencesStore(bridge.api).load()).toEqual(expected);
    expect(bridge.sets).toHaveLength(1);
  });

  it('moves only the part an earlier version kept, and drops an unreadable one', async () => {
    storage.setItem(AUDIO_KEY, '{not json');
    storage.setItem(FAVORITES_KEY, JSON.stringify(['erin']));
    const bridge = fakeBridge({ audio: HEADSET, favorites: ['bob'] });
    expect(await preferencesStore(bridge.api).load()).toEqual({ audio: HEADSET, favorites: ['erin'] });
    expect(bridge.sets).toEqual([{ favorites: ['erin'] }]);
    expect(storage.items.size).toBe(0);
  });

  it('keeps the old values in localStorage when main could not take them, for the next start', async () => {
    storage.setItem(FAVORITES_KEY, JSON.stringify(['dora']));
    const bridge = fakeBridge({ audio: DEFAULT_AUDIO_SETTINGS, favorites: [] });
    bridge.failSets(true);
    await expect(preferencesStore(bridge.api).load()).rejects.toThrow('ENOSPC');
    expect(storage.getItem(FAVORITES_KEY)).toBe('["dora"]');
    bridge.failSets(false);
    expect((await preferencesStore(bridge.api).load()).favorites).toEqual(['dora']);
  });
});

describe('preferences in a browser (no window.parley)', () => {
  it('the app keeps them in localStorage under the keys it always used', async () => {
    storage.setItem(AUDIO_KEY, JSON.stringify(HEADSET));
    storage.setItem(FAVORITES_KEY, JSON.stringify(['bob']));
    vi.stubGlobal('window', new EventTarget());
    const app = new ParleyApp();
    await app.start();
    expect(app.settings.values).toEqual(HEADSET);
    expect([...app.directory.favorites]).toEqual(['bob']);

    app.directory.toggleFavorite('carol');
    app.settings.update({ echoCancellation: false });
    await vi.waitFor(() => expect(JSON.parse(storage.getItem(FAVORITES_KEY)!)).toEqual(['bob', 'carol']));
    expect(JSON.parse(storage.getItem(AUDIO_KEY)!)).toEqual({ ...HEADSET, echoCancellation: false });
  });

  it('starts from the defaults when nothing (or nothing valid) is stored', async () => {
    storage.setItem(AUDIO_KEY, JSON.stringify({ ringtoneVolume: 7 }));
    expect(await preferencesStore(undefined).load()).toEqual({ audio: DEFAULT_AUDIO_SETTINGS, favorites: [] });
  });
});
