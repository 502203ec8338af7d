/**
 * Call recordings in the desktop app, against the Electron fake: the main
 * window hands over a finished recording; the system's save dialog (over the
 * main window) asks where, starting in the Videos folder and then in the
 * folder chosen last; the bytes land there. Cancelling writes nothing; a
 * name that is not a plain .webm file name, bytes that are not bytes, and a
 * page that is not Parley's are refused before any dialog shows.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeBrowserWindow, FakeWebContents } from './fake-electron.js';
import { startApp, type FakeElectron } from './start-app.js';

vi.mock('electron', () => import('./fake-electron.js'));

const NAME = 'parley-bob-2026-11-23-0905.webm';
const bytes = new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);

describe('saving a call recording (desktop app)', () => {
  let electron: FakeElectron;
  let main: FakeBrowserWindow;
  let contents: FakeWebContents;
  let folder: string;
  const fromApp = (channel: string, ...args: unknown[]) => electron.fake.invoke(channel, contents.mainFrame, contents, ...args);

  beforeEach(async () => {
    electron = await startApp();
    main = electron.fake.windows()[0] as FakeBrowserWindow;
    contents = main.webContents;
    contents.mainFrame.url = 'app://parley/';
    folder = mkdtempSync(path.join(tmpdir(), 'parley-recordings-'));
  });

  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it('asks where over the main window, starting in Videos with the suggested name, and writes the file there', async () => {
    const chosen = path.join(folder, 'standup.webm');
    electron.dialog.savePaths.push(chosen);
    expect(await fromApp('recording:save', NAME, bytes)).toEqual({ path: chosen });
    expect(readFileSync(chosen)).toEqual(Buffer.from(bytes));
    const [shown] = electron.dialog.saveDialogs();
    expect(shown?.parent).toBe(main);
    expect(shown?.options).toMatchObject({
      title: 'Save call recording',
      defaultPath: path.join('/nonexistent/parley-test-videos', NAME),
      filters: [{ name: 'WebM video', extensions: ['webm'] }],
    });

    // The next one starts where the last one went.
    electron.dialog.savePaths.push(path.join(folder, 'second.webm'));
    await fromApp('recording:save', 'parley-carol-2026-11-23-1000.webm', bytes);
    expect(electron.dialog.saveDialogs()[1]?.options.defaultPath).toBe(path.join(folder, 'parley-carol-2026-11-23-1000.webm'));
  });

  it('writes nothing when the user cancels', async () => {
    expect(await fromApp('recording:save', NAME, bytes)).toEqual({ path: null });
    expect(electron.dialog.showSaveDialog).toHaveBeenCalledTimes(1);
    expect(existsSync(path.join('/nonexistent/parley-test-videos', NAME))).toBe(false);
  });

  it.each([
    ['a path, not a name', ['../../.bashrc.webm', bytes]],
    ['another kind of file', ['parley.exe', bytes]],
    ['a hidden file', ['.webm', bytes]],
    ['a name too long', [`${'x'.repeat(200)}.webm`, bytes]],
    ['text for bytes', [NAME, 'not bytes']],
    ['an array for bytes', [NAME, [1, 2, 3]]],
    ['no bytes', [NAME]],
    ['an extra argument', [NAME, bytes, 'more']],
  ])('refuses %s before any dialog', async (_what, args) => {
    await expect(fromApp('recording:save', ...args)).rejects.toThrow('Invalid arguments for recording:save');
    expect(electron.dialog.showSaveDialog).not.toHaveBeenCalled();
  });

  it('refuses a page that is not Parley’s', async () => {
    contents.mainFrame.url = 'https://evil.example/';
    electron.dialog.savePaths.push(path.join(folder, 'x.webm'));
    await expect(fromApp('recording:save', NAME, bytes)).rejects.toThrow('Refused: unexpected sender');
    expect(electron.dialog.showSaveDialog).not.toHaveBeenCalled();
  });
});
