/**
 * The app's windows. For now one: the main window (contacts, calls). The
 * registry answers "did we create this webContents?" for the IPC sender
 * check; there is no global `mainWindow`, callers ask `windows.main()`.
 */
import { BrowserWindow } from 'electron';
import type { WebContents } from 'electron';
import { createLogger } from './log.js';
import { secureWebPreferences } from './security.js';

const log = createLogger('windows');

export interface WindowsDeps {
  /** Absolute path of the built preload script. */
  preloadPath: string;
  /** What the main window loads: `app://parley/`, or the dev server in a dev run. */
  startUrl: string;
}

export interface Windows {
  /** Shows and focuses the main window, creating it if needed. */
  showMain(): BrowserWindow;
  /** The main window, if it is open. */
  main(): BrowserWindow | null;
  /** Whether this webContents belongs to a window this module created (and still open). */
  owns(contents: WebContents): boolean;
  dispose(): void;
}

export const MAIN_WINDOW_SIZE = { width: 420, height: 720, minWidth: 360, minHeight: 560 } as const;

export function createWindows(deps: WindowsDeps): Windows {
  let mainWindow: BrowserWindow | null = null;
  const ownedContents = new Set<number>();

  function createMain(): BrowserWindow {
    const window = new BrowserWindow({
      ...MAIN_WINDOW_SIZE,
      title: 'Parley',
      show: false,
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(deps.preloadPath),
    });
    const contentsId = window.webContents.id;
    ownedContents.add(contentsId);
    window.once('ready-to-show', () => window.show());
    window.on('closed', () => {
      ownedContents.delete(contentsId);
      if (mainWindow === window) mainWindow = null;
    });
    window.loadURL(deps.startUrl).catch((error: unknown) => log.error(`could not load ${deps.startUrl}`, error));
    return window;
  }

  return {
    showMain() {
      if (mainWindow === null || mainWindow.isDestroyed()) {
        mainWindow = createMain();
      } else {
        if (mainWindow.isMinimized()) mainWindow.restore();
        mainWindow.show();
        mainWindow.focus();
      }
      return mainWindow;
    },
    main: () => (mainWindow !== null && !mainWindow.isDestroyed() ? mainWindow : null),
    owns: (contents) => ownedContents.has(contents.id),
    dispose() {
      if (mainWindow !== null && !mainWindow.isDestroyed()) mainWindow.destroy();
      mainWindow = null;
      ownedContents.clear();
    },
  };
}
