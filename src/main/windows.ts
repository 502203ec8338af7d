/**
 * The app's windows: the main window (contacts, calls) and small helper
 * windows such as the incoming-call popup. Every BrowserWindow of the app is
 * created here, with `secureWebPreferences` (callers cannot pass their own),
 * and registered with its role so the IPC module can answer "which of our
 * windows sent this?". There is no global `mainWindow`: callers ask
 * `windows.main()`.
 *
 * Closing the main window hides it while something (the tray) keeps the app
 * reachable (`hideOnClose`); quitting (app.quit from the tray's Quit, Cmd+Q,
 * the OS ending the session) really closes it.
 *
 * The main window's size and position are saved as they change and restored
 * on the next start, unless that place is no longer on any screen.
 */
import { app, BrowserWindow, screen } from 'electron';
import type { BrowserWindowConstructorOptions, Rectangle, WebContents } from 'electron';
import type { MainEvents } from '../shared/ipc.js';
import { createLogger } from './log.js';
import { secureWebPreferences } from './security.js';

const log = createLogger('windows');

/** What a window is for; IPC channels name the roles allowed to use them. */
export type WindowRole = 'main' | 'incoming';

/** Where the main window was: its normal (not maximized) bounds, and whether it was maximized. */
export interface SavedBounds extends Rectangle {
  maximized: boolean;
}

export interface WindowsDeps {
  /** Absolute path of the built preload script. */
  preloadPath: string;
  /** What the main window loads: `app://parley/`, or the dev server in a dev run. */
  startUrl: string;
  /** The main window's last bounds, and where to save new ones (settings.ts). */
  bounds?: { saved(): SavedBounds | null; save(bounds: SavedBounds): void };
}

/** Options of a helper window: anything but its webPreferences, which are always the secure ones. */
export type HelperWindowOptions = Omit<BrowserWindowConstructorOptions, 'webPreferences'>;

export interface Windows {
  /** Shows and focuses the main window, creating it if needed. */
  showMain(): BrowserWindow;
  /** Creates the main window if needed without showing it (start minimized to the tray). */
  ensureMain(): BrowserWindow;
  /** Hides the main window (the app keeps running). */
  hideMain(): void;
  /** Hides the main window if it is on screen, shows and focuses it otherwise. */
  toggleMain(): void;
  /**
   * From now on closing the main window hides it, and `onHidden` is called
   * each time it does; returns a function that restores normal closing.
   */
  hideOnClose(onHidden: () => void): () => void;
  /** The main window, if it is open. */
  main(): BrowserWindow | null;
  /** Whether this webContents belongs to a window this module created (and still open). */
  owns(contents: WebContents): boolean;
  /** The role of the window showing this webContents, or null if it is not one of ours. */
  roleOf(contents: WebContents): WindowRole | null;
  /** Creates a helper window with the secure webPreferences and loads `url` in it. */
  open(role: Exclude<WindowRole, 'main'>, options: HelperWindowOptions, url: string): BrowserWindow;
  /** Calls `listener` when the main window's page is gone (window closed, renderer crashed). */
  onMainGone(listener: () => void): () => void;
  dispose(): void;
}

export const MAIN_WINDOW_SIZE = { width: 420, height: 720, minWidth: 360, minHeight: 560 } as const;
/** How long the window must rest before its new bounds are saved. */
export const BOUNDS_SAVE_DELAY_MS = 500;

/** Whether a window at `bounds` can be grabbed: its title bar overlaps a work area enough. */
export function visibleOn(bounds: Rectangle, workAreas: readonly Rectangle[]): boolean {
  return workAreas.some((area) => {
    const width = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
    const height = Math.min(bounds.y + 32, area.y + area.height) - Math.max(bounds.y, area.y);
    return width >= 100 && height >= 16;
  });
}

/** The saved bounds to open with: position only if still on a screen, size within the minimum and the largest screen. */
export function restoredBounds(saved: SavedBounds | null, workAreas: readonly Rectangle[]): Partial<Rectangle> {
  if (saved === null || workAreas.length === 0) return {};
  const maxWidth = Math.max(...workAreas.map((area) => area.width));
  const maxHeight = Math.max(...workAreas.map((area) => area.height));
  const width = Math.max(MAIN_WINDOW_SIZE.minWidth, Math.min(saved.width, maxWidth));
  const height = Math.max(MAIN_WINDOW_SIZE.minHeight, Math.min(saved.height, maxHeight));
  const placed = { x: saved.x, y: saved.y, width, height };
  return visibleOn(placed, workAreas) ? placed : { width, height };
}

/** At most `max` reloads after a crash within `windowMs`: a page that crashes as it loads is left alone. */
export function crashReloadBudget(max = 3, windowMs = 60_000, now = () => Date.now()): { take(): boolean } {
  const recent: number[] = [];
  return {
    take() {
      const t = now();
      while (recent.length > 0 && t - (recent[0] ?? t) >= windowMs) recent.shift();
      if (recent.length >= max) return false;
      recent.push(t);
      return true;
    },
  };
}

