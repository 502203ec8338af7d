/**
 * The one IPC contract between the main process, the preload and the
 * renderer. Channel names are `domain:verb`. Main validates every payload
 * with these schemas; the preload exposes each channel as a typed function
 * on `window.parley`. Pure TypeScript: no electron, no DOM, no node.
 */
import { z } from 'zod/mini';
import { desktopCommandSchema, desktopStateSchema, type DesktopCommand, type DesktopState } from './desktop-state.js';
import { preferencesPatchSchema, type Preferences, type PreferencesPatch } from './preferences.js';
import { storedSessionSchema, type StoredSession } from './stored-session.js';

export type { StoredSession };

/**
 * What each global shortcut does: answer, decline (or hang up, in a call),
 * toggle mute, hold, transfer (the attended one while a call is held aside,
 * else the window's transfer panel), merge, show the window.
 */
export const SHORTCUT_ACTIONS = ['answer', 'decline', 'mute', 'hold', 'transfer', 'merge', 'show'] as const;
export type ShortcutAction = (typeof SHORTCUT_ACTIONS)[number];

/** Per action, its accelerator ("CommandOrControl+Alt+A"), or null when the user turned it off. */
export type ShortcutMap = Record<ShortcutAction, string | null>;

export const DEFAULT_SHORTCUTS: ShortcutMap = {
  answer: 'CommandOrControl+Alt+A',
  decline: 'CommandOrControl+Alt+H',
  mute: 'CommandOrControl+Alt+M',
  hold: 'CommandOrControl+Alt+O',
  transfer: 'CommandOrControl+Alt+T',
  merge: 'CommandOrControl+Alt+G',
  show: 'CommandOrControl+Alt+P',
};

const MODIFIERS: Record<string, string> = {
  commandorcontrol: 'CommandOrControl',
  cmdorctrl: 'CommandOrControl',
  command: 'Command',
  cmd: 'Command',
  control: 'Control',
  ctrl: 'Control',
  alt: 'Alt',
  option: 'Alt',
  altgr: 'AltGr',
  shift: 'Shift',
  super: 'Super',
  meta: 'Super',
};
const NAMED_KEYS = [
  'Plus', 'Space', 'Tab', 'Capslock', 'Numlock', 'Scrolllock', 'Backspace', 'Delete', 'Insert', 'Return', 'Enter',
  'Up', 'Down', 'Left', 'Right', 'Home', 'End', 'PageUp', 'PageDown', 'Escape', 'Esc', 'PrintScreen',
  'VolumeUp', 'VolumeDown', 'VolumeMute', 'MediaNextTrack', 'MediaPreviousTrack', 'MediaStop', 'MediaPlayPause',
  'num0', 'num1', 'num2', 'num3', 'num4', 'num5', 'num6', 'num7', 'num8', 'num9', 'numdec', 'numadd', 'numsub', 'nummult', 'numdiv',
];
const KEY_NAMES = new Map(NAMED_KEYS.map((key) => [key.toLowerCase(), key]));
/** Keys that may be a global shortcut on their own: nobody types them. */
const LONE_KEY = /^(F1[3-9]|F2[0-4]|Media\w+|Volume\w+)$/;

/**
 * An Electron accelerator ("CommandOrControl+Alt+A") in its canonical
 * spelling, or null when it is not one Parley accepts as a global shortcut:
 * modifiers then one key, and at least one modifier other than Shift (a bare
 * key or Shift+letter would be taken from every app the user types in),
 * except F13–F24 and media keys.
 */
