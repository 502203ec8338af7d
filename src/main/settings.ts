/**
 * The desktop settings, in `<userData>/settings.json`: what the user edits
 * (shortcuts, how incoming calls alert, start at login, start minimized,
 * minutes until away), the renderer's preferences (audio settings and
 * favorites, which main only keeps), plus what main remembers for itself (the
 * main window's bounds, whether the "keeps running in the tray" notice was
 * shown).
 *
 * Read once at start and validated: a missing file or missing keys mean
 * defaults (so older files keep working; unknown keys from a newer version
 * are dropped). A file that is not JSON or does not validate is renamed to
 * `settings.corrupt-<time>.json`, the defaults are used, and a message is
 * logged and kept for the renderer (`takeNotice`, once). Every change is
 * written atomically (atomic-file.ts), one write at a time, newest last; temp
 * files of writes a killed process never finished are removed at start.
 */
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { acceleratorSchema, DEFAULT_SETTINGS, DEFAULT_SHORTCUTS, INCOMING_ALERTS, settingsPatchSchema, SHORTCUT_ACTIONS } from '../shared/ipc.js';
import type { DesktopSettings, SettingsPatch, ShortcutAction, ShortcutMap } from '../shared/ipc.js';
import { DEFAULT_AUDIO_SETTINGS, favoritesSchema, preferencesPatchSchema, storedAudioSettingsSchema } from '../shared/preferences.js';
import type { Preferences, PreferencesPatch } from '../shared/preferences.js';
import { removeLeftoverTemps, writeFileAtomically } from './atomic-file.js';
import type { AtomicWriteFs, LeftoverFs } from './atomic-file.js';
import { sameValue } from './desktop-hub.js';
import { createLogger } from './log.js';

const log = createLogger('settings');

export const SETTINGS_FILE = 'settings.json';

const boundsSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive().max(100_000),
  height: z.number().int().positive().max(100_000),
  maximized: z.boolean().default(false),
});
export type WindowBounds = z.infer<typeof boundsSchema>;

const storedShortcut = z.nullable(acceleratorSchema).optional();
const defaults = DEFAULT_SETTINGS;

/**
 * The stored keys as they are; one the file lacks (an action added after it
 * was written) gets its default, or none when the user already gave that key
 * to another action, so an older file never loads as a clash.
 */
export function withDefaultShortcuts(stored: Partial<ShortcutMap>): ShortcutMap {
  const taken = new Set(Object.values(stored));
  const pick = (action: ShortcutAction): string | null => {
    const value = stored[action];
    if (value !== undefined) return value;
    const fallback = DEFAULT_SHORTCUTS[action];
    return fallback !== null && taken.has(fallback) ? null : fallback;
  };
  return Object.fromEntries(SHORTCUT_ACTIONS.map((action) => [action, pick(action)])) as ShortcutMap;
}

/** The file: every key optional (defaults), unknown keys dropped, wrong values refused. */
const fileSchema = z
  .object({
    version: z.literal(1).default(1),
    shortcuts: z
      .object({
        answer: storedShortcut,
        decline: storedShortcut,
        mute: storedShortcut,
        hold: storedShortcut,
        transfer: storedShortcut,
        merge: storedShortcut,
        show: storedShortcut,
      })
      .default({})
      .transform(withDefaultShortcuts),
    incomingAlert: z.enum(INCOMING_ALERTS).default(defaults.incomingAlert),
    startAtLogin: z.boolean().default(defaults.startAtLogin),
    startMinimized: z.boolean().default(defaults.startMinimized),
    idleAwayMinutes: z.number().int().min(0).max(720).default(defaults.idleAwayMinutes),
    audio: z._default(storedAudioSettingsSchema, DEFAULT_AUDIO_SETTINGS),
    favorites: z._default(favoritesSchema, []),
    windowBounds: boundsSchema.nullable().default(null),
    trayNoticeShown: z.boolean().default(false),
  })
  .refine((file) => shortcutClash(file.shortcuts) === null, { message: 'two actions share a shortcut' });
type SettingsFile = z.infer<typeof fileSchema>;

/** The first pair of actions sharing an accelerator, as a message, or null. */
export function shortcutClash(shortcuts: ShortcutMap): string | null {
  const seen = new Map<string, string>();
  for (const action of SHORTCUT_ACTIONS) {
    const accelerator = shortcuts[action];
    if (accelerator === null) continue;
    const other = seen.get(accelerator);
    if (other !== undefined) return `${accelerator} is already the shortcut for ${other}`;
    seen.set(accelerator, action);
  }
  return null;
}

export interface SettingsFs extends AtomicWriteFs, LeftoverFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
}

export interface SettingsDeps {
  /** app.getPath('userData'). */
  dir: string;
  fs?: SettingsFs;
  now?: () => number;
}

export type SettingsListener = (settings: DesktopSettings, previous: DesktopSettings) => void;

export interface SettingsStore {
  get(): DesktopSettings;
  /** Applies a validated patch, saves, tells listeners; rejects (changing nothing) on a shortcut clash. */
  update(patch: SettingsPatch): Promise<DesktopSettings>;
  onChange(listener: SettingsListener): () => void;
  /** The message about an unreadable settings file, once; then null. */
  takeNotice(): string | null;
  /** The renderer's audio settings and favorites. */
  preferences(): Preferences;
  /** Replaces the parts given; resolves once written, rejects when the write failed (the change lasts this session). */
  savePreferences(patch: PreferencesPatch): Promise<void>;
  windowBounds(): WindowBounds | null;
  saveWindowBounds(bounds: WindowBounds): void;
  trayNotice: { wasShown(): boolean; markShown(): void };
  /** Resolves when every write so far is on disk. */
  flush(): Promise<void>;
}