export function createWindows(deps: WindowsDeps): Windows {
  let mainWindow: BrowserWindow | null = null;
  const crashReloads = crashReloadBudget();
  const roles = new Map<number, WindowRole>();
  const goneListeners = new Set<() => void>();
  let onHiddenOnClose: (() => void) | null = null;
  let quitting = false;
  const onBeforeQuit = (): void => {
    quitting = true;
  };
  app.on('before-quit', onBeforeQuit);

  function mainGone(): void {
    for (const listener of [...goneListeners]) {
      try {
        listener();
      } catch (error) {
        log.error('a main-window-gone listener failed', error);
      }
    }
  }

  function register(window: BrowserWindow, role: WindowRole): void {
    const contentsId = window.webContents.id;
    roles.set(contentsId, role);
    window.on('closed', () => roles.delete(contentsId));
  }

  function load(window: BrowserWindow, url: string): void {
    window.loadURL(url).catch((error: unknown) => log.error(`could not load ${url}`, error));
  }

  function keepBounds(window: BrowserWindow): void {
    const store = deps.bounds;
    if (store === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const saveNow = (): void => {
      clearTimeout(timer);
      if (window.isDestroyed() || window.isMinimized()) return;
      store.save({ ...window.getNormalBounds(), maximized: window.isMaximized() });
    };
    const saveSoon = (): void => {
      clearTimeout(timer);
      timer = setTimeout(saveNow, BOUNDS_SAVE_DELAY_MS);
    };
    window.on('resize', saveSoon);
    window.on('move', saveSoon);
    window.on('maximize', saveNow);
    window.on('unmaximize', saveNow);
    window.on('close', saveNow);
    window.on('closed', () => clearTimeout(timer));
  }

  function createMain(showWhenReady: boolean): BrowserWindow {
    const saved = deps.bounds?.saved() ?? null;
    const window = new BrowserWindow({
      ...MAIN_WINDOW_SIZE,
      ...restoredBounds(saved, screen.getAllDisplays().map((display) => display.workArea)),
      title: 'Parley',
      show: false,
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(deps.preloadPath),
    });
    register(window, 'main');
    tellShown(window);
    // maximize() would show a hidden window: wait until it is shown.
    if (saved?.maximized === true) window.once('show', () => window.maximize());
    keepBounds(window);
    if (showWhenReady) window.once('ready-to-show', () => window.show());
    window.webContents.on('render-process-gone', (_event, details) => {
      log.error(`the main window's renderer is gone (${details.reason})`);
      mainGone();
      // A crash reloads the page, which rejoins the call it was in (renderer call/rejoin.ts); a crash loop does not.
      if (details.reason !== 'clean-exit' && !window.isDestroyed() && crashReloads.take()) window.webContents.reload();
    });
    window.on('close', (event) => {
      if (quitting || onHiddenOnClose === null) return;
      event.preventDefault();
      window.hide();
      onHiddenOnClose();
    });
    // Windows logging off or shutting down: let the window close.
    window.on('session-end', () => {
      quitting = true;
    });
    window.on('closed', () => {
      if (mainWindow === window) mainWindow = null;
      mainGone();
    });
    load(window, deps.startUrl);
    return window;
  }

  /**
   * Tells the main window's page whether it is on screen, at each load and
   * each change (`window:shown`): with background throttling off its own
   * Page Visibility API always says visible, and a call on the SFU receives
   * no video for a window nobody sees.
   */
  function tellShown(window: BrowserWindow): void {
    let told: boolean | null = null;
    const tell = (force = false) => {
      if (window.isDestroyed()) return;
      const shown = window.isVisible() && !window.isMinimized();
      if (shown === told && !force) return;
      told = shown;
      const payload: Parameters<MainEvents['window:shown']> = [shown];
      window.webContents.send('window:shown', ...payload);
    };
    window.on('show', () => tell());
    window.on('hide', () => tell());
    window.on('minimize', () => tell());
    window.on('restore', () => tell());
    // A page (re)loaded knows nothing yet.
    window.webContents.on('did-finish-load', () => tell(true));
  }

  const current = (): BrowserWindow | null => (mainWindow !== null && !mainWindow.isDestroyed() ? mainWindow : null);

  function showMain(): BrowserWindow {
    const existing = current();
    if (existing === null) {
      mainWindow = createMain(true);
      return mainWindow;
    }
    if (existing.isMinimized()) existing.restore();
    existing.show();
    existing.focus();
    return existing;
  }

  return {
    showMain,
    ensureMain() {
      mainWindow = current() ?? createMain(false);
      return mainWindow;
    },
    hideMain() {
      current()?.hide();
    },
    toggleMain() {
      const window = current();
      if (window !== null && window.isVisible() && !window.isMinimized()) window.hide();
      else showMain();
    },
    hideOnClose(onHidden) {
      onHiddenOnClose = onHidden;
      return () => {
        if (onHiddenOnClose === onHidden) onHiddenOnClose = null;
      };
    },
    main: current,
    owns: (contents) => roles.has(contents.id),
    roleOf: (contents) => roles.get(contents.id) ?? null,
    open(role, options, url) {
      const window = new BrowserWindow({ ...options, webPreferences: secureWebPreferences(deps.preloadPath) });
      register(window, role);
      load(window, url);
      return window;
    },
    onMainGone(listener) {
      goneListeners.add(listener);
      return () => goneListeners.delete(listener);
    },
    dispose() {
      app.off('before-quit', onBeforeQuit);
      onHiddenOnClose = null;
      goneListeners.clear();
      for (const window of BrowserWindow.getAllWindows()) {
        if (roles.has(window.webContents.id) && !window.isDestroyed()) window.destroy();
      }
      mainWindow = null;
      roles.clear();
    },
  };
}
