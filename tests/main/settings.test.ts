/**
 * The settings file: defaults, validation on read (a corrupt file is kept
 * aside with a message), atomic ordered writes; and in the running app the
 * settings:* channels, shortcuts re-registered at once, start minimized,
 * window bounds restored.
 */
import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/ipc.js';
import type { DesktopSettings, ShortcutStatus } from '../../src/shared/ipc.js';
import { app, fake } from './fake-electron.js';
import type { FakeBrowserWindow } from './fake-electron.js';
import { restarts } from './start-app.js';
import type { FakeElectron } from './start-app.js';
import { inCall } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { loadSettings, SETTINGS_FILE } = await import('../../src/main/settings.js');
const { applyLoginItem, autostartFile } = await import('../../src/main/login-item.js');
type SettingsFs = import('../../src/main/settings.js').SettingsFs;

const NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
const ASIDE = 'settings.corrupt-2025-01-02T03-04-05-006Z.json';

describe('settings store', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    fake.reset();
    dir = await mkdtemp(join(tmpdir(), 'parley-settings-'));
    file = join(dir, SETTINGS_FILE);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = (fs?: SettingsFs) => loadSettings({ dir, now: () => NOW, ...(fs ? { fs } : {}) });

  it('starts from the defaults without writing anything', async () => {
    const settings = await load();
    expect(settings.get()).toEqual(DEFAULT_SETTINGS);
    expect(settings.windowBounds()).toBeNull();
    expect(settings.trayNotice.wasShown()).toBe(false);
    expect(settings.takeNotice()).toBeNull();
    expect(await readdir(dir)).toEqual([]);
  });

  it('saves a change and reads it back after a restart', async () => {
    const settings = await load();
    const updated = await settings.update({ incomingAlert: 'popup', shortcuts: { mute: 'Ctrl+Shift+m' }, idleAwayMinutes: 0 });
    expect(updated).toEqual({
      ...DEFAULT_SETTINGS,
      incomingAlert: 'popup',
      idleAwayMinutes: 0,
      shortcuts: { ...DEFAULT_SETTINGS.shortcuts, mute: 'Control+Shift+M' },
    });
    settings.saveWindowBounds({ x: 10, y: 20, width: 500, height: 700, maximized: false });
    settings.trayNotice.markShown();
    await settings.flush();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ version: 1, incomingAlert: 'popup', trayNoticeShown: true });

    const again = await load();
    expect(again.get()).toEqual(updated);
    expect(again.windowBounds()).toEqual({ x: 10, y: 20, width: 500, height: 700, maximized: false });
    expect(again.trayNotice.wasShown()).toBe(true);
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
  });

  it('tells listeners about real changes only', async () => {
    const settings = await load();
    const heard: [DesktopSettings, DesktopSettings][] = [];
    settings.onChange((next, previous) => heard.push([next, previous]));
    await settings.update({ startMinimized: true });
    await settings.update({ startMinimized: true });
    await settings.update({});
    settings.saveWindowBounds({ x: 0, y: 0, width: 400, height: 600, maximized: false });
    expect(heard).toEqual([[{ ...DEFAULT_SETTINGS, startMinimized: true }, DEFAULT_SETTINGS]]);
  });

  it('refuses a shortcut another action has, changing nothing', async () => {
    const settings = await load();
    await settings.update({ startAtLogin: true });
    const before = await readFile(file, 'utf8');
    await expect(settings.update({ shortcuts: { mute: 'CommandOrControl+Alt+A' }, idleAwayMinutes: 3 })).rejects.toThrow(
      'CommandOrControl+Alt+A is already the shortcut for answer',
    );
    expect(settings.get()).toEqual({ ...DEFAULT_SETTINGS, startAtLogin: true });
    expect(await readFile(file, 'utf8')).toBe(before);
    // Moving a key from one action to another in one change is fine.
    await settings.update({ shortcuts: { answer: null, mute: 'CommandOrControl+Alt+A' } });
    expect(settings.get().shortcuts).toMatchObject({ answer: null, mute: 'CommandOrControl+Alt+A' });
  });

  it('fills what an older file lacks and drops what it does not know', async () => {
    await writeFile(file, JSON.stringify({ incomingAlert: 'notification', futureFeature: { x: 1 }, shortcuts: { answer: null } }));
    const settings = await load();
    expect(settings.get()).toEqual({ ...DEFAULT_SETTINGS, incomingAlert: 'notification', shortcuts: { ...DEFAULT_SETTINGS.shortcuts, answer: null } });
    expect(settings.takeNotice()).toBeNull();
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
  });

  it('a file from before the transfer and merge keys gets them, or leaves one off whose key the user gave another action', async () => {
    const before = { answer: 'CommandOrControl+Alt+A', decline: 'CommandOrControl+Alt+H', mute: 'CommandOrControl+Alt+M', hold: 'CommandOrControl+Alt+T', show: null };
    await writeFile(file, JSON.stringify({ version: 1, shortcuts: before }));
    const settings = await load();
    expect(settings.get().shortcuts).toEqual({ ...before, transfer: null, merge: 'CommandOrControl+Alt+G' });
    expect(settings.takeNotice()).toBeNull();
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    // Set once, it is the user's like any other.
    await settings.update({ shortcuts: { transfer: 'CommandOrControl+Alt+R' } });
    expect((await load()).get().shortcuts).toMatchObject({ hold: 'CommandOrControl+Alt+T', transfer: 'CommandOrControl+Alt+R' });
  });

  describe('keeps a corrupt or invalid file aside and uses the defaults, with a message once', () => {
    it.each([
      ['not JSON', '{"incomingAlert": "popup",', 'it is not valid JSON'],
      ['empty', '', 'it is not valid JSON'],
      ['not an object', '[1,2,3]', 'invalid settings'],
      ['an unknown alert', JSON.stringify({ incomingAlert: 'loud' }), 'invalid value for incomingAlert'],
      ['negative minutes', JSON.stringify({ idleAwayMinutes: -1 }), 'invalid value for idleAwayMinutes'],
      ['a bare key as a global shortcut', JSON.stringify({ shortcuts: { answer: 'A' } }), 'invalid value for shortcuts.answer'],
      ['two actions on one key', JSON.stringify({ shortcuts: { answer: 'Ctrl+Alt+X', mute: 'Control+Alt+X' } }), 'invalid settings'],
      ['a newer format version', JSON.stringify({ version: 2 }), 'invalid value for version'],
    ])('%s', async (_name, content, reason) => {
      await writeFile(file, content);
      const settings = await load();
      expect(settings.get()).toEqual(DEFAULT_SETTINGS);
      expect(await readdir(dir)).toEqual([ASIDE]);
      expect(await readFile(join(dir, ASIDE), 'utf8')).toBe(content);
      expect(settings.takeNotice()).toBe(
        `Your settings file could not be read (${reason}), so Parley started with the default settings. The old file was kept as ${ASIDE}.`,
      );
      expect(settings.takeNotice()).toBeNull();
      // The next save writes a good file; the bad one stays aside.
      await settings.update({ startMinimized: true });
      expect((await readdir(dir)).sort()).toEqual([ASIDE, SETTINGS_FILE].sort());
    });
  });

  it('keeps the previous file when a write fails midway, and leaves no temp file', async () => {
    const settings = await load();
    await settings.update({ incomingAlert: 'popup' });
    const failing: SettingsFs = {
      ...nodeFs,
      async writeFile(path, data, options) {
        await nodeFs.writeFile(path, data.subarray(0, 10), options);
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    };
    const broken = await load(failing);
    // In effect for this session; the file on disk is still the last good one.
    expect(await broken.update({ incomingAlert: 'notification' })).toMatchObject({ incomingAlert: 'notification' });
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    expect((await load()).get().incomingAlert).toBe('popup');
  });

  it('writes in call order: the last change wins on disk', async () => {
    const settings = await load();
    await Promise.all([1, 2, 3, 4, 5].map((minutes) => settings.update({ idleAwayMinutes: minutes })));
    expect((await load()).get().idleAwayMinutes).toBe(5);
  });
});

