import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SIGNED_OUT } from '../../src/shared/desktop-state.js';
import type { DesktopCommand } from '../../src/shared/desktop-state.js';
import type { ParleyDesktopApi, StoredSession } from '../../src/shared/ipc.js';
import { contextBridge, fake, ipcRenderer } from './fake-electron.js';

vi.mock('electron', () => import('./fake-electron.js'));

const session: StoredSession = {
  serverUrl: 'https://parley.example.com',
  token: 'token-1234567890',
  expiresAt: 1_900_000_000_000,
  user: { username: 'ada', displayName: 'Ada Lovelace' },
};

/** The shape of an object: its keys, recursively, with functions as 'function'. */
function shape(value: unknown): unknown {
  if (typeof value === 'function') return 'function';
  if (typeof value !== 'object' || value === null) return typeof value;
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, shape(inner)]));
}

describe('preload', () => {
  let api: ParleyDesktopApi;

  beforeAll(async () => {
    fake.reset();
    await import('../../src/preload/index.js');
    api = contextBridge.mainWorld.parley as ParleyDesktopApi;
  });

  it('exposes exactly window.parley, with the app, session, desktop, shortcuts, settings, preferences, screen, recording and push-to-talk functions and nothing else', () => {
    expect(Object.keys(contextBridge.mainWorld)).toEqual(['parley']);
    expect(shape(api)).toEqual({
      app: { info: 'function' },
      session: { load: 'function', save: 'function', clear: 'function' },
      desktop: { publish: 'function', onCommand: 'function', command: 'function', snapshot: 'function', onSnapshot: 'function', onShown: 'function' },
      shortcuts: { status: 'function', onChange: 'function' },
      settings: { get: 'function', set: 'function', notice: 'function', onChange: 'function' },
      preferences: { get: 'function', set: 'function' },
      screen: { sources: 'function', choose: 'function' },
      recording: { save: 'function' },
      pushToTalk: { onChange: 'function' },
    });
  });

  it('pushToTalk.onChange delivers the global hook status until unsubscribed', () => {
    const received: unknown[] = [];
    const stop = api.pushToTalk.onChange((status) => received.push(status));
    ipcRenderer.deliver('push-to-talk:changed', { state: 'listening' });
    stop();
    ipcRenderer.deliver('push-to-talk:changed', { state: 'off' });
    expect(received).toEqual([{ state: 'listening' }]);
  });

  it('desktop.onShown delivers whether the window is on screen until unsubscribed', () => {
    const received: unknown[] = [];
    const stop = api.desktop.onShown((shown) => received.push(shown));
    ipcRenderer.deliver('window:shown', false);
    stop();
    ipcRenderer.deliver('window:shown', true);
    expect(received).toEqual([false]);
  });

  it('screen.sources and screen.choose invoke their channels', async () => {
    ipcRenderer.invoke.mockClear();
    await api.screen.sources();
    await api.screen.choose('screen:0:0');
    expect(ipcRenderer.invoke.mock.calls).toEqual([['screen:sources'], ['screen:choose', 'screen:0:0']]);
  });

  it('recording.save invokes its channel with the name and the bytes', async () => {
    ipcRenderer.invoke.mockClear();
    const data = new Uint8Array([1, 2, 3]);
    await api.recording.save('parley-bob-2026-11-23-0905.webm', data);
    expect(ipcRenderer.invoke.mock.calls).toEqual([['recording:save', 'parley-bob-2026-11-23-0905.webm', data]]);
  });

  it('desktop.publish sends the state on desktop:state, and returns nothing to wait for', () => {
    const state = { ...SIGNED_OUT, connection: 'connecting' as const };
    expect(api.desktop.publish(state)).toBeUndefined();
    expect(ipcRenderer.send).toHaveBeenCalledExactlyOnceWith('desktop:state', state);
  });

  it('desktop.command sends the command on desktop:command', () => {
    ipcRenderer.send.mockClear();
    api.desktop.command({ type: 'answer', callId: 'c1' });
    expect(ipcRenderer.send).toHaveBeenCalledExactlyOnceWith('desktop:command', { type: 'answer', callId: 'c1' });
  });

  it('desktop.onCommand delivers each command (without the Electron event) until unsubscribed', () => {
    const received: DesktopCommand[] = [];
    const stop = api.desktop.onCommand((command) => received.push(command));
    ipcRenderer.deliver('desktop:command', { type: 'toggle-mute' });
    ipcRenderer.deliver('desktop:command', { type: 'dial', username: 'bob' });
    stop();
    ipcRenderer.deliver('desktop:command', { type: 'hangup' });
    expect(received).toEqual([{ type: 'toggle-mute' }, { type: 'dial', username: 'bob' }]);
    expect(ipcRenderer.listeners.get('desktop:command')).toEqual([]);
  });

  it.each([
    ['app.info', () => api.app.info(), 'app:info', []],
    ['session.load', () => api.session.load(), 'session:load', []],
    ['session.save', () => api.session.save(session), 'session:save', [session]],
    ['session.clear', () => api.session.clear(), 'session:clear', []],
    ['shortcuts.status', () => api.shortcuts.status(), 'shortcuts:status', []],
    ['settings.get', () => api.settings.get(), 'settings:get', []],
    ['desktop.snapshot', () => api.desktop.snapshot(), 'desktop:snapshot', []],
    ['settings.set', () => api.settings.set({ idleAwayMinutes: 5 }), 'settings:set', [{ idleAwayMinutes: 5 }]],
    ['settings.notice', () => api.settings.notice(), 'settings:notice', []],
    ['preferences.get', () => api.preferences.get(), 'preferences:get', []],
    ['preferences.set', () => api.preferences.set({ favorites: ['bob'] }), 'preferences:set', [{ favorites: ['bob'] }]],
  ] as const)('%s invokes %s', async (_name, call, channel, args) => {
    ipcRenderer.invoke.mockClear();
    ipcRenderer.replies.set(channel, { reply: channel });
    expect(await call()).toEqual({ reply: channel });
    expect(ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(channel, ...args);
  });

  it('shortcuts.onChange delivers each status list until unsubscribed', () => {
    const received: unknown[] = [];
    const stop = api.shortcuts.onChange((statuses) => received.push(statuses));
    const statuses = [{ action: 'answer', accelerator: 'CommandOrControl+Alt+A', registered: false, error: 'in use by another application' }];
    ipcRenderer.deliver('shortcuts:changed', statuses);
    stop();
    ipcRenderer.deliver('shortcuts:changed', []);
    expect(received).toEqual([statuses]);
  });

  it('desktop.onSnapshot delivers each state until unsubscribed', () => {
    const received: unknown[] = [];
    const stop = api.desktop.onSnapshot((state) => received.push(state));
    ipcRenderer.deliver('desktop:changed', SIGNED_OUT);
    stop();
    ipcRenderer.deliver('desktop:changed', SIGNED_OUT);
    expect(received).toEqual([SIGNED_OUT]);
  });

  it('settings.onChange delivers the new settings until unsubscribed', () => {
    const received: unknown[] = [];
    const stop = api.settings.onChange((settings) => received.push(settings));
    ipcRenderer.deliver('settings:changed', { idleAwayMinutes: 5 });
    stop();
    ipcRenderer.deliver('settings:changed', { idleAwayMinutes: 6 });
    expect(received).toEqual([{ idleAwayMinutes: 5 }]);
  });

  it('passes main’s refusal on to the page', async () => {
    ipcRenderer.invoke.mockRejectedValueOnce(new Error("Error invoking remote method 'session:save': Error: Refused"));
    await expect(api.session.save(session)).rejects.toThrow(/Refused/);
  });
});
