/**
 * The renderer's preferences (audio settings, favorites) in main's settings
 * file: defaults, validation on read and on IPC, atomic writes that survive
 * a restart, a burst of changes written as few files, temp files of killed
 * writes cleaned up; and the preferences:* channels in the running app.
 */
import * as nodeFs from 'node:fs/promises';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/ipc.js';
import { DEFAULT_AUDIO_SETTINGS, DEFAULT_PREFERENCES } from '../../src/shared/preferences.js';
import type { AudioSettings, Preferences } from '../../src/shared/preferences.js';
import { fake } from './fake-electron.js';
import type { FakeBrowserWindow } from './fake-electron.js';
import { restarts } from './start-app.js';
import type { FakeElectron } from './start-app.js';
import { ringing, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const { loadSettings, SETTINGS_FILE } = await import('../../src/main/settings.js');
type SettingsFs = import('../../src/main/settings.js').SettingsFs;

const HEADSET: AudioSettings = {
  fileLimitMB: 50,
  fileAutoAcceptMB: 5,
  microphoneId: 'usb-headset-mic',
  speakerId: 'usb-headset',
  ringtoneId: 'built-in-speakers',
  cameraId: 'usb-webcam',
  echoCancellation: false,
  noiseSuppression: 'browser',
  autoGainControl: false,
  ringtoneVolume: 0.25,
  pushToTalk: true,
  pushToTalkKey: 'ControlRight',
  busyInCall: true,
  transferUnanswered: 'end',
  connectWhileRinging: false,
};

describe('preferences in the settings file', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    fake.reset();
    dir = await mkdtemp(join(tmpdir(), 'parley-preferences-'));
    file = join(dir, SETTINGS_FILE);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const load = (fs?: SettingsFs) => loadSettings({ dir, ...(fs ? { fs } : {}) });

  it('are the defaults without a file', async () => {
    expect((await load()).preferences()).toEqual(DEFAULT_PREFERENCES);
  });

  it('are saved beside the desktop settings and read back after a restart, without touching those', async () => {
    const settings = await load();
    await settings.update({ incomingAlert: 'popup' });
    const heard = vi.fn();
    settings.onChange(heard);
    await settings.savePreferences({ audio: HEADSET });
    await settings.savePreferences({ favorites: ['bob', 'carol'] });
    expect(settings.preferences()).toEqual({ audio: HEADSET, favorites: ['bob', 'carol'] });
    expect(heard).not.toHaveBeenCalled();
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ incomingAlert: 'popup', audio: HEADSET, favorites: ['bob', 'carol'] });

    const again = await load();
    expect(again.preferences()).toEqual({ audio: HEADSET, favorites: ['bob', 'carol'] });
    expect(again.get()).toEqual({ ...DEFAULT_SETTINGS, incomingAlert: 'popup' });
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
  });

  it('replace only the part given, and keep each favorite once', async () => {
    const settings = await load();
    await settings.savePreferences({ audio: HEADSET, favorites: ['bob'] });
    await settings.savePreferences({ favorites: ['carol', 'bob', 'carol'] });
    expect((await load()).preferences()).toEqual({ audio: HEADSET, favorites: ['carol', 'bob'] });
  });

  it('from an older file: the desktop settings stay, missing audio keys are the defaults, unknown ones dropped', async () => {
    await writeFile(file, JSON.stringify({ version: 1, idleAwayMinutes: 3 }));
    expect((await load()).preferences()).toEqual(DEFAULT_PREFERENCES);
    await writeFile(file, JSON.stringify({ idleAwayMinutes: 3, audio: { ringtoneVolume: 0.1, surround: true }, favorites: ['ada'] }));
    const settings = await load();
    expect(settings.preferences()).toEqual({ audio: { ...DEFAULT_AUDIO_SETTINGS, ringtoneVolume: 0.1 }, favorites: ['ada'] });
    expect(settings.get().idleAwayMinutes).toBe(3);
    expect(settings.takeNotice()).toBeNull();
  });

  it('from a file of the checkbox days: noise suppression on is Auto (the default), off stays Off, and it is written back as a level', async () => {
    for (const [stored, level] of [[true, 'auto'], [false, 'off']] as const) {
      await writeFile(file, JSON.stringify({ audio: { ...HEADSET, noiseSuppression: stored } }));
      const settings = await load();
      expect(settings.preferences().audio).toEqual({ ...HEADSET, noiseSuppression: level });
      expect(settings.takeNotice()).toBeNull();
      await settings.savePreferences({ favorites: ['bob'] });
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ audio: { noiseSuppression: level } });
    }
  });

  it('an invalid value in the file is kept aside like any other, with the defaults and a message', async () => {
    await writeFile(file, JSON.stringify({ audio: { ringtoneVolume: 7 }, favorites: ['bob'] }));
    const settings = await load();
    expect(settings.preferences()).toEqual(DEFAULT_PREFERENCES);
    expect(settings.takeNotice()).toMatch(/^Your settings file could not be read \(invalid value for audio\.ringtoneVolume\)/);
    expect((await readdir(dir)).some((name) => name.startsWith('settings.corrupt-'))).toBe(true);
  });

  it('a failed write rejects, keeps the previous file and leaves no temp file; the change lasts the session', async () => {
    const settings = await load();
    await settings.savePreferences({ favorites: ['bob'] });
    const failing: SettingsFs = {
      ...nodeFs,
      async writeFile(path, data, options) {
        await nodeFs.writeFile(path, data.subarray(0, 10), options);
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
    };
    const broken = await load(failing);
    await expect(broken.savePreferences({ favorites: ['bob', 'carol'] })).rejects.toThrow('ENOSPC');
    expect(broken.preferences().favorites).toEqual(['bob', 'carol']);
    expect(await readdir(dir)).toEqual([SETTINGS_FILE]);
    expect((await load()).preferences().favorites).toEqual(['bob']);
  });

  it('a burst of changes (a volume slider) is written as a few files, the last change last', async () => {
    const renames: string[] = [];
    const counting: SettingsFs = {
      ...nodeFs,
      async rename(from, to) {
        renames.push(to);
        await nodeFs.rename(from, to);
      },
    };
    const settings = await load(counting);
    const volumes = Array.from({ length: 50 }, (_, i) => (i + 1) / 50);
    const saved: Promise<void>[] = [];
    for (const [i, ringtoneVolume] of volumes.entries()) {
      saved.push(settings.savePreferences({ audio: { ...HEADSET, ringtoneVolume } }));
      // Some while a write is under way, some in the same tick.
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(saved);
    expect(renames.length).toBeGreaterThan(0);
    expect(renames.length).toBeLessThan(10);
    expect((await load()).preferences().audio.ringtoneVolume).toBe(1);
  });

  it('temp files of writes a killed process never finished are removed at start, and nothing else', async () => {
    const leftovers = [
      `${SETTINGS_FILE}.4242.0b6c9f36-5a0e-4b8f-9a43-0f3f2b7c1e55.tmp`,
      `${SETTINGS_FILE}.77.9d2d2a4e-3d4f-4c39-8f0a-6f1f0e1d2c3b.tmp`,
    ];
    const others = [SETTINGS_FILE, 'session.bin', 'session.bin.4242.0b6c9f36-5a0e-4b8f-9a43-0f3f2b7c1e55.tmp', `${SETTINGS_FILE}.notes.tmp`, 'settings.corrupt-x.json'];
    await writeFile(file, JSON.stringify({ favorites: ['bob'] }));
    for (const name of [...leftovers, ...others.slice(1)]) await writeFile(join(dir, name), 'x');
    const settings = await load();
    expect((await readdir(dir)).sort()).toEqual([...others].sort());
    expect(settings.preferences().favorites).toEqual(['bob']);
  });
});