export function normalizeAccelerator(accelerator: string): string | null {
  if (accelerator.length === 0 || accelerator.length > 64) return null;
  const parts = accelerator.endsWith('++') ? [...accelerator.slice(0, -2).split('+'), 'Plus'] : accelerator.split('+');
  const rawKey = parts.pop() ?? '';
  const modifiers: string[] = [];
  for (const part of parts) {
    const modifier = MODIFIERS[part.toLowerCase()];
    if (modifier === undefined || modifiers.includes(modifier)) return null;
    modifiers.push(modifier);
  }
  let key: string | undefined;
  if (/^[a-z0-9]$/i.test(rawKey)) key = rawKey.toUpperCase();
  else if (/^f([1-9]|1\d|2[0-4])$/i.test(rawKey)) key = rawKey.toUpperCase();
  else if (rawKey.length === 1 && ')!@#$%^&*(:;<=>,_-.?/~`{}[]|\\\'"'.includes(rawKey)) key = rawKey;
  else key = KEY_NAMES.get(rawKey.toLowerCase());
  if (key === undefined) return null;
  if (!LONE_KEY.test(key) && !modifiers.some((modifier) => modifier !== 'Shift')) return null;
  const order = ['CommandOrControl', 'Command', 'Control', 'Super', 'Alt', 'AltGr', 'Shift'];
  modifiers.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return [...modifiers, key].join('+');
}

export const acceleratorSchema = z.pipe(
  z.string().check(
    z.maxLength(64),
    z.refine((value) => normalizeAccelerator(value) !== null, { message: 'not a valid global shortcut' }),
  ),
  z.transform((value: string) => normalizeAccelerator(value) ?? value),
);

/** How an incoming call reaches the user outside the window. */
export const INCOMING_ALERTS = ['popup', 'notification', 'both'] as const;
export type IncomingAlert = (typeof INCOMING_ALERTS)[number];

const shortcutSetting = z.nullable(acceleratorSchema);

/** The desktop settings the user edits (stored by main in <userData>/settings.json). */
export const desktopSettingsSchema = z.strictObject({
  /** Per action: the accelerator, or null for off. */
  shortcuts: z.strictObject({
    answer: shortcutSetting,
    decline: shortcutSetting,
    mute: shortcutSetting,
    hold: shortcutSetting,
    transfer: shortcutSetting,
    merge: shortcutSetting,
    show: shortcutSetting,
  }),
  /** The small always-on-top popup, the system notification, or both. */
  incomingAlert: z.enum(INCOMING_ALERTS),
  /** Start Parley when the user logs in to the computer. */
  startAtLogin: z.boolean(),
  /** Start in the tray without showing the window. */
  startMinimized: z.boolean(),
  /** Minutes without keyboard or mouse input before the status becomes away; 0 = never. */
  idleAwayMinutes: z.int().check(z.minimum(0), z.maximum(720)),
});
export type DesktopSettings = z.infer<typeof desktopSettingsSchema>;

export const DEFAULT_SETTINGS: DesktopSettings = {
  shortcuts: DEFAULT_SHORTCUTS,
  incomingAlert: 'both',
  startAtLogin: false,
  startMinimized: false,
  idleAwayMinutes: 10,
};

/** What `settings:set` takes: any subset; within `shortcuts`, any subset of the actions. */
export const settingsPatchSchema = z.strictObject({
  shortcuts: z.optional(
    z.strictObject({
      answer: z.optional(shortcutSetting),
      decline: z.optional(shortcutSetting),
      mute: z.optional(shortcutSetting),
      hold: z.optional(shortcutSetting),
      transfer: z.optional(shortcutSetting),
      merge: z.optional(shortcutSetting),
      show: z.optional(shortcutSetting),
    }),
  ),
  incomingAlert: z.optional(z.enum(INCOMING_ALERTS)),
  startAtLogin: z.optional(z.boolean()),
  startMinimized: z.optional(z.boolean()),
  idleAwayMinutes: z.optional(z.int().check(z.minimum(0), z.maximum(720))),
});
export type SettingsPatch = z.infer<typeof settingsPatchSchema>;

/** One global shortcut as main sees it now. */
export interface ShortcutStatus {
  action: ShortcutAction;
  /** null: turned off in Settings. */
  accelerator: string | null;
  /** true: working now; false: Parley needs it now and could not get it; null: not needed right now (or off). */
  registered: boolean | null;
  /** Why the last attempt failed ("in use by another application"), until one succeeds. */
  error?: string;
}

/** A screen or window the desktop app can share (desktopCapturer), as its picker shows it. */
export interface ScreenSource {
  /** desktopCapturer's id ("screen:0:0", "window:1234:0"). */
  id: string;
  name: string;
  kind: 'screen' | 'window';
  /** A PNG data: URL, or '' when the system gave no picture. */
  thumbnail: string;
}

