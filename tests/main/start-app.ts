/**
 * Runs the real main process entry (src/main/index.ts) against a fresh copy
 * of the Electron fake. Each call starts from a clean module registry, so a
 * test file can start the app several times with different settings.
 * The calling test file must itself `vi.mock('electron', () => import('./fake-electron.js'))`.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import type { FakeBrowserWindow, FakeTray } from './fake-electron.js';

/** Each started app gets its own empty userData folder under this one, removed when the test process ends. */
const USER_DATA_ROOT = join(tmpdir(), `parley-main-tests-${process.pid}`);
process.once('exit', () => rmSync(USER_DATA_ROOT, { recursive: true, force: true }));

export function freshUserData(): string {
  mkdirSync(USER_DATA_ROOT, { recursive: true });
  return mkdtempSync(join(USER_DATA_ROOT, 'user-data-'));
}

export type FakeElectron = typeof import('./fake-electron.js');

export interface StartOptions {
  /** Adjust the fake before the app starts (userData dir, isPackaged, safeStorage…). */
  setup?: (electron: FakeElectron) => void;
  /** Stop before `app.whenReady()` resolves; call `electron.app.markReady()` to continue. */
  holdReady?: boolean;
  /** Start the built bundle (out/main/index.js) instead of the sources. */
  built?: boolean;
}

export async function startApp(options: StartOptions = {}): Promise<FakeElectron> {
  vi.resetModules();
  const electron = await import('./fake-electron.js');
  // The fresh fake is what the fresh main modules get as 'electron'.
  vi.doMock('electron', () => electron);
  electron.fake.reset();
  electron.app.autoReady = options.holdReady !== true;
  electron.app.userDataDir = freshUserData();
  options.setup?.(electron);
  if (options.built === true) {
    // @ts-expect-error -- the build output has no types
    await import('../../out/main/index.js');
  } else {
    await import('../../src/main/index.js');
  }
  if (options.holdReady !== true) await untilMainWindow(electron);
  return electron;
}

export async function untilMainWindow(electron: FakeElectron): Promise<void> {
  await vi.waitFor(() => {
    if (electron.fake.windows().length === 0) throw new Error('the main window was not created');
  });
}

export interface Restarts {
  /** Starts the app (again) on this test's userData folder; the main window is ready to show. */
  start(setup?: (electron: FakeElectron) => void): Promise<{ electron: FakeElectron; window: FakeBrowserWindow }>;
  /** The folder, once started. */
  userData(): string;
  /** A fresh folder for the next start (call it in beforeEach). */
  forget(): void;
}

/** Starts of the app on one userData folder, as restarts of the real app are. */
export function restarts(): Restarts {
  let userData: string | undefined;
  return {
    async start(setup) {
      const electron = await startApp({
        setup: (fresh) => {
          userData ??= fresh.app.userDataDir;
          fresh.app.userDataDir = userData;
          setup?.(fresh);
        },
      });
      const window = electron.fake.windows()[0]!;
      window.emit('ready-to-show');
      return { electron, window };
    },
    userData() {
      if (userData === undefined) throw new Error('the app was not started');
      return userData;
    },
    forget() {
      userData = undefined;
    },
  };
}

/** The app started from the sources, its main window shown, with its tray and the two ends of the renderer's channel. */
export interface TrayApp {
  electron: FakeElectron;
  window: FakeBrowserWindow;
  tray: FakeTray;
  /** The renderer publishes a state (validated by main as any snapshot). */
  publish: (state: unknown) => void;
  /** What main sent the renderer as desktop commands. */
  commands: () => unknown[];
}

export async function startTrayApp(): Promise<TrayApp> {
  vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
  const electron = await startApp();
  const window = electron.fake.windows()[0]!;
  window.emit('ready-to-show');
  const tray = electron.fake.tray()!;
  return {
    electron,
    window,
    tray,
    publish: (state) => electron.fake.send('desktop:state', window.webContents.mainFrame, window.webContents, state),
    commands: () => window.webContents.sentOn('desktop:command'),
  };
}
