/**
 * Keeps the renderer's preferences (audio settings, favorites): in the
 * desktop app through the main process, which writes them atomically into
 * its settings file; in a browser in localStorage. The first start of the
 * desktop app moves what an earlier version kept in localStorage into the
 * settings file, then forgets it here.
 */
import { z } from 'zod/mini';
import type { ParleyDesktopApi } from '../../../shared/ipc.js';
import {
  DEFAULT_AUDIO_SETTINGS,
  favoritesSchema,
  storedAudioSettingsSchema,
  type Preferences,
  type PreferencesPatch,
} from '../../../shared/preferences.js';
import { readPersisted, removePersisted, writePersisted } from '../lib/persisted.js';

/** localStorage keys, the same since the first version. */
export const AUDIO_KEY = 'parley.settings.v1';
export const FAVORITES_KEY = 'parley.favorites.v1';

export interface PreferencesStore {
  load(): Promise<Preferences>;
  /** Replaces the parts given, each whole. */
  save(patch: PreferencesPatch): Promise<void>;
}

/** What localStorage holds, each part null where it holds nothing valid. */
function readLocal(): { audio: Preferences['audio'] | null; favorites: Preferences['favorites'] | null } {
  return {
    audio: readPersisted(AUDIO_KEY, z.nullable(storedAudioSettingsSchema), null),
    favorites: readPersisted(FAVORITES_KEY, z.nullable(favoritesSchema), null),
  };
}

function writeLocal(patch: PreferencesPatch): void {
  if (patch.audio) writePersisted(AUDIO_KEY, patch.audio);
  if (patch.favorites) writePersisted(FAVORITES_KEY, patch.favorites);
}

/** Plain data: what reaches IPC must survive structured cloning (Svelte's state proxies do not). */
const plain = (patch: PreferencesPatch): PreferencesPatch => JSON.parse(JSON.stringify(patch)) as PreferencesPatch;

/** Moves an earlier version's localStorage values into main's settings file; kept here until main has them. */
async function migrateLocal(desktop: ParleyDesktopApi): Promise<void> {
  const { audio, favorites } = readLocal();
  if (audio !== null || favorites !== null) {
    await desktop.preferences.set(plain({ ...(audio && { audio }), ...(favorites && { favorites }) }));
  }
  removePersisted(AUDIO_KEY);
  removePersisted(FAVORITES_KEY);
}

export function preferencesStore(desktop: ParleyDesktopApi | undefined = typeof window === 'undefined' ? undefined : window.parley): PreferencesStore {
  if (desktop) {
    return {
      async load() {
        await migrateLocal(desktop);
        return desktop.preferences.get();
      },
      save: (patch) => desktop.preferences.set(plain(patch)),
    };
  }
  return {
    load: () => {
      const { audio, favorites } = readLocal();
      return Promise.resolve({ audio: audio ?? DEFAULT_AUDIO_SETTINGS, favorites: favorites ?? [] });
    },
    save: (patch) => Promise.resolve(writeLocal(patch)),
  };
}
