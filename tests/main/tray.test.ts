/**
 * The tray in the running app (src/main/index.ts against the Electron fake):
 * the renderer publishes states, the tray shows them; menu clicks reach the
 * renderer as desktop commands; the icon toggles the window; closing hides.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGNED_OUT } from '../../src/shared/desktop-state.js';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import type { FakeBrowserWindow, FakeTray } from './fake-electron.js';
import { startTrayApp, type FakeElectron } from './start-app.js';
import { inCall, ringing, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

describe('tray', () => {
  let electron: FakeElectron;
  let window: FakeBrowserWindow;
  let tray: FakeTray;

  let publish: (state: DesktopState) => void;
  let commands: () => unknown[];
  const menu = () => tray.menu!;

  beforeEach(async () => {
    ({ electron, window, tray, publish, commands } = await startTrayApp());
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('starts offline and signed out, with a real icon file', () => {
    expect(tray.iconFile()).toBe(process.platform === 'darwin' ? 'offlineTemplate.png' : 'offline.png');
    expect(existsSync(tray.image.path)).toBe(true);
    expect(tray.tooltip).toBe('Parley — signed out');
    expect(menu().outline().slice(0, 3)).toEqual(['!( ) Available', '!( ) Away', '!( ) Do not disturb']);
  });

  it('follows the published state: icon, tooltip and menu', () => {
    publish({ ...signedIn, missedCalls: 2 });
    expect(tray.iconFile()).toMatch(/^available-missed(Template)?\.png$/);
    expect(tray.tooltip).toBe('Parley — available, 2 missed calls');
    expect(menu().outline()).toEqual([
      '(x) Available',
      '( ) Away',
      '( ) Do not disturb',
      '---',
      { Call: ['Bob — available', '---', 'Cyd Charisse — away'] },
      { Recent: ['Bob — missed', 'Cyd Charisse — outgoing', '---', 'Show history'] },
      { 'Join room': ['!No recent rooms', '---', 'Another room…'] },
      'Voicemail',
      '---',
      'Show Parley',
      'Quit',
    ]);

    publish(inCall(true));
    expect(tray.iconFile()).toMatch(/^in-call-muted(Template)?\.png$/);
    expect(tray.tooltip).toBe('Parley — in call with Bob (muted)\nCtrl+Alt+M unmutes · Ctrl+Alt+H hangs up');
    expect(menu().outline().slice(0, 3)).toEqual(['!In call with Bob', 'Unmute', 'Hang up']);

    // The page goes away (crash, reload): back to offline.
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    expect(tray.tooltip).toBe('Parley — signed out');
  });

  it('rebuilds the menu only when what it shows changes', () => {
    publish(signedIn);
    const built = menu();
    publish({ ...signedIn, me: { username: 'ada', displayName: 'Ada L.' } });
    expect(menu()).toBe(built);
    publish({ ...signedIn, chosenStatus: 'dnd', status: 'dnd' });
    expect(menu()).not.toBe(built);
  });

  describe('menu clicks reach the renderer', () => {
    beforeEach(() => {
      publish(signedIn);
      window.hide();
    });

    it('a contact in Call dials them and brings the window up', () => {
      menu().click('Call', 'Bob — available');
      expect(commands()).toEqual([{ type: 'dial', username: 'bob' }]);
      expect(window.visible).toBe(true);
    });

    it('a recent call calls back; Show history opens the history', () => {
      menu().click('Recent', 'Cyd Charisse — outgoing');
      menu().click('Recent', 'Show history');
      expect(commands()).toEqual([
        { type: 'dial', username: 'cyd' },
        { type: 'show', tab: 'history' },
      ]);
    });

    it('a status sets it, and the radio shows the real state until the renderer confirms', () => {
      menu().click('Do not disturb');
      expect(commands()).toEqual([{ type: 'set-status', status: 'dnd' }]);
      expect(window.visible).toBe(false);
      expect(menu().outline().slice(0, 3)).toEqual(['(x) Available', '( ) Away', '( ) Do not disturb']);
      publish({ ...signedIn, chosenStatus: 'dnd', status: 'dnd' });
      expect(menu().outline().slice(0, 3)).toEqual(['( ) Available', '( ) Away', '(x) Do not disturb']);
    });

    it('ringing: Answer and Decline, for that call', () => {
      publish(ringing('c42'));
      menu().click('Decline');
      expect(window.visible).toBe(false);
      menu().click('Answer');
      expect(window.visible).toBe(true);
      expect(commands()).toEqual([
        { type: 'decline', callId: 'c42' },
        { type: 'answer', callId: 'c42' },
      ]);
    });

    it('in a call: Mute and Hang up', () => {
      publish(inCall(false));
      menu().click('Mute');
      menu().click('Hang up');
      expect(commands()).toEqual([{ type: 'toggle-mute' }, { type: 'hangup' }]);
      expect(window.visible).toBe(false);
    });

    it('Show Parley shows and focuses the window', () => {
      menu().click('Show Parley');
      expect(window.visible).toBe(true);
      expect(window.focused).toBe(true);
      expect(commands()).toEqual([{ type: 'show' }]);
    });

    it('disabled items cannot be clicked', () => {
      publish(SIGNED_OUT);
      expect(() => menu().click('Away')).toThrow(/disabled/);
      expect(commands()).toEqual([]);
    });
  });

  it('clicking the icon shows or hides the window', () => {
    expect(window.visible).toBe(true);
    tray.emit('click');
    expect(window.visible).toBe(false);
    tray.emit('click');
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(true);
    window.minimize();
    tray.emit('click');
    expect(window.visible).toBe(true);
    expect(window.isMinimized()).toBe(false);
  });

  it('closing the window hides it to the tray, saying so the first time only', () => {
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(window.visible).toBe(false);
    const notices = electron.fake.notifications();
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ title: 'Parley is still running', shown: true });
    expect(notices[0]!.body).toMatch(/keeps running in the (tray|menu bar)/);

    tray.emit('click');
    window.close();
    expect(window.isDestroyed()).toBe(false);
    expect(electron.fake.notifications()).toHaveLength(1);
  });

  it('Quit really quits: the window closes instead of hiding', () => {
    menu().click('Quit');
    expect(electron.app.quit).toHaveBeenCalledOnce();
    expect(window.isDestroyed()).toBe(true);
    expect(electron.fake.notifications()).toHaveLength(0);
  });

  it('a quit from elsewhere (Cmd+Q, the OS) is not turned into hiding either', () => {
    electron.app.quit();
    expect(window.isDestroyed()).toBe(true);
  });
});

describe('tray on macOS', () => {
  it('uses template images and leaves clicks to the menu', async () => {
    const electron = await import('./fake-electron.js');
    electron.fake.reset();
    const { installTray } = await import('../../src/main/tray.js');
    const toggleMain = vi.fn();
    let state = signedIn;
    const tray = installTray({
      hub: { state: () => state, subscribe: () => () => undefined, command: () => true },
      windows: { toggleMain, hideOnClose: () => () => undefined },
      iconDir: `${electron.APP_PATH}/build/tray`,
      platform: 'darwin',
      quit: vi.fn(),
    });
    const fakeTray = electron.fake.tray()!;
    expect(fakeTray.iconFile()).toBe('availableTemplate.png');
    expect(fakeTray.image.isTemplateImage()).toBe(true);
    expect(fakeTray.image.isEmpty()).toBe(false);
    fakeTray.emit('click');
    expect(toggleMain).not.toHaveBeenCalled();
    state = ringing();
    expect(tray.view().icon).toBe('availableTemplate.png');
    tray.dispose();
    expect(fakeTray.isDestroyed()).toBe(true);
  });
});
