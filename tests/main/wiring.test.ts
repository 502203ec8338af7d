import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { invokeSchemas, sendSchemas } from '../../src/shared/ipc.js';
import { startApp, untilMainWindow } from './start-app.js';

vi.mock('electron', () => import('./fake-electron.js'));

const SECURE = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  webSecurity: true,
};

describe('main process wiring', () => {
  beforeEach(() => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('registers the app: scheme before ready, and opens nothing until ready', async () => {
    const electron = await startApp({ holdReady: true });
    expect(electron.protocol.privileged.map((s) => s.scheme)).toEqual(['app']);
    expect(electron.protocol.privileged[0]?.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
    expect(electron.fake.windows()).toHaveLength(0);
    expect(electron.ipcMain.handlers.size).toBe(0);

    electron.app.markReady();
    await untilMainWindow(electron);
    expect(electron.protocol.isProtocolHandled('app')).toBe(true);
  });

  it('opens the main window with secure webPreferences, hidden until ready-to-show, at app://parley/', async () => {
    const electron = await startApp();
    const [window] = electron.fake.windows();
    expect(electron.fake.windows()).toHaveLength(1);
    expect(window?.options).toMatchObject({
      title: 'Parley',
      show: false,
      width: 420,
      height: 720,
      minWidth: 360,
      minHeight: 560,
      webPreferences: SECURE,
    });
    expect(window?.options.webPreferences?.preload).toMatch(/[\\/]preload[\\/]index\.cjs$/);
    expect(window?.options.webPreferences?.webviewTag).not.toBe(true);
    expect(window?.webContents.loadedUrls).toEqual(['app://parley/']);
    expect(window?.visible).toBe(false);
    window?.emit('ready-to-show');
    expect(window?.visible).toBe(true);
  });

  it('gives every window it creates the secure webPreferences (also after reopening)', async () => {
    const electron = await startApp();
    // Really closed (closing by hand only hides it to the tray).
    electron.fake.windows()[0]?.destroy();
    electron.app.emit('activate');
    expect(electron.fake.windows()).toHaveLength(2);
    for (const window of electron.fake.windows()) {
      expect(window.options.webPreferences).toMatchObject(SECURE);
      expect(window.options.webPreferences?.webviewTag).not.toBe(true);
      expect(window.options.webPreferences?.nodeIntegrationInSubFrames).not.toBe(true);
    }
  });

  it('activate with the window open shows it instead of opening another', async () => {
    const electron = await startApp();
    electron.app.emit('activate');
    expect(electron.fake.windows()).toHaveLength(1);
    expect(electron.fake.windows()[0]?.visible).toBe(true);
  });

  it('installs the security guards before the window exists', async () => {
    const electron = await startApp();
    const contents = electron.fake.windows()[0]!.webContents;
    expect(contents.navigate('https://evil.example/').defaultPrevented).toBe(true);
    expect(contents.openWindow('https://evil.example/')).toEqual({ action: 'deny' });
    expect(await electron.fake.requestPermission('media', 'app://parley/')).toBe(true);
    expect(await electron.fake.requestPermission('media', 'https://evil.example/')).toBe(false);
  });

  it('handles exactly the channels of the IPC contract', async () => {
    const electron = await startApp();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual(Object.keys(invokeSchemas).sort());
    expect([...electron.ipcMain.listeners.keys()].sort()).toEqual(Object.keys(sendSchemas).sort());
    for (const listeners of electron.ipcMain.listeners.values()) expect(listeners).toHaveLength(1);
  });

  it('quits when the last window closes, except on macOS', async () => {
    const electron = await startApp();
    const platform = Object.getOwnPropertyDescriptor(process, 'platform')!;
    try {
      Object.defineProperty(process, 'platform', { value: 'darwin' });
      electron.app.emit('window-all-closed');
      expect(electron.app.quit).not.toHaveBeenCalled();
      Object.defineProperty(process, 'platform', { value: 'linux' });
      electron.app.emit('window-all-closed');
      expect(electron.app.quit).toHaveBeenCalledOnce();
    } finally {
      Object.defineProperty(process, 'platform', platform);
    }
  });

  it('loads the dev server in an unpackaged dev run, and trusts its origin', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173/');
    const electron = await startApp();
    const contents = electron.fake.windows()[0]!.webContents;
    expect(contents.loadedUrls).toEqual(['http://localhost:5173/']);
    expect(await electron.fake.invoke('session:load', contents.mainFrame, contents)).toBeNull();
    expect(contents.navigate('http://localhost:5173/other').defaultPrevented).toBe(false);
    expect(await electron.fake.requestPermission('media', 'http://localhost:5173/')).toBe(true);
  });

  it('ignores ELECTRON_RENDERER_URL in a packaged app', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'https://evil.example/');
    const electron = await startApp({ setup: ({ app }) => (app.isPackaged = true) });
    const contents = electron.fake.windows()[0]!.webContents;
    expect(contents.loadedUrls).toEqual(['app://parley/']);
    contents.mainFrame.url = 'https://evil.example/';
    await expect(electron.fake.invoke('session:load', contents.mainFrame, contents)).rejects.toThrow('Refused: unexpected sender');
    expect(await electron.fake.requestPermission('media', 'https://evil.example/')).toBe(false);
  });
});
