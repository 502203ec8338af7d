import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { StoredSession } from '../../src/shared/ipc.js';
import type { FakeBrowserWindow, FakeFrame, FakeWebContents } from './fake-electron.js';
import { startApp } from './start-app.js';
import type { FakeElectron } from './start-app.js';

vi.mock('electron', () => import('./fake-electron.js'));

const saved: StoredSession = {
  serverUrl: 'https://parley.example.com',
  token: 'token-of-ada-0123456789',
  expiresAt: 1_900_000_000_000,
  user: { username: 'ada', displayName: 'Ada Lovelace' },
};

describe('IPC from the renderer', () => {
  let userData: string;
  let electron: FakeElectron;
  let window: FakeBrowserWindow;
  let contents: FakeWebContents;
  /** Invokes a channel as the main window's own page would. */
  const fromApp = (channel: string, ...args: unknown[]) => electron.fake.invoke(channel, contents.mainFrame, contents, ...args);

  beforeAll(async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
    userData = await mkdtemp(join(tmpdir(), 'parley-ipc-'));
    electron = await startApp({ setup: ({ app }) => (app.userDataDir = userData) });
    window = electron.fake.windows()[0]!;
    contents = window.webContents;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await rm(userData, { recursive: true, force: true });
  });
  beforeEach(async () => {
    contents.mainFrame.url = 'app://parley/';
    await fromApp('session:save', saved);
  });

  it('answers app:info', async () => {
    expect(await fromApp('app:info')).toEqual({
      version: '0.1.0-test',
      platform: ['linux', 'darwin', 'win32'].includes(process.platform) ? process.platform : 'other',
      secureStorage: true,
    });
  });

  it('stores a valid session:save from the main frame, and session:load returns it', async () => {
    const next = { ...saved, token: 'a-fresh-token-9876543210', user: { username: 'bob', displayName: 'Bob' } };
    expect(await fromApp('session:save', next)).toBeUndefined();
    expect(await fromApp('session:load')).toEqual(next);
    expect(await readdir(userData)).toEqual(['session.bin']);
  });

  it('session:clear forgets the session', async () => {
    await fromApp('session:clear');
    expect(await fromApp('session:load')).toBeNull();
  });

  describe('rejects malformed payloads and changes nothing', () => {
    const malformed: [string, string, unknown[]][] = [
      ['no argument', 'session:save', []],
      ['null', 'session:save', [null]],
      ['a string', 'session:save', ['{"token":"x"}']],
      ['an empty token', 'session:save', [{ ...saved, token: '' }]],
      ['a huge token', 'session:save', [{ ...saved, token: 'x'.repeat(5000) }]],
      ['a non-http server URL', 'session:save', [{ ...saved, serverUrl: 'file:///etc/passwd' }]],
      ['javascript: server URL', 'session:save', [{ ...saved, serverUrl: 'javascript:alert(1)' }]],
      ['an unknown key', 'session:save', [{ ...saved, admin: true }]],
      ['a missing user', 'session:save', [{ ...saved, user: undefined }]],
      ['a float expiry', 'session:save', [{ ...saved, expiresAt: 1.5 }]],
      ['an extra argument', 'session:save', [saved, 'extra']],
      ['an argument to session:clear', 'session:clear', [true]],
      ['an argument to session:load', 'session:load', ['../../etc/passwd']],
    ];
    it.each(malformed)('%s', async (_name, channel, args) => {
      const call = fromApp(channel, ...args);
      await expect(call).rejects.toThrow(`Invalid arguments for ${channel}`);
      await call.catch((error: unknown) => {
        // The message names the problem, never the values (no token echoed back or logged).
        expect(String(error)).not.toContain(saved.token);
      });
      expect(await fromApp('session:load')).toEqual(saved);
    });
  });

  describe('refuses unexpected senders and changes nothing', () => {
    const attempts = (frame: FakeFrame | null, sender: FakeWebContents) => [
      electron.fake.invoke('session:save', frame, sender, { ...saved, token: 'attacker-token-000' }),
      electron.fake.invoke('session:clear', frame, sender),
      electron.fake.invoke('session:load', frame, sender),
      electron.fake.invoke('app:info', frame, sender),
    ];
    /** Every channel is refused for this sender, and the stored session is untouched. */
    async function expectRefused(frame: FakeFrame | null, sender: FakeWebContents): Promise<void> {
      for (const attempt of attempts(frame, sender)) {
        await expect(attempt).rejects.toThrow('Refused: unexpected sender');
      }
      const mainFrame = contents.mainFrame;
      const { url, detached } = mainFrame;
      mainFrame.url = 'app://parley/';
      mainFrame.detached = false;
      try {
        expect(await fromApp('session:load')).toEqual(saved);
      } finally {
        mainFrame.url = url;
        mainFrame.detached = detached;
      }
    }

    it('a subframe of the main window, even on the app origin', async () => {
      await expectRefused(contents.subframe('app://parley/frame.html'), contents);
      await expectRefused(contents.subframe('https://evil.example/'), contents);
    });
    it('the main frame showing another origin', async () => {
      contents.mainFrame.url = 'https://evil.example/';
      await expectRefused(contents.mainFrame, contents);
    });
    it('a frame with a look-alike origin', async () => {
      for (const url of ['app://parley.evil/', 'app://evil/', 'app://parley:1/', 'http://parley/', 'file:///app/parley/index.html']) {
        contents.mainFrame.url = url;
        await expectRefused(contents.mainFrame, contents);
      }
    });
    it('the main frame of a window we did not create', async () => {
      const foreign = new electron.BrowserWindow({}).webContents;
      await foreign.loadURL('app://parley/');
      await expectRefused(foreign.mainFrame, foreign);
    });
    it('a frame that is not the main frame of its sender', async () => {
      const foreign = new electron.BrowserWindow({}).webContents;
      await foreign.loadURL('app://parley/');
      await expectRefused(foreign.mainFrame, contents);
    });
    it('no frame, or a destroyed or detached one', async () => {
      await expectRefused(null, contents);
      const { FakeWebContents: Contents } = electron;
      const gone = new Contents();
      electron.app.emit('web-contents-created', {}, gone);
      gone.mainFrame.url = 'app://parley/';
      gone.mainFrame.destroy();
      await expectRefused(gone.mainFrame, gone);
      contents.mainFrame.detached = true;
      await expectRefused(contents.mainFrame, contents);
      contents.mainFrame.detached = false;
    });
    it('a closed window (and its replacement is trusted)', async () => {
      const closed = window.webContents;
      // Really closed (closing by hand only hides it to the tray).
      window.destroy();
      electron.app.emit('activate');
      window = electron.fake.windows().at(-1)!;
      contents = window.webContents;
      expect(contents).not.toBe(closed);
      await contents.loadURL('app://parley/');
      await expectRefused(closed.mainFrame, closed);
    });
  });
});
