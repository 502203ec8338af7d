/**
 * Every BrowserWindow the app creates, whatever made it (start, reopening,
 * the incoming-call popup, a second call), gets the secure webPreferences and
 * the navigation / window.open / permission guards; no caller can weaken them.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import type { FakeBrowserWindow } from './fake-electron.js';
import { startApp } from './start-app.js';
import type { FakeElectron } from './start-app.js';
import { cyd, ringing, signedIn } from './states.js';

import { SECURE } from './secure-preferences.js';

vi.mock('electron', () => import('./fake-electron.js'));


describe('every window is created secure', () => {
  let electron: FakeElectron;

  beforeEach(() => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('main window, reopened main window, incoming-call popups', async () => {
    electron = await startApp();
    let main = electron.fake.windows()[0]!;
    const publish = (state: DesktopState) => electron.fake.send('desktop:state', main.webContents.mainFrame, main.webContents, state);
    publish(ringing('c1'));
    publish(ringing('c2', cyd));
    publish(signedIn);
    main.destroy();
    electron.app.emit('activate');
    main = electron.fake.windows().at(-1)!;
    await main.webContents.loadURL('app://parley/');
    publish(ringing('c3'));

    const windows: FakeBrowserWindow[] = electron.fake.windows();
    expect(windows).toHaveLength(5);
    const preload = windows[0]!.options.webPreferences?.preload;
    expect(preload).toMatch(/[\\/]preload[\\/]index\.cjs$/);
    for (const window of windows) {
      const prefs = window.options.webPreferences ?? {};
      expect(prefs).toMatchObject(SECURE);
      expect(prefs.preload).toBe(preload);
      expect(prefs).not.toHaveProperty('enableRemoteModule');
      expect(prefs.experimentalFeatures).not.toBe(true);
      // Only our own pages are loaded.
      for (const url of window.webContents.loadedUrls) expect(url).toMatch(/^app:\/\/parley\//);
      // The guards every webContents gets.
      expect(window.webContents.navigate('https://evil.example/').defaultPrevented).toBe(true);
      expect(window.webContents.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
      expect(window.webContents.attachWebview().defaultPrevented).toBe(true);
    }
    expect(await electron.fake.requestPermission('media', 'https://evil.example/')).toBe(false);
    expect(await electron.fake.requestPermission('geolocation', 'app://parley/index.html#incoming')).toBe(false);
  });

  it('a helper window cannot be given its own webPreferences', async () => {
    vi.resetModules();
    const fakeElectron = await import('./fake-electron.js');
    vi.doMock('electron', () => fakeElectron);
    fakeElectron.fake.reset();
    const { createWindows } = await import('../../src/main/windows.js');
    const windows = createWindows({ preloadPath: '/app/out/preload/index.cjs', startUrl: 'app://parley/' });
    const sneaky = { webPreferences: { nodeIntegration: true, sandbox: false, contextIsolation: false, preload: '/tmp/evil.js' } };
    windows.open('incoming', sneaky as never, 'app://parley/index.html#incoming');
    const [popup] = fakeElectron.fake.windows();
    expect(popup!.options.webPreferences).toMatchObject({ ...SECURE, preload: '/app/out/preload/index.cjs' });
  });
});
