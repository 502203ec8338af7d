/**
 * Desktop behaviour in the running app: idle and lock → away and back (not
 * back when the user picked a status by hand), resume → reconnect, parley:
 * links → dial after confirmation, single instance → focus, the page told
 * whether its window is on screen.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import { parseCallLink, parseRoomLink } from '../../src/main/deep-links.js';
import { FakeEvent } from './fake-electron.js';
import type { FakeBrowserWindow } from './fake-electron.js';
import { startApp, untilMainWindow } from './start-app.js';
import type { FakeElectron, StartOptions } from './start-app.js';
import { calling, inCall, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const away: DesktopState = { ...signedIn, status: 'away', chosenStatus: 'away' };
const dnd: DesktopState = { ...signedIn, status: 'dnd', chosenStatus: 'dnd' };

let electron: FakeElectron;
let main: FakeBrowserWindow;
const publish = (state: DesktopState) => electron.fake.send('desktop:state', main.webContents.mainFrame, main.webContents, state);
const commands = () => main.webContents.sentOn('desktop:command');

async function start(options: StartOptions = {}): Promise<void> {
  electron = await startApp(options);
  main = electron.fake.windows()[0]!;
  main.emit('ready-to-show');
}

beforeEach(() => {
  vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

describe('idle and lock', () => {
  const idleFor = (minutes: number) => {
    electron.powerMonitor.idleSeconds = minutes * 60;
    vi.advanceTimersByTime(15_000);
  };

  beforeEach(async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    await start();
    publish(signedIn);
  });

  it('after 10 minutes without input: away; back on input: available', () => {
    idleFor(9);
    expect(commands()).toEqual([]);
    idleFor(10);
    expect(commands()).toEqual([{ type: 'set-status', status: 'away' }]);
    publish(away);
    idleFor(11);
    expect(commands()).toHaveLength(1);
    idleFor(0);
    expect(commands()).toEqual([
      { type: 'set-status', status: 'away' },
      { type: 'set-status', status: 'available' },
    ]);
  });

  it('locking the screen: away at once; unlocking: available', () => {
    electron.powerMonitor.emit('lock-screen');
    expect(commands()).toEqual([{ type: 'set-status', status: 'away' }]);
    publish(away);
    electron.powerMonitor.emit('unlock-screen');
    expect(commands()).toEqual([
      { type: 'set-status', status: 'away' },
      { type: 'set-status', status: 'available' },
    ]);
  });

  it('a status picked by hand in between wins', () => {
    electron.powerMonitor.emit('lock-screen');
    publish(away);
    // From the tray (or the window): do not disturb.
    publish(dnd);
    electron.powerMonitor.emit('unlock-screen');
    idleFor(0);
    expect(commands()).toEqual([{ type: 'set-status', status: 'away' }]);
  });

  it('leaves a status chosen by hand alone', () => {
    publish(away);
    idleFor(30);
    electron.powerMonitor.emit('lock-screen');
    publish(dnd);
    idleFor(30);
    expect(commands()).toEqual([]);
    // And coming back does not make them available.
    electron.powerMonitor.emit('unlock-screen');
    idleFor(0);
    expect(commands()).toEqual([]);
  });

  it('never during a call, nor signed out', () => {
    publish(inCall());
    idleFor(60);
    publish(calling());
    electron.powerMonitor.emit('lock-screen');
    electron.powerMonitor.emit('unlock-screen');
    publish({ ...signedIn, connection: 'signed-out', me: null });
    idleFor(60);
    expect(commands()).toEqual([]);
    // The call ended and they are still away from the keyboard: now.
    publish(signedIn);
    idleFor(60);
    expect(commands()).toEqual([{ type: 'set-status', status: 'away' }]);
  });

  it('follows the idle minutes setting; 0 turns idle detection off, not the lock', async () => {
    await electron.fake.invoke('settings:set', main.webContents.mainFrame, main.webContents, { idleAwayMinutes: 2 });
    idleFor(2);
    expect(commands()).toEqual([{ type: 'set-status', status: 'away' }]);
    publish(away);
    idleFor(0);
    publish(signedIn);
    await electron.fake.invoke('settings:set', main.webContents.mainFrame, main.webContents, { idleAwayMinutes: 0 });
    idleFor(600);
    expect(commands()).toHaveLength(2);
    electron.powerMonitor.emit('lock-screen');
    expect(commands()).toHaveLength(3);
  });

  it('after the computer wakes up, the renderer reconnects', () => {
    electron.powerMonitor.emit('suspend');
    electron.powerMonitor.emit('resume');
    expect(commands()).toEqual([{ type: 'reconnect' }]);
  });
});

describe('parley: links', () => {
  const argv = process.argv;
  afterEach(() => {
    process.argv = argv;
  });

  const dials = () => commands().filter((command) => (command as { type: string }).type === 'dial');

  it('registers as the handler of parley:', async () => {
    await start();
    expect(electron.app.setAsDefaultProtocolClient).toHaveBeenCalledWith('parley');
  });

  it('a link at first launch waits for sign-in, then asks, then dials', async () => {
    process.argv = ['/opt/Parley/parley', 'parley://call/bob'];
    await start();
    await Promise.resolve();
    expect(electron.dialog.showMessageBox).not.toHaveBeenCalled();
    publish({ ...signedIn, connection: 'connecting' });
    expect(electron.dialog.showMessageBox).not.toHaveBeenCalled();

    publish(signedIn);
    expect(electron.dialog.shown()).toEqual([
      expect.objectContaining({ message: 'Call Bob (bob)?', buttons: ['Call', 'Cancel'], cancelId: 1, defaultId: 0 }),
    ]);
    await vi.waitFor(() => expect(dials()).toEqual([{ type: 'dial', username: 'bob' }]));
    expect(main.visible).toBe(true);
  });

  it('Cancel dials nothing', async () => {
    await start({ setup: ({ dialog }) => dialog.responses.push(1) });
    publish(signedIn);
    electron.app.emit('second-instance', new FakeEvent(), ['/opt/Parley/parley', 'parley://call/cyd'], '/', {});
    expect(electron.dialog.shown()[0]?.message).toBe('Call Cyd Charisse (cyd)?');
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(dials()).toEqual([]);
  });

  it('a second launch with a link focuses this window and asks', async () => {
    await start();
    publish(signedIn);
    main.hide();
    electron.app.emit('second-instance', new FakeEvent(), ['C:\\Parley\\Parley.exe', '--flag', 'parley://call/Zed/'], 'C:\\', {});
    expect(main.visible).toBe(true);
    expect(main.focused).toBe(true);
    expect(electron.dialog.shown()[0]?.message).toBe('Call zed?');
    await vi.waitFor(() => expect(dials()).toEqual([{ type: 'dial', username: 'zed' }]));
  });

  it('macOS open-url, also before the app is ready', async () => {
    electron = await startApp({ holdReady: true });
    const early = new FakeEvent();
    electron.app.emit('open-url', early, 'parley://call/bob');
    expect(early.defaultPrevented).toBe(true);
    electron.app.markReady();
    await untilMainWindow(electron);
    main = electron.fake.windows()[0]!;
    publish(signedIn);
    await vi.waitFor(() => expect(dials()).toEqual([{ type: 'dial', username: 'bob' }]));

    const later = new FakeEvent();
    electron.app.emit('open-url', later, 'parley://call/cyd');
    expect(later.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(dials()).toHaveLength(2));
  });

  it('ignores anything but a call link to a valid username, and calls to yourself', async () => {
    await start();
    publish(signedIn);
    for (const link of ['parley://call/', 'parley://call/../../etc', 'parley://hangup/bob', 'parley://call/bob?auto=1', 'parley://call/ada']) {
      electron.app.emit('second-instance', new FakeEvent(), ['parley', link], '/', {});
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(electron.dialog.showMessageBox).not.toHaveBeenCalled();
    expect(dials()).toEqual([]);
  });

  it('a room link asks to join the room, then sends join-room; Cancel joins nothing', async () => {
    await start({ setup: ({ dialog }) => dialog.responses.push(0, 1) });
    publish(signedIn);
    electron.app.emit('second-instance', new FakeEvent(), ['/opt/Parley/parley', 'parley://room/Standup'], '/', {});
    expect(electron.dialog.shown()[0]).toEqual(
      expect.objectContaining({ message: 'Join room standup?', buttons: ['Join', 'Cancel'], detail: 'A link asked Parley to join this room.' }),
    );
    const joins = () => commands().filter((command) => (command as { type: string }).type === 'join-room');
    await vi.waitFor(() => expect(joins()).toEqual([{ type: 'join-room', name: 'standup' }]));
    electron.app.emit('second-instance', new FakeEvent(), ['/opt/Parley/parley', 'parley://room/retro'], '/', {});
    await vi.waitFor(() => expect(electron.dialog.shown()).toHaveLength(2));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(joins()).toHaveLength(1);
    for (const link of ['parley://room/', 'parley://room/-x', 'parley://room/a b', 'parley://room/x?code=1', 'parley://rooms/x']) {
      electron.app.emit('second-instance', new FakeEvent(), ['parley', link], '/', {});
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(electron.dialog.shown()).toHaveLength(2);
  });

  it('one question at a time; the latest waiting link is asked next', async () => {
    await start();
    publish(signedIn);
    for (const user of ['bob', 'cyd', 'dee']) {
      electron.app.emit('second-instance', new FakeEvent(), ['parley', `parley://call/${user}`], '/', {});
    }
    await vi.waitFor(() => expect(dials()).toEqual([
      { type: 'dial', username: 'bob' },
      { type: 'dial', username: 'dee' },
    ]));
    expect(electron.dialog.showMessageBox).toHaveBeenCalledTimes(2);
  });
});

describe('the window on screen or not', () => {
  it('the page hears whether its window shows, at each load and when it is hidden, minimised, restored or shown (changes only)', async () => {
    await start();
    const told = () => main.webContents.sentOn('window:shown');
    // Shown when ready; then its page finishes loading and hears it again.
    expect(told()).toEqual([true]);
    main.webContents.emit('did-finish-load');
    expect(told()).toEqual([true, true]);
    // Closed to the tray, then back from the tray's Show Parley; minimised and restored.
    main.hide();
    main.hide();
    main.show();
    main.minimize();
    main.restore();
    expect(told()).toEqual([true, true, false, true, false, true]);
    // A reload (a renderer crash) hears it again.
    main.webContents.emit('did-finish-load');
    expect(told().at(-1)).toBe(true);
    expect(told()).toHaveLength(7);
  });
});

describe('parseRoomLink', () => {
  it.each([
    ['parley://room/standup', 'standup'],
    ['parley://room/standup/', 'standup'],
    ['PARLEY://ROOM/Team.Sync', 'team.sync'],
    ['parley://room/q3-review_2', 'q3-review_2'],
  ])('%s → %s', (link, name) => {
    expect(parseRoomLink(link)).toBe(name);
  });

  it.each(['parley://room', 'parley://room/', 'parley://room/.hidden', 'parley://room/a/b', 'parley://room/a?code=x', 'parley://call/bob', `parley://room/${'x'.repeat(65)}`])(
    'refuses %s',
    (link) => {
      expect(parseRoomLink(link)).toBeNull();
    },
  );
});

describe('parseCallLink', () => {
  it.each([
    ['parley://call/bob', 'bob'],
    ['parley://call/bob/', 'bob'],
    ['PARLEY://CALL/Bob', 'bob'],
    ['parley://call/ada.lovelace', 'ada.lovelace'],
    ['parley://call/a%2Db', 'a-b'],
  ])('%s → %s', (link, username) => {
    expect(parseCallLink(link)).toBe(username);
  });

  it.each([
    'parley://call',
    'parley://call/',
    'parley://call/b',
    'parley://call/bob/extra',
    'parley://call/bob?x=1',
    'parley://call/bob#x',
    'parley://user:pw@call/bob',
    'parley://call:8080/bob',
    'parley:call/bob',
    'https://call/bob',
    'parley://dial/bob',
    'parley://call/%E0%A4%A',
    'parley://call/bob%00',
    'parley://call/bob smith',
    'parley://call/../../etc',
    'parley://call/x/../bob',
    'parley://call/..%2Fbob',
    'parley://call/bob\\',
    `parley://call/${'a'.repeat(600)}`,
    'not a url',
  ])('refuses %s', (link) => {
    expect(parseCallLink(link)).toBeNull();
  });
});

describe('single instance', () => {
  it('a second launch quits at once and opens nothing', async () => {
    electron = await startApp({ holdReady: true, setup: ({ app }) => (app.singleInstance = false) });
    expect(electron.app.quit).toHaveBeenCalledOnce();
    electron.app.markReady();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(electron.fake.windows()).toEqual([]);
    expect(electron.fake.tray()).toBeUndefined();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it('the first instance shows and focuses its window when another launch is attempted', async () => {
    await start();
    main.minimize();
    main.hide();
    electron.app.emit('second-instance', new FakeEvent(), ['/opt/Parley/parley'], '/', {});
    expect(main.visible).toBe(true);
    expect(main.focused).toBe(true);
    expect(main.isMinimized()).toBe(false);
    expect(electron.dialog.showMessageBox).not.toHaveBeenCalled();
  });
});