/**
 * The desktop app's global push-to-talk hook: off (no call with push-to-talk),
 * listening (the key works while another app has focus), or unavailable, with
 * the reason in words (the key then works only in Parley's window).
 */
export type PushToTalkHookStatus = { state: 'off' } | { state: 'listening' } | { state: 'unavailable'; reason: string };

export interface AppInfo {
  version: string;
  platform: 'linux' | 'darwin' | 'win32' | 'other';
  /** False when the OS offers no encryption for the stored token. */
  secureStorage: boolean;
}

/** Renderer → main requests (ipcRenderer.invoke / ipcMain.handle). */
export interface InvokeChannels {
  'app:info': () => Promise<AppInfo>;
  'session:load': () => Promise<StoredSession | null>;
  'session:save': (session: StoredSession) => Promise<void>;
  'session:clear': () => Promise<void>;
  /** Every global shortcut: its key, whether it works now, and why not. */
  'shortcuts:status': () => Promise<ShortcutStatus[]>;
  'settings:get': () => Promise<DesktopSettings>;
  /**
   * Changes some settings; resolves with all of them. Rejects (changing
   * nothing) when invalid, or when a shortcut is already another action's
   * ("… is already the shortcut for …"). New shortcuts are registered at
   * once: read `shortcuts:status` / `shortcuts:changed` for failures.
   */
  'settings:set': (patch: SettingsPatch) => Promise<DesktopSettings>;
  /**
   * A message for the user about the settings file, once: e.g. it was
   * corrupt, kept aside and the defaults are in use. Null afterwards.
   */
  'settings:notice': () => Promise<string | null>;
  /** The renderer's audio settings and favorites, kept by main in the settings file. */
  'preferences:get': () => Promise<Preferences>;
  /**
   * Replaces the parts given (each whole). Resolves once they are written to
   * the settings file; rejects when they could not be (they still last this
   * session).
   */
  'preferences:set': (patch: PreferencesPatch) => Promise<void>;
  /** Incoming-call popup only: the DesktopState now (the caller, the callId), to render itself. */
  'desktop:snapshot': () => Promise<DesktopState>;
  /** Main window: the screens and windows that can be shared, for the app's picker. */
  'screen:sources': () => Promise<ScreenSource[]>;
  /**
   * Main window: the source (from the last `screen:sources`) that the next
   * getDisplayMedia() gets. False when it was not listed.
   */
  'screen:choose': (id: string) => Promise<boolean>;
  /**
   * Main window: a finished call recording (WebM bytes) and the file name to
   * suggest. Main asks where with the system's save dialog, in the folder
   * used last, and writes it there; `path` is null when the user cancelled.
   */
  'recording:save': (name: string, data: Uint8Array) => Promise<{ path: string | null }>;
}

/** The largest recording main writes (about 4 h of a video call at the recorder's bitrate). */
export const RECORDING_MAX_BYTES = 4 * 1024 ** 3;
/** A plain file name ending in .webm: no folder, nothing a file system refuses. */
const recordingNameSchema = z.string().check(z.maxLength(120), z.regex(/^[\w][\w.-]*\.webm$/, 'a file name ending in .webm'));

/** Payload schemas of each invoke channel, as a tuple of arguments. */
export const invokeSchemas = {
  'app:info': z.tuple([]),
  'session:load': z.tuple([]),
  'session:save': z.tuple([storedSessionSchema]),
  'session:clear': z.tuple([]),
  'shortcuts:status': z.tuple([]),
  'settings:get': z.tuple([]),
  'settings:set': z.tuple([settingsPatchSchema]),
  'settings:notice': z.tuple([]),
  'preferences:get': z.tuple([]),
  'preferences:set': z.tuple([preferencesPatchSchema]),
  'desktop:snapshot': z.tuple([]),
  'screen:sources': z.tuple([]),
  'screen:choose': z.tuple([z.string().check(z.minLength(1), z.maxLength(256))]),
  'recording:save': z.tuple([recordingNameSchema, z.instanceof(Uint8Array).check(z.refine((d) => d.byteLength <= RECORDING_MAX_BYTES, 'recording too large'))]),
} satisfies Record<keyof InvokeChannels, z.ZodMiniType>;

