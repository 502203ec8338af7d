/**
 * Push-to-talk in the running app, against recording fakes of Electron and
 * of uiohook-napi: the global input hook is loaded only when a call has
 * push-to-talk on, runs only during such a call, turns the chosen key going
 * down and up in any app into push-to-talk commands for the window (once per
 * press, whatever the autorepeat), ignores every other key, and says why when
 * the system refuses it. The tray shows the talking state.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import type { FakeBrowserWindow } from './fake-electron.js';
import type { FakeUiohook } from './fake-uiohook.js';
import { startApp } from './start-app.js';
import type { FakeElectron } from './start-app.js';
import { inCall, inCallPushToTalk, ringing, signedIn } from './states.js';

vi.mock('electron', () => import('./fake-electron.js'));

/** One test's hook loads, and how they go. */
interface Loads {
  loaded: FakeUiohook[];
  failLoad: boolean;
  refuse: string | null;
}

/**
 * Each app started gets a fresh fake (as startApp does for Electron's), made
 * when the app imports it, and counted in this test's own list: a load an
 * earlier test's app started and did not wait for lands in that test's list.
 */
function mockUiohook(): Loads {
  const loads: Loads = { loaded: [], failLoad: false, refuse: null };
  vi.doMock('uiohook-napi', async () => {
    if (loads.failLoad) throw new Error('libXtst.so.6: cannot open shared object file');
    const module = (await import('./fake-uiohook.js')).fakeUiohookModule();
    module.uIOhook.refuse = loads.refuse;
    loads.loaded.push(module.uIOhook);
    return module;
  });
  return loads;
}

