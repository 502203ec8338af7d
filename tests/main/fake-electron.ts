/**
 * A recording fake of the Electron APIs the main process and the preload use.
 * The real `electron` module must never be imported in a test (it would try
 * to download its binary), so every test file does
 *
 *   vi.mock('electron', () => import('./fake-electron.js'));
 *
 * The named exports below stand in for Electron's; `fake` holds what they
 * recorded plus helpers that play the part of Chromium (a page navigating, a
 * renderer invoking a channel, a permission prompt, a protocol request).
 * Behaviour follows Electron's where the code under test relies on it: a new
 * BrowserWindow emits app 'web-contents-created'; ipcMain.handle refuses a
 * second handler per channel; invoke and send arguments are structured-cloned;
 * close() emits a cancellable 'close' first; app.quit() emits 'before-quit'
 * and closes every window; globalShortcut.register returns false for a key
 * another app holds; Menu.buildFromTemplate keeps the template to click.
 *
 * Each part of Electron is faked in its own fake-*.ts file, which also
 * owns its `fake` helpers and its reset; this module is the one `electron`
 * is mocked with, so it names Electron's exports and gathers the helpers.
 */
// `export … from`, not import-then-export: the vi.mock in the comment above makes vitest rewrite
// this file's imports, and a name imported and then exported on its own would read undefined.
export { app, APP_PATH, BrowserWindow, FakeBrowserWindow } from './fake-app-windows.js';
export { dialog } from './fake-dialog.js';
export { powerMonitor, screen, shell } from './fake-desktop.js';
export { FakeEvent } from './fake-event.js';
export { globalShortcut } from './fake-global-shortcut.js';
export { ipcMain, type FakeInvokeEvent } from './fake-ipc-main.js';
export { FakeNotification, Notification } from './fake-notification.js';
export { contextBridge, ipcRenderer } from './fake-preload.js';
export { net, protocol } from './fake-protocol.js';
export { safeStorage } from './fake-safe-storage.js';
export { desktopCapturer, FakeDesktopSource, session } from './fake-session.js';
export { FakeMenu, FakeNativeImage, FakeTray, Menu, nativeImage, Tray, type FakeMenuItem } from './fake-tray-menu.js';
export { FakeFrame, FakeNavigationEvent, FakeWebContents } from './fake-web-contents.js';

import { resetAppAndWindows, windowHelpers } from './fake-app-windows.js';
import { resetDialog } from './fake-dialog.js';
import { resetDesktop } from './fake-desktop.js';
import { resetGlobalShortcut } from './fake-global-shortcut.js';
import { ipcMainHelpers, resetIpcMain } from './fake-ipc-main.js';
import { notificationHelpers, resetNotifications } from './fake-notification.js';
import { resetPreload } from './fake-preload.js';
import { protocolHelpers, resetProtocol } from './fake-protocol.js';
import { resetSafeStorage } from './fake-safe-storage.js';
import { resetSession, sessionHelpers } from './fake-session.js';
import { resetTray, trayHelpers } from './fake-tray-menu.js';

/** Helpers that play Chromium's and the renderer's part. */
export const fake = {
  ...ipcMainHelpers,
  ...trayHelpers,
  ...notificationHelpers,
  ...sessionHelpers,
  ...protocolHelpers,
  ...windowHelpers,
  reset(): void {
    resetAppAndWindows();
    resetIpcMain();
    resetTray();
    resetGlobalShortcut();
    resetNotifications();
    resetDesktop();
    resetDialog();
    resetProtocol();
    resetSession();
    resetSafeStorage();
    resetPreload();
  },
};