function userFacing(file: SettingsFile): DesktopSettings {
  const { shortcuts, incomingAlert, startAtLogin, startMinimized, idleAwayMinutes } = file;
  return { shortcuts: { ...shortcuts }, incomingAlert, startAtLogin, startMinimized, idleAwayMinutes };
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** Reads the settings file (or the defaults) and returns the store. */
export async function loadSettings(deps: SettingsDeps): Promise<SettingsStore> {
  const fs: SettingsFs = deps.fs ?? nodeFs;
  const now = deps.now ?? Date.now;
  const file = join(deps.dir, SETTINGS_FILE);
  let notice: string | null = null;

  async function keepAside(reason: string): Promise<void> {
    const aside = `settings.corrupt-${new Date(now()).toISOString().replace(/[:.]/g, '-')}.json`;
    try {
      await fs.rename(file, join(deps.dir, aside));
      notice = `Your settings file could not be read (${reason}), so Parley started with the default settings. The old file was kept as ${aside}.`;
    } catch (error) {
      log.error(`could not move the unreadable settings file aside`, error);
      notice = `Your settings file could not be read (${reason}), so Parley started with the default settings.`;
    }
    log.warn(notice);
  }

  async function read(): Promise<SettingsFile> {
    const fallback = fileSchema.parse({});
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return fallback;
      log.error('could not read the settings file', error);
      notice = 'Your settings file could not be read, so Parley is using the default settings for now.';
      return fallback;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      await keepAside('it is not valid JSON');
      return fallback;
    }
    const parsed = fileSchema.safeParse(json);
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') ?? '';
      await keepAside(where === '' ? 'invalid settings' : `invalid value for ${where}`);
      return fallback;
    }
    return parsed.data;
  }

  try {
    const removed = await removeLeftoverTemps(fs, file);
    if (removed.length > 0) log.info(`removed ${removed.length} temp file(s) of unfinished writes`);
  } catch (error) {
    if (!isNotFound(error)) log.warn('could not look for temp files of unfinished writes', error);
  }
  let current = await read();
  const listeners = new Set<SettingsListener>();

  let queue: Promise<unknown> = Promise.resolve();
  /** A write that waits for its turn: it will carry every change made until then (a volume slider makes many). */
  let waiting: Promise<void> | null = null;
  function save(): Promise<void> {
    if (waiting !== null) return waiting;
    const write = async (): Promise<void> => {
      waiting = null;
      // Whatever is newest when this write's turn comes.
      await writeFileAtomically(fs, file, Buffer.from(`${JSON.stringify(current, null, 2)}\n`), 0o600);
    };
    const result = queue.then(write, write);
    waiting = result;
    queue = result.catch((error: unknown) => log.error('could not save the settings', error));
    return result;
  }

  return {
    get: () => userFacing(current),
    async update(input) {
      // Validated by the IPC module already; parsed again for callers inside main (and canonical accelerators).
      const patch = settingsPatchSchema.parse(input);
      const previous = userFacing(current);
      const shortcuts = { ...current.shortcuts };
      for (const action of SHORTCUT_ACTIONS) {
        const value = patch.shortcuts?.[action];
        if (value !== undefined) shortcuts[action] = value;
      }
      const clash = shortcutClash(shortcuts);
      if (clash !== null) throw new Error(clash);
      current = {
        ...current,
        shortcuts,
        incomingAlert: patch.incomingAlert ?? current.incomingAlert,
        startAtLogin: patch.startAtLogin ?? current.startAtLogin,
        startMinimized: patch.startMinimized ?? current.startMinimized,
        idleAwayMinutes: patch.idleAwayMinutes ?? current.idleAwayMinutes,
      };
      const next = userFacing(current);
      if (sameValue(next, previous)) return next;
      // In effect at once (shortcuts re-registered…); a failed write is logged and the change lasts this session.
      for (const listener of [...listeners]) {
        try {
          listener(next, previous);
        } catch (error) {
          log.error('a settings listener failed', error);
        }
      }
      await save().catch(() => undefined);
      return next;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    takeNotice() {
      const message = notice;
      notice = null;
      return message;
    },
    preferences: () => ({ audio: { ...current.audio }, favorites: [...current.favorites] }),
    async savePreferences(input) {
      // Validated by the IPC module already; parsed again for callers inside main.
      const patch = preferencesPatchSchema.parse(input);
      current = {
        ...current,
        audio: patch.audio ?? current.audio,
        favorites: patch.favorites === undefined ? current.favorites : [...new Set(patch.favorites)],
      };
      await save();
    },
    windowBounds: () => current.windowBounds,
    saveWindowBounds(bounds) {
      if (sameValue(bounds, current.windowBounds)) return;
      current = { ...current, windowBounds: bounds };
      save().catch(() => undefined);
    },
    trayNotice: {
      wasShown: () => current.trayNoticeShown,
      markShown() {
        current = { ...current, trayNoticeShown: true };
        save().catch(() => undefined);
      },
    },
    flush: () => queue.then(() => undefined),
  };
}