describe('preferences:* in the running app', () => {
  let electron: FakeElectron;
  let window: FakeBrowserWindow;
  const runs = restarts();
  const fromApp = (channel: string, ...args: unknown[]) => electron.fake.invoke(channel, window.webContents.mainFrame, window.webContents, ...args);
  const fileOnDisk = async () => readFile(join(runs.userData(), SETTINGS_FILE), 'utf8').catch(() => null);

  async function start(): Promise<void> {
    ({ electron, window } = await runs.start());
  }

  beforeEach(() => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
    runs.forget();
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('preferences:set writes the settings file, and preferences:get reads it after a restart', async () => {
    await start();
    expect(await fromApp('preferences:get')).toEqual(DEFAULT_PREFERENCES);
    expect(await fromApp('preferences:set', { audio: HEADSET, favorites: ['bob', 'carol'] })).toBeUndefined();
    // Resolved: on disk already.
    expect(JSON.parse((await fileOnDisk())!)).toMatchObject({ audio: HEADSET, favorites: ['bob', 'carol'] });
    // Not a desktop setting: nobody is told.
    expect(window.webContents.sentOn('settings:changed')).toEqual([]);

    await start();
    const expected: Preferences = { audio: HEADSET, favorites: ['bob', 'carol'] };
    expect(await fromApp('preferences:get')).toEqual(expected);
    expect(await fromApp('settings:get')).toEqual(DEFAULT_SETTINGS);
  });

  describe('preferences:set refuses a malformed payload and changes nothing', () => {
    it.each([
      ['no argument', []],
      ['null', [null]],
      ['an unknown key', [{ theme: 'dark' }]],
      ['an unknown audio key', [{ audio: { ...HEADSET, surround: true } }]],
      ['audio settings missing a key', [{ audio: { ringtoneVolume: 0.5 } }]],
      ['a ringtone volume above 1', [{ audio: { ...HEADSET, ringtoneVolume: 1.5 } }]],
      ['a huge device id', [{ audio: { ...HEADSET, microphoneId: 'x'.repeat(257) } }]],
      ['favorites that are not a list', [{ favorites: 'bob' }]],
      ['a favorite that is not a string', [{ favorites: [42] }]],
      ['a favorite too long for a username', [{ favorites: ['x'.repeat(33)] }]],
      ['more than 1000 favorites', [{ favorites: Array.from({ length: 1001 }, (_, i) => `user${i}`) }]],
      ['an extra argument', [{ favorites: ['bob'] }, 'extra']],
    ])('%s', async (_name, args) => {
      await start();
      await fromApp('preferences:set', { favorites: ['ada'] });
      const before = await fileOnDisk();
      await expect(fromApp('preferences:set', ...args)).rejects.toThrow('Invalid arguments for preferences:set');
      expect(await fromApp('preferences:get')).toEqual({ ...DEFAULT_PREFERENCES, favorites: ['ada'] });
      expect(await fileOnDisk()).toBe(before);
    });
  });

  it('the incoming-call popup may not read or change them', async () => {
    await start();
    const publish = (state: unknown) => electron.fake.send('desktop:state', window.webContents.mainFrame, window.webContents, state);
    publish(signedIn);
    publish(ringing('c1'));
    const popup = electron.fake.windows().find((w) => w !== window && !w.isDestroyed())!;
    expect(popup).toBeDefined();
    const fromPopup = (channel: string, ...args: unknown[]) => electron.fake.invoke(channel, popup.webContents.mainFrame, popup.webContents, ...args);
    await expect(fromPopup('preferences:get')).rejects.toThrow('Refused: unexpected sender');
    await expect(fromPopup('preferences:set', { favorites: ['mallory'] })).rejects.toThrow('Refused: unexpected sender');
    expect(await fileOnDisk()).toBeNull();
  });
});
