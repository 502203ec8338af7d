/**
 * The main process: wiring only. Each concern lives in its own module with
 * an install/dispose pair; this file builds them in order.
 */
import { join } from 'node:path';
import { app } from 'electron';
import { installAppProtocol, registerAppScheme } from './app-protocol.js';
import { createInvokeHandlers } from './handlers.js';
import { installIpc } from './ipc.js';
import { createLogger } from './log.js';
import { APP_START_URL, createTrustedOrigins } from './origins.js';
import { installSecurity } from './security.js';
import { createTokenStore } from './token-store.js';
import { createWindows } from './windows.js';

const log = createLogger('main');

/** Built layout (out/main, out/preload, out/renderer), see electron.vite.config.ts. */
const RENDERER_DIR = join(import.meta.dirname, '../renderer');
const PRELOAD_PATH = join(import.meta.dirname, '../preload/index.cjs');

// Privileged schemes must be registered before the app is ready.
registerAppScheme();

async function start(): Promise<void> {
  await app.whenReady();
  // The dev server (electron-vite dev) only in an unpackaged run: a packaged
  // app must never trust or load a URL from its environment.
  const devServerUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const origins = createTrustedOrigins(devServerUrl);

  installSecurity({ origins });
  installAppProtocol({ rendererDir: RENDERER_DIR });
  const tokenStore = createTokenStore({ dir: app.getPath('userData') });
  const windows = createWindows({ preloadPath: PRELOAD_PATH, startUrl: devServerUrl ?? APP_START_URL });
  installIpc({
    windows,
    origins,
    handlers: createInvokeHandlers({ version: app.getVersion(), platform: process.platform, tokenStore }),
  });

  windows.showMain();
  // macOS: clicking the dock icon with no window open reopens it.
  app.on('activate', () => windows.showMain());
  log.info(`started ${app.getVersion()}${devServerUrl === undefined ? '' : ` with the dev server ${devServerUrl}`}`);
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

start().catch((error: unknown) => {
  log.error('startup failed', error);
  app.exit(1);
});
