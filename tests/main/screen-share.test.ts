/**
 * Screen sharing in the desktop app, against the Electron fake: the main
 * window lists screens and windows with thumbnails for the app's own picker,
 * chooses one, and the getDisplayMedia() that follows gets exactly that
 * source; anything else is refused.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeBrowserWindow, FakeWebContents } from './fake-electron.js';
import { startApp, type FakeElectron } from './start-app.js';

vi.mock('electron', () => import('./fake-electron.js'));

const APP = 'app://parley';

describe('screen sharing (desktop app)', () => {
  let electron: FakeElectron;
  let contents: FakeWebContents;
  const fromApp = (channel: string, ...args: unknown[]) => electron.fake.invoke(channel, contents.mainFrame, contents, ...args);

  beforeEach(async () => {
    electron = await startApp({
      setup: ({ desktopCapturer, FakeDesktopSource }) => {
        desktopCapturer.sources = [
          new FakeDesktopSource('screen:0:0', 'Entire screen'),
          new FakeDesktopSource('window:4242:0', 'Slides — Presenter', false),
        ];
      },
    });
    const window = electron.fake.windows()[0] as FakeBrowserWindow;
    contents = window.webContents;
    contents.mainFrame.url = `${APP}/`;
  });

  it('lists screens and windows with thumbnails, asking for small 16:9 pictures', async () => {
    expect(await fromApp('screen:sources')).toEqual([
      { id: 'screen:0:0', name: 'Entire screen', kind: 'screen', thumbnail: `data:image/png;base64,${Buffer.from('screen:0:0').toString('base64')}` },
      { id: 'window:4242:0', name: 'Slides — Presenter', kind: 'window', thumbnail: '' },
    ]);
    expect(electron.desktopCapturer.getSources).toHaveBeenCalledWith(
      expect.objectContaining({ types: ['screen', 'window'], thumbnailSize: { width: 320, height: 180 } }),
    );
  });

  it("gives the page's getDisplayMedia the source chosen in the picker, once", async () => {
    await fromApp('screen:sources');
    expect(await fromApp('screen:choose', 'window:4242:0')).toBe(true);
    const granted = await electron.fake.requestDisplayMedia(APP, `${APP}/`);
    expect(granted).toEqual({ video: electron.desktopCapturer.sources[1] });
    // The choice is used up: a second capture without a new choice is refused.
    expect(await electron.fake.requestDisplayMedia(APP, `${APP}/`)).toEqual({});
  });

  it('refuses a capture nobody chose in the picker', async () => {
    expect(await electron.fake.requestDisplayMedia(APP, `${APP}/`)).toEqual({});
  });

  it('refuses to choose a source that was not listed', async () => {
    await fromApp('screen:sources');
    expect(await fromApp('screen:choose', 'screen:9:9')).toBe(false);
    expect(await electron.fake.requestDisplayMedia(APP, `${APP}/`)).toEqual({});
  });

  it('refuses a capture from a page that is not Parley, even with a choice made', async () => {
    await fromApp('screen:sources');
    await fromApp('screen:choose', 'screen:0:0');
    expect(await electron.fake.requestDisplayMedia('https://evil.example', 'https://evil.example/')).toEqual({});
  });

  it('refuses a stale choice', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await fromApp('screen:sources');
      await fromApp('screen:choose', 'screen:0:0');
      vi.setSystemTime(Date.now() + 11_000);
      expect(await electron.fake.requestDisplayMedia(APP, `${APP}/`)).toEqual({});
    } finally {
      vi.useRealTimers();
    }
  });

  it('validates screen:choose and refuses it from other windows', async () => {
    await expect(fromApp('screen:choose', 42)).rejects.toThrow(/Invalid arguments/);
    await expect(fromApp('screen:choose', 'x'.repeat(300))).rejects.toThrow(/Invalid arguments/);
    contents.mainFrame.url = 'https://evil.example/';
    await expect(fromApp('screen:sources')).rejects.toThrow(/Refused/);
  });
});
