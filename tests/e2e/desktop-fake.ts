/**
 * A stand-in for the desktop app's preload (window.parley), for the renderer
 * run in a browser page as the desktop app runs it (desktop-bridge.e2e.test.ts):
 * it records what the page publishes, saves and chooses, and lets the test
 * play main's side (commands, the keyboard hook's status).
 */

/** A recording window.parley, installed before the app loads; `preferences`: what main's settings file holds. */
export function fakeDesktop(preferences: unknown): void {
  const w = window as unknown as {
    parley: unknown;
    __published: unknown[];
    __command: ((c: unknown) => void) | null;
    __saved: unknown;
    __settingsPatches: unknown[];
    __preferences: { audio: Record<string, unknown>; favorites: string[] };
    __preferencePatches: unknown[];
    __screenChoices: string[];
    __hookStatus: ((status: unknown) => void) | null;
  };
  w.__hookStatus = null;
  w.__screenChoices = [];
  w.__settingsPatches = [];
  w.__preferences = preferences as typeof w.__preferences;
  w.__preferencePatches = [];
  let settings = {
    shortcuts: {
      answer: 'CommandOrControl+Alt+A',
      decline: 'CommandOrControl+Alt+H',
      mute: 'CommandOrControl+Alt+M',
      hold: 'CommandOrControl+Alt+O',
      transfer: 'CommandOrControl+Alt+T',
      merge: 'CommandOrControl+Alt+G',
      show: 'CommandOrControl+Alt+P',
    },
    incomingAlert: 'both',
    startAtLogin: false,
    startMinimized: false,
    idleAwayMinutes: 10,
  };
  w.__published = [];
  w.__command = null;
  w.__saved = null;
  w.parley = {
    app: { info: () => Promise.resolve({ version: 'test', platform: 'linux', secureStorage: true }) },
    session: {
      load: () => Promise.resolve(w.__saved),
      save: (s: unknown) => {
        w.__saved = s;
        return Promise.resolve();
      },
      clear: () => {
        w.__saved = null;
        return Promise.resolve();
      },
    },
    settings: {
      get: () => Promise.resolve(settings),
      set: (patch: { shortcuts?: object }) => {
        w.__settingsPatches.push(patch);
        settings = { ...settings, ...patch, shortcuts: { ...settings.shortcuts, ...patch.shortcuts } };
        return Promise.resolve(settings);
      },
      notice: () => Promise.resolve(null),
      onChange: () => () => undefined,
    },
    preferences: {
      get: () => Promise.resolve(structuredClone(w.__preferences)),
      set: (patch: { audio?: Record<string, unknown>; favorites?: string[] }) => {
        // Crossing the context bridge clones the arguments: Svelte's state proxies would not survive it.
        const copy = structuredClone(patch);
        w.__preferencePatches.push(copy);
        w.__preferences = { audio: copy.audio ?? w.__preferences.audio, favorites: copy.favorites ?? w.__preferences.favorites };
        return Promise.resolve();
      },
    },
    shortcuts: {
      status: () =>
        Promise.resolve([
          { action: 'answer', accelerator: 'CommandOrControl+Alt+A', registered: null },
          { action: 'decline', accelerator: 'CommandOrControl+Alt+H', registered: null },
          { action: 'mute', accelerator: 'CommandOrControl+Alt+M', registered: false, error: 'in use by another application' },
          { action: 'show', accelerator: 'CommandOrControl+Alt+P', registered: true },
        ]),
      onChange: () => () => undefined,
    },
    // Main's desktopCapturer listing (a 1×1 PNG as the screen's thumbnail); the choice is recorded.
    screen: {
      sources: () =>
        Promise.resolve([
          {
            id: 'screen:0:0',
            name: 'Entire screen',
            kind: 'screen',
            thumbnail: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
          },
          { id: 'window:7:0', name: 'Notes', kind: 'window', thumbnail: '' },
        ]),
      choose: (id: string) => {
        w.__screenChoices.push(id);
        return Promise.resolve(true);
      },
    },
    // Main's keyboard hook: the test plays its status.
    pushToTalk: {
      onChange: (cb: (status: unknown) => void) => {
        w.__hookStatus = cb;
        return () => (w.__hookStatus = null);
      },
    },
    desktop: {
      publish: (s: unknown) => w.__published.push(s),
      onCommand: (cb: (c: unknown) => void) => {
        w.__command = cb;
        return () => (w.__command = null);
      },
      // Main says whether the window is on screen; these tests keep it shown.
      onShown: (cb: (shown: boolean) => void) => {
        cb(true);
        return () => undefined;
      },
    },
  };
}
