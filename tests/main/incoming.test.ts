/**
 * Incoming calls in the running app: a notification and the popup; Answer
 * and Decline from either reach the main window; the popup closes when the
 * call is answered elsewhere; a missed call leaves a notification and the
 * tray badge; the incomingAlert setting and do not disturb are honoured.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SIGNED_OUT } from '../../src/shared/desktop-state.js';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import type { FakeBrowserWindow, FakeNotification } from './fake-electron.js';
import { startApp } from './start-app.js';
import type { FakeElectron } from './start-app.js';
import { cyd, inCall, inCallHold, inCallWaiting, ringing, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const SECURE = { contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true };

describe('incoming calls', () => {
  let electron: FakeElectron;
  let main: FakeBrowserWindow;

  const publish = (state: DesktopState) => electron.fake.send('desktop:state', main.webContents.mainFrame, main.webContents, state);
  const commands = () => main.webContents.sentOn('desktop:command');
  const popups = () => electron.fake.windows().filter((window) => window !== main);
  const livePopup = () => popups().find((window) => !window.isDestroyed());
  const notifications = () => electron.fake.notifications();
  const titled = (prefix: string) => notifications().filter((note: FakeNotification) => note.title.startsWith(prefix));
  /** The popup's page sends a command, as its preload would. */
  const fromPopup = (popup: FakeBrowserWindow, command: unknown) =>
    electron.fake.send('desktop:command', popup.webContents.mainFrame, popup.webContents, command);

  async function start(setup?: (electron: FakeElectron) => void): Promise<void> {
    electron = await startApp(setup ? { setup } : {});
    main = electron.fake.windows()[0]!;
    main.emit('ready-to-show');
    publish(signedIn);
    main.hide();
  }

  beforeEach(() => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('shows a notification and the popup, bottom right, without taking focus', async () => {
    await start();
    publish(ringing('c1'));

    expect(titled('Incoming call from Bob')).toHaveLength(1);
    const [note] = titled('Incoming call from Bob');
    // The username beside the display name: a look-alike name cannot pass for Bob.
    expect(note!.title).toBe('Incoming call from Bob (@bob)');
    expect(note).toMatchObject({ shown: true, closed: false });
    expect(note!.options).toMatchObject({ silent: true, timeoutType: 'never' });

    const popup = livePopup()!;
    expect(popups()).toHaveLength(1);
    expect(popup.options).toMatchObject({
      width: 340,
      height: 124,
      x: 1920 - 340 - 16,
      y: 1040 - 124 - 16,
      frame: false,
      alwaysOnTop: true,
      skipTaskbar: true,
      resizable: false,
      show: false,
      webPreferences: SECURE,
    });
    expect(popup.options.webPreferences?.preload).toBe(main.options.webPreferences?.preload);
    expect(popup.webContents.loadedUrls).toEqual(['app://parley/index.html#incoming']);
    expect(popup.visible).toBe(false);
    popup.emit('ready-to-show');
    expect(popup.visible).toBe(true);
    expect(popup.shownInactive).toBe(true);
    expect(popup.focused).toBe(false);
    expect(main.visible).toBe(false);
  });

  it('the popup reads the call, hears changes, and its Answer reaches the main window', async () => {
    await start();
    publish(ringing('c1'));
    const popup = livePopup()!;
    popup.emit('ready-to-show');

    const snapshot = await electron.fake.invoke('desktop:snapshot', popup.webContents.mainFrame, popup.webContents);
    expect(snapshot).toEqual(ringing('c1'));
    publish({ ...ringing('c1'), missedCalls: 1 });
    expect(popup.webContents.sentOn('desktop:changed')).toEqual([{ ...ringing('c1'), missedCalls: 1 }]);

    fromPopup(popup, { type: 'answer', callId: 'c1' });
    expect(commands()).toEqual([{ type: 'answer', callId: 'c1' }]);
    expect(main.visible).toBe(true);
    expect(main.focused).toBe(true);

    publish(inCall(false, 'c1'));
    expect(popup.isDestroyed()).toBe(true);
    expect(titled('Incoming call')[0]!.closed).toBe(true);
    expect(titled('Missed call')).toEqual([]);
  });

  it("the popup's Decline reaches the main window without bringing it up", async () => {
    await start();
    publish(ringing('c1'));
    const popup = livePopup()!;
    fromPopup(popup, { type: 'decline', callId: 'c1' });
    expect(commands()).toEqual([{ type: 'decline', callId: 'c1' }]);
    expect(main.visible).toBe(false);
    publish(signedIn);
    expect(popup.isDestroyed()).toBe(true);
  });

  it('closes the popup and the notification when the call is answered elsewhere or cancelled', async () => {
    await start();
    publish(ringing('c1'));
    const popup = livePopup()!;
    // Answered on another device (or the caller gave up): not ringing any more, nothing missed.
    publish(signedIn);
    expect(popup.isDestroyed()).toBe(true);
    expect(titled('Incoming call')[0]!.closed).toBe(true);
    expect(titled('Missed call')).toEqual([]);
    expect(commands()).toEqual([]);
  });

  it('a call waiting while in a call: a taller popup and a notification that say answering ends the call going on', async () => {
    await start();
    publish(inCallHold(false));
    expect(popups()).toEqual([]);
    publish(inCallWaiting(cyd, 'c2'));
    const popup = livePopup()!;
    // With a row for Hold and answer: bob's call can be held.
    expect(popup.options).toMatchObject({ width: 340, height: 224, y: 1040 - 224 - 16, alwaysOnTop: true });
    const [note] = titled('Incoming call from Cyd Charisse');
    expect(note!.title).toBe('Incoming call from Cyd Charisse (@cyd)');
    expect(note!.body).toContain('Answering ends your call with Bob.');
    // Answer from the popup is the waiting call's, and reaches the main window (which ends bob's call first).
    fromPopup(popup, { type: 'answer', callId: 'c2' });
    expect(commands()).toEqual([{ type: 'answer', callId: 'c2' }]);
    // Bob's call is over and cyd's answered: the popup and the notification go.
    publish(inCall(false, 'c2', cyd));
    expect(popup.isDestroyed()).toBe(true);
    expect(note!.closed).toBe(true);
  });

  it('Hold and answer from the popup holds the call going on and answers the waiting one; not offered when it cannot be held', async () => {
    await start();
    publish(inCallWaiting(cyd, 'c2'));
    fromPopup(livePopup()!, { type: 'hold-and-answer', callId: 'c2' });
    expect(commands()).toEqual([{ type: 'hold-and-answer', callId: 'c2' }]);
    // Bob's call already held aside for another: no Hold and answer, so no row for it.
    const state = inCallWaiting(cyd, 'c3');
    if (state.call.kind !== 'in-call') throw new Error('not in a call');
    publish({ ...state, call: { ...state.call, aside: { callId: 'c0', peer: cyd } } });
    expect(livePopup()!.options).toMatchObject({ height: 180 });
  });

  it('a waiting call declined from the popup leaves the call going on alone', async () => {
    await start();
    publish(inCallWaiting(cyd, 'c2'));
    const popup = livePopup()!;
    // A decline for the call going on's id is not the popup's to send: dropped as stale.
    fromPopup(popup, { type: 'decline', callId: 'c1' });
    fromPopup(popup, { type: 'decline', callId: 'c2' });
    expect(commands()).toEqual([{ type: 'decline', callId: 'c2' }]);
    expect(main.visible).toBe(false);
    publish(inCallHold(false));
    expect(popup.isDestroyed()).toBe(true);
  });

  it('clicking the notification shows the window', async () => {
    await start();
    publish(ringing('c1'));
    titled('Incoming call')[0]!.click();
    expect(main.visible).toBe(true);
    expect(commands()).toEqual([{ type: 'show' }]);
  });

  it('a late click on an old popup does not answer a newer call', async () => {
    await start();
    publish(ringing('c1'));
    const first = livePopup()!;
    publish(ringing('c2', cyd));
    expect(first.isDestroyed()).toBe(true);
    const second = livePopup()!;
    expect(second).not.toBe(first);
    fromPopup(first, { type: 'answer', callId: 'c1' });
    fromPopup(second, { type: 'answer', callId: 'c1' });
    expect(commands()).toEqual([]);
    expect(titled('Incoming call from Cyd Charisse (@cyd)')).toHaveLength(1);
  });

  it('a popup the user closed stays closed for that call', async () => {
    await start();
    publish(ringing('c1'));
    livePopup()!.close();
    publish({ ...ringing('c1'), missedCalls: 1 });
    expect(livePopup()).toBeUndefined();
    publish(signedIn);
    publish(ringing('c2'));
    expect(livePopup()).toBeDefined();
  });

  it('the popup may only answer, decline or show, and never speaks for the app', async () => {
    await start();
    publish(ringing('c1'));
    const popup = livePopup()!;
    const { webContents: contents } = popup;
    fromPopup(popup, { type: 'dial', username: 'mallory' });
    electron.fake.send('desktop:state', contents.mainFrame, contents, SIGNED_OUT);
    await expect(electron.fake.invoke('settings:set', contents.mainFrame, contents, { startAtLogin: true })).rejects.toThrow('Refused');
    await expect(electron.fake.invoke('session:load', contents.mainFrame, contents)).rejects.toThrow('Refused');
    expect(commands()).toEqual([]);
    expect(electron.fake.tray()!.tooltip).toBe('Parley — ringing: Bob is calling\nCtrl+Alt+A answers · Ctrl+Alt+H declines');
    // And the main window does not get the popup's channel.
    await expect(electron.fake.invoke('desktop:snapshot', main.webContents.mainFrame, main.webContents)).rejects.toThrow('Refused');
  });

  describe('missed calls', () => {
    it('leave a notification that opens the history, and the tray badge until the count is 0', async () => {
      await start();
      publish(ringing('c1'));
      publish({ ...signedIn, missedCalls: 1 });
      const [note] = titled('Missed call from Bob (@bob)');
      expect(note).toMatchObject({ shown: true, closed: false });
      expect(electron.fake.tray()!.iconFile()).toBe('available-missed.png');
      expect(electron.fake.tray()!.tooltip).toBe('Parley — available, 1 missed call');

      note!.click();
      expect(commands()).toEqual([{ type: 'show', tab: 'history' }]);
      expect(main.visible).toBe(true);

      // The renderer opened the history: count back to 0.
      publish({ ...signedIn, missedCalls: 0 });
      expect(note!.closed).toBe(true);
      expect(electron.fake.tray()!.iconFile()).toBe('available.png');
    });

    it('also when the count arrives in a later snapshot', async () => {
      await start();
      publish(ringing('c1'));
      publish(signedIn);
      publish({ ...signedIn, missedCalls: 1 });
      expect(titled('Missed call from Bob')).toHaveLength(1);
    });

    it('not for missed calls that did not ring here (history loading at sign-in)', async () => {
      await start();
      publish({ ...signedIn, missedCalls: 4 });
      expect(titled('Missed call')).toEqual([]);
      expect(electron.fake.tray()!.iconFile()).toBe('available-missed.png');
    });

    it('not when the call was answered', async () => {
      await start();
      publish(ringing('c1'));
      publish(inCall(false, 'c1'));
      publish({ ...signedIn, missedCalls: 1 });
      expect(titled('Missed call')).toEqual([]);
    });
  });

  describe('the incomingAlert setting', () => {
    const withAlert = async (incomingAlert: string) => {
      await start();
      await electron.fake.invoke('settings:set', main.webContents.mainFrame, main.webContents, { incomingAlert });
      publish(ringing('c1'));
    };
    it('popup: no notification', async () => {
      await withAlert('popup');
      expect(livePopup()).toBeDefined();
      expect(titled('Incoming call')).toEqual([]);
    });
    it('notification: no popup', async () => {
      await withAlert('notification');
      expect(livePopup()).toBeUndefined();
      expect(titled('Incoming call')).toHaveLength(1);
    });
  });

  it('do not disturb: no popup, no notification', async () => {
    await start();
    publish({ ...ringing('c1'), status: 'dnd', chosenStatus: 'dnd' });
    expect(livePopup()).toBeUndefined();
    expect(notifications()).toEqual([]);
    publish({ ...signedIn, status: 'dnd', chosenStatus: 'dnd', missedCalls: 1 });
    expect(notifications()).toEqual([]);
  });

  it('in a dev run the popup loads the dev server at #incoming', async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173/');
    await start();
    publish(ringing('c1'));
    expect(livePopup()!.webContents.loadedUrls).toEqual(['http://localhost:5173/#incoming']);
  });
});

