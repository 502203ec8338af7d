/**
 * The user's settings as the app uses them: audio and video devices and
 * processing, ringtone, and the theme. Audio settings and favorites live in
 * the preferences store (main's settings file in the desktop app); the theme
 * is this device's look, kept in localStorage.
 */
import { z } from 'zod/mini';
import type { AppInfo } from '../../../shared/ipc.js';
import type { PreferencesPatch } from '../../../shared/preferences.js';
import { logger } from '../lib/log.js';
import { readPersisted, writePersisted } from '../lib/persisted.js';
import { applyTheme, type ThemeChoice } from '../theme/theme.js';
import { Devices } from './devices.svelte.js';
import { preferencesStore, type PreferencesStore } from './preferences-store.js';
import { DEFAULT_SETTINGS, missingDevices, type Settings } from './settings.js';

const log = logger('settings');
const THEME_KEY = 'parley.theme.v1';
const themeSchema = z.enum(['system', 'light', 'dark']);

export interface SettingsDeps {
  /** A chosen device is gone: say so. */
  notice(text: string): void;
  /** Audio settings changed (the ringtone player follows them). */
  changed(settings: Settings, patch: Partial<Settings>): void;
}

export class SettingsState {
  /** Replaced by load() with the stored preferences. */
  values = $state<Settings>({ ...DEFAULT_SETTINGS });
  theme = $state<ThemeChoice>('system');
  /** Version, platform and storage of the desktop app; null in a browser. */
  desktopInfo = $state<AppInfo | null>(null);
  readonly devices: Devices;
  readonly #store: PreferencesStore = preferencesStore();

  readonly #deps: SettingsDeps;

  constructor(deps: SettingsDeps) {
    this.#deps = deps;
    this.devices = new Devices(() => this.#checkDevices());
  }

  /** Reads the stored preferences; gives the stored favorites to the caller. */
  async load(): Promise<string[]> {
    this.setTheme(readPersisted(THEME_KEY, themeSchema, 'system'), false);
    const [saved, info] = await Promise.all([
      this.#store.load().catch((err: unknown) => {
        log.warn('reading the preferences failed: using the defaults', err);
        return null;
      }),
      window.parley?.app.info().catch(() => null),
    ]);
    this.desktopInfo = info ?? null;
    if (!saved) return [];
    this.values = saved.audio;
    this.#deps.changed(this.values, this.values);
    // The device list may have come first: check the chosen devices against it now.
    this.#checkDevices();
    return saved.favorites;
  }

  update(patch: Partial<Settings>): void {
    this.values = { ...this.values, ...patch };
    this.save({ audio: this.values });
    this.#deps.changed(this.values, patch);
  }

  save(patch: PreferencesPatch): void {
    this.#store.save(patch).catch((err: unknown) => log.warn('saving the preferences failed', err));
  }

  setTheme(choice: ThemeChoice, remember = true): void {
    this.theme = choice;
    if (typeof document !== 'undefined') applyTheme(choice);
    if (remember) writePersisted(THEME_KEY, choice);
  }

  /** A chosen device that disappeared falls back to the default, and the user is told. */
  #checkDevices(): void {
    const { patch, lost } = missingDevices(this.values, {
      inputs: this.devices.inputs.map((d) => d.deviceId),
      outputs: this.devices.outputs.map((d) => d.deviceId),
      cameras: this.devices.cameras.map((d) => d.deviceId),
    });
    if (lost.length === 0) return;
    this.update(patch);
    this.#deps.notice(`Your ${lost.join(' and ')} is no longer available: using the default.`);
  }

  dispose(): void {
    this.devices.dispose();
  }
}