export type InvokeChannel = keyof InvokeChannels;

/**
 * Renderer → main notifications without a reply (ipcRenderer.send /
 * ipcMain.on). A message from a window not allowed to use the channel, or
 * with an invalid payload, is logged and ignored by main.
 */
export interface SendChannels {
  /** Main window only: the renderer's snapshot for the tray, shortcuts, notifications and popup. */
  'desktop:state': (state: DesktopState) => void;
  /**
   * Incoming-call popup only: the user pressed Answer or Decline there (or
   * clicked the caller: `show`). Main forwards it to the main window as a
   * `desktop:command` event. Other command types are refused from the popup.
   */
  'desktop:command': (command: DesktopCommand) => void;
}

export const sendSchemas = {
  'desktop:state': z.tuple([desktopStateSchema]),
  'desktop:command': z.tuple([desktopCommandSchema]),
} satisfies Record<keyof SendChannels, z.ZodMiniType>;

export type SendChannel = keyof SendChannels;

export type MainEvent = keyof MainEvents;

/** Main → renderer events (webContents.send / ipcRenderer.on). */
export interface MainEvents {
  /** Something the user did outside the window: tray, shortcut, notification, popup. */
  'desktop:command': (command: DesktopCommand) => void;
  /** The global shortcuts' status changed (registered, released, failed, changed in Settings). */
  'shortcuts:changed': (statuses: ShortcutStatus[]) => void;
  /** The settings changed (from any window, or by main). */
  'settings:changed': (settings: DesktopSettings) => void;
  /** To the incoming-call popup: the DesktopState changed. */
  'desktop:changed': (state: DesktopState) => void;
  /** The global push-to-talk hook started, stopped or could not start. */
  'push-to-talk:changed': (status: PushToTalkHookStatus) => void;
  /**
   * To the main window, at load and whenever it changes: whether it is on
   * screen (not hidden to the tray, not minimised). Its page cannot tell:
   * with background throttling off, the Page Visibility API always says visible.
   */
  'window:shown': (shown: boolean) => void;
}

/** The API the preload exposes as `window.parley`. */
export interface ParleyDesktopApi {
  app: { info: InvokeChannels['app:info'] };
  session: {
    load: InvokeChannels['session:load'];
    save: InvokeChannels['session:save'];
    clear: InvokeChannels['session:clear'];
  };
  desktop: {
    /** Main window: publish the current DesktopState whenever it changes. */
    publish: SendChannels['desktop:state'];
    /** Main window: commands from the tray, shortcuts, notifications and popup. Returns a function that stops listening. */
    onCommand: (listener: (command: DesktopCommand) => void) => () => void;
    /** Incoming-call popup: Answer / Decline (with the callId) or `show`. */
    command: SendChannels['desktop:command'];
    /** Incoming-call popup: the current DesktopState. */
    snapshot: InvokeChannels['desktop:snapshot'];
    /** Incoming-call popup: each new DesktopState while it is open. Returns a function that stops listening. */
    onSnapshot: (listener: MainEvents['desktop:changed']) => () => void;
    /** Main window: whether it is on screen, at load and on each change. Returns a function that stops listening. */
    onShown: (listener: MainEvents['window:shown']) => () => void;
  };
  shortcuts: {
    status: InvokeChannels['shortcuts:status'];
    onChange: (listener: MainEvents['shortcuts:changed']) => () => void;
  };
  settings: {
    get: InvokeChannels['settings:get'];
    set: InvokeChannels['settings:set'];
    notice: InvokeChannels['settings:notice'];
    onChange: (listener: MainEvents['settings:changed']) => () => void;
  };
  preferences: {
    get: InvokeChannels['preferences:get'];
    set: InvokeChannels['preferences:set'];
  };
  screen: {
    sources: InvokeChannels['screen:sources'];
    choose: InvokeChannels['screen:choose'];
  };
  recording: {
    save: InvokeChannels['recording:save'];
  };
  pushToTalk: {
    /** Main window: the global hook's status whenever it changes. Returns a function that stops listening. */
    onChange: (listener: MainEvents['push-to-talk:changed']) => () => void;
  };
}