describe('start at login', () => {
  let dir: string;
  beforeEach(async () => {
    fake.reset();
    dir = await mkdtemp(join(tmpdir(), 'parley-autostart-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses the OS login items on macOS and Windows', async () => {
    await applyLoginItem(true, { platform: 'darwin' });
    await applyLoginItem(false, { platform: 'win32' });
    expect(app.setLoginItemSettings.mock.calls).toEqual([[{ openAtLogin: true }], [{ openAtLogin: false }]]);
  });

  it('writes and removes an XDG autostart entry on Linux (packaged app only)', async () => {
    const env = { XDG_CONFIG_HOME: dir, APPIMAGE: '/home/ada/Apps/Parley "beta".AppImage' };
    const entry = autostartFile(env, '/home/ada');
    expect(entry).toBe(join(dir, 'autostart', 'parley.desktop'));

    await applyLoginItem(true, { platform: 'linux', env });
    await expect(readFile(entry, 'utf8')).rejects.toThrow(/ENOENT/);

    app.isPackaged = true;
    await applyLoginItem(true, { platform: 'linux', env });
    const text = await readFile(entry, 'utf8');
    expect(text).toContain('[Desktop Entry]\nType=Application\nName=Parley\n');
    expect(text).toContain('Exec="/home/ada/Apps/Parley \\"beta\\".AppImage"\n');
    await applyLoginItem(false, { platform: 'linux', env });
    expect(await readdir(join(dir, 'autostart'))).toEqual([]);
    expect(app.setLoginItemSettings).not.toHaveBeenCalled();
  });
});

describe('settings in the running app', () => {
  let electron: FakeElectron;
  let window: FakeBrowserWindow;
  const runs = restarts();
  const fromApp = (channel: string, ...args: unknown[]) => electron.fake.invoke(channel, window.webContents.mainFrame, window.webContents, ...args);
  const held = () => [...electron.globalShortcut.registered.keys()].sort();

  async function start(setup?: (electron: FakeElectron) => void): Promise<void> {
    ({ electron, window } = await runs.start(setup));
  }

  beforeEach(() => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
    runs.forget();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('settings:get and settings:set, with settings:changed to the window', async () => {
    await start();
    expect(await fromApp('settings:get')).toEqual(DEFAULT_SETTINGS);
    const next = await fromApp('settings:set', { incomingAlert: 'notification' });
    expect(next).toEqual({ ...DEFAULT_SETTINGS, incomingAlert: 'notification' });
    expect(window.webContents.sentOn('settings:changed')).toEqual([next]);
    expect(JSON.parse(await readFile(join(runs.userData(), SETTINGS_FILE), 'utf8'))).toMatchObject({ incomingAlert: 'notification' });
  });

  it('a changed shortcut is registered at once and the old key released', async () => {
    await start();
    electron.fake.send('desktop:state', window.webContents.mainFrame, window.webContents, inCall());
    expect(held()).toContain('CommandOrControl+Alt+M');
    await fromApp('settings:set', { shortcuts: { mute: 'CommandOrControl+Shift+M', show: null } });
    expect(held()).toEqual(['CommandOrControl+Alt+H', 'CommandOrControl+Shift+M']);
    const statuses = (await fromApp('shortcuts:status')) as ShortcutStatus[];
    expect(statuses[2]).toEqual({ action: 'mute', accelerator: 'CommandOrControl+Shift+M', registered: true });
    expect(statuses.find((s) => s.action === 'show')).toEqual({ action: 'show', accelerator: null, registered: null });
  });

  it('a new key another app holds is reported straight away, even when not needed now', async () => {
    await start(({ globalShortcut }) => globalShortcut.taken.add('CommandOrControl+Shift+A'));
    await fromApp('settings:set', { shortcuts: { answer: 'CommandOrControl+Shift+A' } });
    const statuses = (await fromApp('shortcuts:status')) as ShortcutStatus[];
    expect(statuses[0]).toEqual({ action: 'answer', accelerator: 'CommandOrControl+Shift+A', registered: null, error: 'in use by another application' });
    expect((window.webContents.sentOn('shortcuts:changed') as ShortcutStatus[][]).at(-1)).toEqual(statuses);
  });

  it.each([
    ['an unknown key', { volume: 11 }],
    ['a bare key as a shortcut', { shortcuts: { answer: 'A' } }],
    ['an unknown action', { shortcuts: { dance: 'Ctrl+Alt+D' } }],
    ['fractional minutes', { idleAwayMinutes: 1.5 }],
    ['an unknown alert', { incomingAlert: 'siren' }],
  ])('settings:set refuses %s and changes nothing', async (_name, patch) => {
    await start();
    await expect(fromApp('settings:set', patch)).rejects.toThrow('Invalid arguments for settings:set');
    expect(await fromApp('settings:get')).toEqual(DEFAULT_SETTINGS);
    expect(window.webContents.sentOn('settings:changed')).toEqual([]);
  });

  it('settings:set refuses a clash with the reason', async () => {
    await start();
    await expect(fromApp('settings:set', { shortcuts: { show: 'CommandOrControl+Alt+H' } })).rejects.toThrow(
      'CommandOrControl+Alt+H is already the shortcut for decline',
    );
  });

  it('starts with defaults when the file is corrupt, keeps it aside, and says so once', async () => {
    await start();
    await writeFile(join(runs.userData(), SETTINGS_FILE), '{ not json');
    await start();
    expect(await fromApp('settings:get')).toEqual(DEFAULT_SETTINGS);
    expect((await readdir(runs.userData())).some((name) => /^settings\.corrupt-.*\.json$/.test(name))).toBe(true);
    expect(await fromApp('settings:notice')).toMatch(/^Your settings file could not be read \(it is not valid JSON\)/);
    expect(await fromApp('settings:notice')).toBeNull();
  });

  it('start minimized: the window is created hidden and the tray brings it up', async () => {
    await start();
    await fromApp('settings:set', { startMinimized: true });
    await start();
    expect(window.visible).toBe(false);
    electron.fake.tray()!.emit('click');
    expect(window.visible).toBe(true);
  });

  it('remembers the window size and position, unless that place is off every screen', async () => {
    const twoScreens = [
      { x: 0, y: 0, width: 1920, height: 1040 },
      { x: 1920, y: 0, width: 1920, height: 1040 },
    ];
    await start(({ screen }) => (screen.workAreas = twoScreens));
    window.moveTo({ x: 2300, y: 200, width: 500, height: 800 });
    window.close(); // hides to the tray, saving at once
    await vi.waitFor(async () => {
      expect(JSON.parse(await readFile(join(runs.userData(), SETTINGS_FILE), 'utf8'))).toMatchObject({
        windowBounds: { x: 2300, y: 200, width: 500, height: 800, maximized: false },
      });
    });
    await start(({ screen }) => (screen.workAreas = twoScreens));
    expect(window.getBounds()).toEqual({ x: 2300, y: 200, width: 500, height: 800 });

    // The second monitor is gone: the same size, placed by the system (shorter, to fit this screen).
    await start(({ screen }) => (screen.workAreas = [{ x: 0, y: 0, width: 1280, height: 700 }]));
    expect(window.options.x).toBeUndefined();
    expect(window.options.y).toBeUndefined();
    expect(window.options).toMatchObject({ width: 500, height: 700 });
  });

  it('reopens maximized when it was, once shown', async () => {
    await start();
    window.maximize();
    await vi.waitFor(async () => {
      expect(JSON.parse(await readFile(join(runs.userData(), SETTINGS_FILE), 'utf8'))).toMatchObject({ windowBounds: { maximized: true } });
    });
    await start();
    expect(window.isMaximized()).toBe(true);
  });
});
