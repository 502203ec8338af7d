import { beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('exposes exactly window.parley, with the app and session functions and nothing else', () => {
    expect(Object.keys(contextBridge.mainWorld)).toEqual(['parley']);
    expect(shape(api)).toEqual({
      app: { info: 'function' },
      session: { load: 'function', save: 'function', clear: 'function' },
    });
  });

  it.each([
    ['app.info', () => api.app.info(), 'app:info', []],
    ['session.load', () => api.session.load(), 'session:load', []],
    ['session.save', () => api.session.save(session), 'session:save', [session]],
    ['session.clear', () => api.session.clear(), 'session:clear', []],
  ] as const)('%s invokes %s', async (_name, call, channel, args) => {
    ipcRenderer.invoke.mockClear();
    ipcRenderer.replies.set(channel, { reply: channel });
    expect(await call()).toEqual({ reply: channel });
    expect(ipcRenderer.invoke).toHaveBeenCalledExactlyOnceWith(channel, ...args);
  });

  it('passes main’s refusal on to the page', async () => {
    ipcRenderer.invoke.mockRejectedValueOnce(new Error("Error invoking remote method 'session:save': Error: Refused"));
    await expect(api.session.save(session)).rejects.toThrow(/Refused/);
  });
});