/** Notifications installed alone on `platform`, with a recording hub: `listener` plays the hub's state changes. */
async function notificationsOn(platform: NodeJS.Platform) {
  const electron = await import('./fake-electron.js');
  electron.fake.reset();
  const { installNotifications } = await import('../../src/main/notifications.js');
  const { DEFAULT_SETTINGS } = await import('../../src/shared/ipc.js');
  let changed: ((state: DesktopState, previous: DesktopState) => void) | undefined;
  const command = vi.fn(() => true);
  const notifications = installNotifications({
    hub: { state: () => signedIn, subscribe: (l) => ((changed = l), () => undefined), command },
    settings: { get: () => DEFAULT_SETTINGS },
    platform,
  });
  const listener = (state: DesktopState, previous: DesktopState) => changed?.(state, previous);
  return { electron, listener, command, notifications };
}

describe('notification buttons (macOS and Windows)', () => {
  it.each(['win32', 'darwin'] as const)('on %s, Answer and Decline act on that call', async (platform) => {
    const { electron, listener, command, notifications } = await notificationsOn(platform);
    listener(ringing('c9'), signedIn);
    const [note] = electron.fake.notifications();
    expect(note!.body).toBe('Bob (@bob) is calling you.');
    expect(note!.options.actions).toEqual([
      { type: 'button', text: 'Answer' },
      { type: 'button', text: 'Decline' },
    ]);
    note!.act('Decline');
    note!.act('Answer');
    expect(command.mock.calls).toEqual([[{ type: 'decline', callId: 'c9' }], [{ type: 'answer', callId: 'c9' }]]);
    notifications.dispose();
    expect(note!.closed).toBe(true);
  });

  it('a transferred call says who put it through, ringing in or waiting', async () => {
    const { electron, listener } = await notificationsOn('darwin');
    const alice = { username: 'alice', displayName: 'Alice' };
    const rung = ringing('c9');
    if (rung.call.kind !== 'ringing-in') throw new Error('not ringing');
    listener({ ...rung, call: { ...rung.call, transferredBy: alice } }, signedIn);
    expect(electron.fake.notifications()[0]!.body).toBe('Bob (@bob) is calling you, transferred by Alice.');
    const waiting = inCallWaiting(cyd, 'c2');
    if (waiting.call.kind !== 'in-call' || !waiting.call.waiting) throw new Error('not waiting');
    listener({ ...waiting, call: { ...waiting.call, waiting: { ...waiting.call.waiting, transferredBy: alice } } }, signedIn);
    expect(electron.fake.notifications().at(-1)!.body).toContain('Cyd Charisse (@cyd) is calling you, transferred by Alice.');
  });

  it('a call waiting while in a held call says so, and its first button is End and answer', async () => {
    const { electron, listener, command } = await notificationsOn('darwin');
    const held = inCallWaiting(cyd, 'c2');
    if (held.call.kind !== 'in-call') throw new Error('not in a call');
    listener({ ...held, call: { ...held.call, hold: { mine: true, theirs: false } } }, inCallHold(true));
    const [note] = electron.fake.notifications();
    expect(note!.body).toBe('Cyd Charisse (@cyd) is calling you. Answering ends your held call with Bob.');
    expect(note!.options.actions).toEqual([
      { type: 'button', text: 'End and answer' },
      { type: 'button', text: 'Decline' },
    ]);
    note!.act('End and answer');
    expect(command.mock.calls).toEqual([[{ type: 'answer', callId: 'c2' }]]);
  });

  it('on Linux there are no buttons: the text says to click', async () => {
    const { electron, listener } = await notificationsOn('linux');
    listener(ringing('c9'), signedIn);
    const [note] = electron.fake.notifications();
    expect(note!.options.actions).toBeUndefined();
    expect(note!.title).toBe('Incoming call from Bob (@bob)');
    expect(note!.body).toBe('Click to open Parley and answer.');
  });
});