describe('push-to-talk while another app has focus', () => {
  let electron: FakeElectron;
  let window: FakeBrowserWindow;
  let hooks: Loads;

  const publish = (state: DesktopState) => electron.fake.send('desktop:state', window.webContents.mainFrame, window.webContents, state);
  const commands = () => window.webContents.sentOn('desktop:command');
  const statuses = () => window.webContents.sentOn('push-to-talk:changed');
  /** The one hook loaded so far. */
  async function loadedHook(): Promise<FakeUiohook> {
    await vi.waitFor(() => expect(hooks.loaded).toHaveLength(1));
    return hooks.loaded[0]!;
  }
  async function listening(hook: FakeUiohook): Promise<void> {
    await vi.waitFor(() => expect(hook.running).toBe(true));
  }

  beforeEach(async () => {
    vi.stubEnv('ELECTRON_RENDERER_URL', undefined);
    hooks = mockUiohook();
    electron = await startApp();
    window = electron.fake.windows()[0]!;
    window.emit('ready-to-show');
  });
  afterEach(() => {
    // This app's hook stops, as at quit.
    electron.app.emit('will-quit');
    vi.unstubAllEnvs();
  });

  it('is not loaded at start, nor in a call without push-to-talk, nor while a call rings', async () => {
    publish(signedIn);
    publish(ringing());
    publish(inCall());
    publish(signedIn);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hooks.loaded).toEqual([]);
    expect(statuses()).toEqual([]);
  });

  it('in a call with push-to-talk, the key going down and up anywhere reaches the window, once per press', async () => {
    publish(inCallPushToTalk(false, 'F8'));
    const hook = await loadedHook();
    await listening(hook);
    expect(statuses()).toEqual([{ state: 'listening' }]);

    hook.press('F8');
    // The keyboard repeats a held key: one command all the same.
    hook.press('F8');
    hook.press('F8');
    hook.release('F8');
    // Other keys, typed in other apps, go by unseen.
    hook.press('F9');
    hook.press('Escape');
    hook.release('KeyA');
    expect(commands()).toEqual([
      { type: 'push-to-talk', down: true },
      { type: 'push-to-talk', down: false },
    ]);
    // The window is not brought forward: the user is in another app.
    expect(window.focused).toBe(false);
  });

  it('the tray shows the talking state while the key is held', async () => {
    publish(inCallPushToTalk(false, 'F8'));
    // The hook loads for this call; waited for, so that no load is still under way when the next test starts its app.
    await listening(await loadedHook());
    const tray = electron.fake.tray()!;
    expect(tray.iconFile()).toBe('in-call.png');
    expect(tray.tooltip).toMatch(/^Parley — in call with Bob \(hold F8 to talk\)\n/);
    publish(inCallPushToTalk(true, 'F8'));
    expect(tray.iconFile()).toBe('in-call-talking.png');
    expect(tray.tooltip).toMatch(/^Parley — in call with Bob \(talking\)\n/);
    // Muted, the key does nothing: the tray says muted.
    publish(inCallPushToTalk(true, 'F8', true));
    expect(tray.iconFile()).toBe('in-call-muted.png');
  });

  it('runs only during the call: stopped when it ends (a held key let go), started again for the next, loaded once', async () => {
    publish(inCallPushToTalk(false, 'F8', false, 'c1'));
    const hook = await loadedHook();
    await listening(hook);
    // Each press publishes a new state: the hook is not restarted for it.
    hook.press('F8');
    publish(inCallPushToTalk(true, 'F8', false, 'c1'));
    expect(hook.calls).toEqual(['start']);

    publish(signedIn);
    expect(hook.running).toBe(false);
    expect(commands().at(-1)).toEqual({ type: 'push-to-talk', down: false });
    hook.press('F8');
    expect(commands()).toHaveLength(2);
    expect(statuses()).toEqual([{ state: 'listening' }, { state: 'off' }]);

    publish(inCallPushToTalk(false, 'F8', false, 'c2'));
    await listening(hook);
    expect(hook.calls).toEqual(['start', 'stop', 'start']);
    expect(hooks.loaded).toHaveLength(1);
  });

  it('stops when push-to-talk is turned off mid-call, and follows a new key', async () => {
    publish(inCallPushToTalk(false, 'F8'));
    const hook = await loadedHook();
    await listening(hook);
    hook.press('F8');
    publish(inCallPushToTalk(true, 'ControlRight'));
    // The old key no longer counts as held; the new one works.
    expect(commands()).toEqual([
      { type: 'push-to-talk', down: true },
      { type: 'push-to-talk', down: false },
    ]);
    hook.release('F8');
    hook.press('ControlRight');
    expect(commands()).toHaveLength(3);
    hook.release('ControlRight');

    publish(inCall());
    expect(hook.running).toBe(false);
    expect(hook.calls).toEqual(['start', 'stop']);
  });

  it('a hook the system refuses is reported in words, tried once per call, and the window still works', async () => {
    // macOS without the Accessibility permission.
    hooks.refuse = 'UIOHOOK_ERROR_AXAPI_DISABLED';
    publish(inCallPushToTalk(false, 'F8', false, 'c1'));
    const hook = await loadedHook();
    await vi.waitFor(() => expect(statuses()).toHaveLength(1));
    expect(statuses()[0]).toEqual({
      state: 'unavailable',
      reason: 'macOS has not allowed Parley to see the keyboard: allow Parley in System Settings › Privacy & Security › Accessibility, then start the call again',
    });
    // Each press in the window publishes a state: not a new try each time.
    publish(inCallPushToTalk(true, 'F8', false, 'c1'));
    publish(inCallPushToTalk(false, 'F8', false, 'c1'));
    expect(hook.calls).toEqual(['start']);

    // Allowed now: the next call tries again.
    hook.refuse = null;
    publish(signedIn);
    publish(inCallPushToTalk(false, 'F8', false, 'c3'));
    await listening(hook);
    expect(statuses().at(-1)).toEqual({ state: 'listening' });
  });

  it('a hook that cannot be loaded is reported, and nothing else breaks', async () => {
    hooks.failLoad = true;
    publish(inCallPushToTalk(false, 'F8'));
    await vi.waitFor(() => expect(statuses()).toEqual([{ state: 'unavailable', reason: 'the keyboard hook could not be loaded' }]));
    publish(inCallPushToTalk(true, 'F8'));
    expect(electron.fake.tray()!.iconFile()).toBe('in-call-talking.png');
  });

  it('is stopped when the app quits', async () => {
    publish(inCallPushToTalk(false, 'F8'));
    const hook = await loadedHook();
    await listening(hook);
    electron.app.emit('will-quit');
    expect(hook.running).toBe(false);
  });
});
