/**
 * The main process: wiring only. Each concern lives in its own module with
 * an install/dispose pair; this file builds them in order.
 */
import { join } from 'node:path';
import { app } from 'electron';
import { PUSH_TO_TALK_KEYS } from '../shared/push-to-talk.js';
import { installAppProtocol, registerAppScheme } from './app-protocol.js';
import { holdEarlyLinks, installDeepLinks, linksInArgv, registerProtocolClient } from './deep-links.js';
import { createDesktopHub } from './desktop-hub.js';
import { createInvokeHandlers, createSendHandlers, forwardSettingsChanges } from './handlers.js';
import { installHotkeys } from './hotkeys.js';
import { installIdle } from './idle.js';
import { installIncomingWindow } from './incoming-window.js';
import { loadKeyHook } from './input-hook.js';
import { installIpc } from './ipc.js';
import { createLogger } from './log.js';
import { installLoginItem } from './login-item.js';
import { installNotifications } from './notifications.js';
import { installVoicemailAlerts } from './voicemail-alerts.js';
import { APP_ORIGIN, APP_START_URL, createTrustedOrigins } from './origins.js';
import { installPushToTalk } from './push-to-talk.js';
import { installSecurity } from './security.js';
import { installRecordings } from './recordings.js';
import { installScreenShare } from './screen-share.js';
import { loadSettings } from './settings.js';
import { claimSingleInstance, installSecondInstance } from './single-instance.js';
import { createTokenStore } from './token-store.js';
import { installTray } from './tray.js';
import { createWindows } from './windows.js';

const log = createLogger('main');

/** Built layout (out/main, out/preload, out/renderer), see electron.vite.config.ts. */
const RENDERER_DIR = join(import.meta.dirname, '../renderer');
const PRELOAD_PATH = join(import.meta.dirname, '../preload/index.cjs');
/** Tray icons: build/tray in the project, packed into the app (electron-builder.yml `files`). */
const trayIconDir = (): string => join(app.getAppPath(), 'build', 'tray');

async function start(earlyLinks: { take(): string[] }): Promise<void> {
  await app.whenReady();
  // The dev server (electron-vite dev) only in an unpackaged run: a packaged
  // app must never trust or load a URL from its environment.
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const origins = createTrustedOrigins(devServerUrl);

  installSecurity({ origins });
  installAppProtocol({ rendererDir: RENDERER_DIR });
  const userData = app.getPath('userData');
  const tokenStore = createTokenStore({ dir: userData });
  const settings = await loadSettings({ dir: userData });
  const windows = createWindows({
    preloadPath: PRELOAD_PATH,
    startUrl: devServerUrl ?? APP_START_URL,
    bounds: { saved: () => settings.windowBounds(), save: (bounds) => settings.saveWindowBounds(bounds) },
  });
  const hub = createDesktopHub({ windows });
  const hotkeys = installHotkeys({ hub, windows, settings });
  const pushToTalk = installPushToTalk({ hub, windows, platform: process.platform, loadHook: () => loadKeyHook(PUSH_TO_TALK_KEYS) });
  const screen = installScreenShare({ origins });
  installIpc({
    windows,
    origins,
    handlers: createInvokeHandlers({ version: app.getVersion(), platform: process.platform, tokenStore, hotkeys, settings, hub, screen, recordings: installRecordings({ windows }) }),
    listeners: createSendHandlers({ hub }),
  });
  forwardSettingsChanges({ windows, settings });
  installLoginItem({ settings, platform: process.platform });
  installTray({
    hub,
    windows,
    iconDir: trayIconDir(),
    platform: process.platform,
    quit: () => app.quit(),
    shortcuts: hotkeys,
    hideNotice: settings.trayNotice,
  });
  installNotifications({ hub, settings, platform: process.platform });
  installVoicemailAlerts({ hub, setBadgeCount: (count) => app.setBadgeCount(count) });
  installIncomingWindow({
    hub,
    windows,
    settings,
    url: new URL('#incoming', devServerUrl ?? `${APP_ORIGIN}/index.html`).toString(),
    platform: process.platform,
  });
  installIdle({ hub, settings });
  registerProtocolClient();
  const deepLinks = installDeepLinks({ hub, windows, initial: [...earlyLinks.take(), ...linksInArgv(process.argv)] });
  installSecondInstance({ windows, deepLinks });

  // Release every global shortcut and the keyboard hook on the way out (Electron's advice).
  app.on('will-quit', () => {
    hotkeys.dispose();
    pushToTalk.dispose();
  });

  if (settings.get().startMinimized) windows.ensureMain();
  else windows.showMain();
  // macOS: clicking the dock icon with no window open reopens it.
  app.on('activate', () => windows.showMain());
  log.info(`started ${app.getVersion()}${devServerUrl === undefined ? '' : ` with the dev server ${devServerUrl}`}`);
}

if (claimSingleInstance()) {
  // Privileged schemes must be registered before the app is ready; macOS links may come that early too.
  registerAppScheme();
  const earlyLinks = holdEarlyLinks();

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  start(earlyLinks).catch((error: unknown) => {
    log.error('startup failed', error);
    app.exit(1);
  });
} else {
  // Another Parley runs: it gets our command line (and any link) through 'second-instance'.
  log.info('Parley is already running; handing over to it');
  app.quit();
}
