/**
 * Global shortcuts in the running app: held only while they can act,
 * released after, a key another app holds is reported (shortcuts:status,
 * shortcuts:changed) and never named by the tray.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { normalizeAccelerator } from '../../src/shared/ipc.js';
import type { ShortcutStatus } from '../../src/shared/ipc.js';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import type { FakeBrowserWindow } from './fake-electron.js';
import { startApp } from './start-app.js';
import type { FakeElectron } from './start-app.js';
import { calling, inCall, inCallHold, inCallWaiting, ringing, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

const ANSWER = 'CommandOrControl+Alt+A';
const DECLINE = 'CommandOrControl+Alt+H';
const MUTE = 'CommandOrControl+Alt+M';
const HOLD = 'CommandOrControl+Alt+O';
const TRANSFER = 'CommandOrControl+Alt+T';
const MERGE = 'CommandOrControl+Alt+G';
const SHOW = 'CommandOrControl+Alt+P';

describe('global shortcuts', () => {
  let electron: FakeElectron;
  let window: FakeBrowserWindow;

  const publish = (state: DesktopState) => electron.fake.send('desktop:state', window.webContents.mainFrame, window.webContents, state);
  const held = () => [...electron.globalShortcut.registered.keys()].sort();
  const commands = () => window.webContents.sentOn('desktop:command');
  const status = async () => (await electron.fake.invoke('shortcuts:status', window.webContents.mainFrame, window.webContents)) as ShortcutStatus[];

  async function start(taken: string[] = []): Promise<void> {
    electron = await startApp({ setup: ({ globalShortcut }) => taken.forEach((key) => globalShortcut.taken.add(key)) });
    window = electron.fake.windows()[0]!;
    window.emit('ready-to-show');
  }

  beforeEach(() => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('holds only "show" while idle, call keys while they can act, and releases them after', async () => {
    await start();
    expect(held()).toEqual([SHOW]);
    publish(signedIn);
    expect(held()).toEqual([SHOW]);

    publish(ringing());
    expect(held()).toEqual([ANSWER, DECLINE, SHOW].sort());

    publish(inCall());
    expect(held()).toEqual([DECLINE, MUTE, SHOW].sort());

    publish(inCall(true));
    expect(held()).toEqual([DECLINE, MUTE, SHOW].sort());

    // Hold only in a call that can be held (answered, of two), on hold or not.
    publish(inCallHold(false));
    expect(held()).toEqual([DECLINE, HOLD, MUTE, SHOW].sort());
    publish(inCallHold(true));
    expect(held()).toEqual([DECLINE, HOLD, MUTE, SHOW].sort());
    // A call waiting: answer is held too.
    publish(inCallWaiting());
    expect(held()).toEqual([ANSWER, DECLINE, HOLD, MUTE, SHOW].sort());

    publish(signedIn);
    expect(held()).toEqual([SHOW]);

    publish(calling());
    expect(held()).toEqual([DECLINE, SHOW].sort());
  });

  it('each key sends its command to the renderer', async () => {
    await start();
    publish(signedIn);
    window.hide();

    publish(ringing('c5'));
    electron.globalShortcut.press(DECLINE);
    expect(window.visible).toBe(false);
    electron.globalShortcut.press(ANSWER);
    expect(window.visible).toBe(true);
    window.hide();

    publish(inCall(false, 'c5'));
    electron.globalShortcut.press(MUTE);
    publish(inCallHold(false, false, 'c5'));
    electron.globalShortcut.press(HOLD);
    publish(inCallHold(true, false, 'c5'));
    electron.globalShortcut.press(HOLD);
    // A call waiting: answer and decline are for it, not for the call going on.
    publish(inCallWaiting(undefined, 'w7'));
    electron.globalShortcut.press(DECLINE);
    electron.globalShortcut.press(ANSWER);
    // The hold key while a call waits holds this call and answers that one.
    electron.globalShortcut.press(HOLD);
    // Answering shows the window, as for any call.
    expect(window.visible).toBe(true);
    window.hide();
    publish(inCallHold(true, false, 'c5'));
    electron.globalShortcut.press(DECLINE);
    expect(window.visible).toBe(false);

    publish(calling());
    electron.globalShortcut.press(DECLINE);

    publish(signedIn);
    electron.globalShortcut.press(SHOW);
    expect(window.visible).toBe(true);
    expect(window.focused).toBe(true);

    expect(commands()).toEqual([
      { type: 'decline', callId: 'c5' },
      { type: 'answer', callId: 'c5' },
      { type: 'toggle-mute' },
      { type: 'toggle-hold' },
      { type: 'toggle-hold' },
      { type: 'decline', callId: 'w7' },
      { type: 'answer', callId: 'w7' },
      { type: 'hold-and-answer', callId: 'w7' },
      { type: 'hangup' },
      { type: 'hangup' },
      { type: 'show' },
    ]);
  });

  it('reports a key another app holds, and the tray does not claim it', async () => {
    await start([ANSWER]);
    publish(signedIn);
    // Tried once at start, so Settings can say it at once.
    expect(await status()).toEqual([
      { action: 'answer', accelerator: ANSWER, registered: null, error: 'in use by another application' },
      { action: 'decline', accelerator: DECLINE, registered: null },
      { action: 'mute', accelerator: MUTE, registered: null },
      { action: 'hold', accelerator: HOLD, registered: null },
      { action: 'transfer', accelerator: TRANSFER, registered: null },
      { action: 'merge', accelerator: MERGE, registered: null },
      { action: 'show', accelerator: SHOW, registered: true },
    ]);
    // The probe released what it got.
    expect(held()).toEqual([SHOW]);

    publish(ringing());
    expect(held()).toEqual([DECLINE, SHOW].sort());
    const statuses = await status();
    expect(statuses[0]).toEqual({ action: 'answer', accelerator: ANSWER, registered: false, error: 'in use by another application' });
    expect(statuses[1]).toEqual({ action: 'decline', accelerator: DECLINE, registered: true });

    const tray = electron.fake.tray()!;
    expect(tray.tooltip).toBe('Parley — ringing: Bob is calling\nCtrl+Alt+H declines');
    expect(tray.menu!.find(['Answer'])?.accelerator).toBeUndefined();
    expect(tray.menu!.find(['Decline'])?.accelerator).toBe(DECLINE);

    // The renderer heard each change.
    const events = window.webContents.sentOn('shortcuts:changed') as ShortcutStatus[][];
    expect(events.at(-1)).toEqual(statuses);
  });

  it('does not retry a taken key on every update while it rings, but does on the next call', async () => {
    await start([ANSWER]);
    publish(ringing('c1'));
    const tries = () => electron.globalShortcut.attempts.filter((attempt) => attempt.accelerator === ANSWER).length;
    const before = tries();
    publish({ ...ringing('c1'), missedCalls: 1 });
    publish({ ...ringing('c1'), missedCalls: 2 });
    expect(tries()).toBe(before);

    electron.globalShortcut.taken.delete(ANSWER);
    publish(signedIn);
    publish(ringing('c2'));
    expect(held()).toContain(ANSWER);
    expect((await status())[0]).toEqual({ action: 'answer', accelerator: ANSWER, registered: true });
  });

  it('a taken "show" key is reported as failing now', async () => {
    await start([SHOW]);
    expect(held()).toEqual([]);
    expect((await status()).find((s) => s.action === 'show')).toEqual({ action: 'show', accelerator: SHOW, registered: false, error: 'in use by another application' });
  });

  it('releases every key when the app quits', async () => {
    await start();
    publish(inCall());
    expect(held()).toHaveLength(3);
    electron.app.quit();
    expect(held()).toEqual([]);
  });

  it('only the main window may ask for the status', async () => {
    await start();
    const popup = new electron.BrowserWindow({}).webContents;
    await popup.loadURL('app://parley/');
    await expect(electron.fake.invoke('shortcuts:status', popup.mainFrame, popup)).rejects.toThrow('Refused: unexpected sender');
  });
});

describe('normalizeAccelerator', () => {
  it.each([
    ['CommandOrControl+Alt+A', 'CommandOrControl+Alt+A'],
    ['cmdorctrl+alt+a', 'CommandOrControl+Alt+A'],
    ['Alt+Ctrl+m', 'Control+Alt+M'],
    ['Shift+Super+F5', 'Super+Shift+F5'],
    ['Ctrl++', 'Control+Plus'],
    ['Ctrl+Shift+/', 'Control+Shift+/'],
    ['F13', 'F13'],
    ['MediaPlayPause', 'MediaPlayPause'],
    ['Option+Space', 'Alt+Space'],
  ])('%s → %s', (input, output) => {
    expect(normalizeAccelerator(input)).toBe(output);
  });

  it.each(['', 'A', 'Shift+A', 'F5', 'Ctrl+Alt', 'Ctrl+Alt+', 'Ctrl+Ctrl+A', 'Hyper+A', 'Ctrl+Alt+AB', 'Ctrl+Alt+é', `Ctrl+${'A'.repeat(70)}`])(
    'refuses %j',
    (input) => {
      expect(normalizeAccelerator(input)).toBeNull();
    },
  );
});
