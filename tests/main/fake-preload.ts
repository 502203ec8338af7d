/** The preload's side of Electron: what it exposes on the page's window, and its ipcRenderer end. */
import { vi } from 'vitest';

export const contextBridge = {
  mainWorld: {} as Record<string, unknown>,
  exposeInMainWorld(key: string, api: unknown): void {
    if (key in this.mainWorld) throw new Error(`Cannot bind an API on top of an existing property on the window object: ${key}`);
    this.mainWorld[key] = api;
  },
};

type RendererListener = (event: unknown, ...args: unknown[]) => void;

export const ipcRenderer = {
  /** Resolves with what the test put in `replies` for the channel (undefined otherwise). */
  replies: new Map<string, unknown>(),
  invoke: vi.fn(function invoke(channel: string, ..._args: unknown[]): Promise<unknown> {
    return Promise.resolve(ipcRenderer.replies.get(channel));
  }),
  send: vi.fn((_channel: string, ..._args: unknown[]) => undefined),
  listeners: new Map<string, RendererListener[]>(),
  on(channel: string, listener: RendererListener): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  },
  removeListener(channel: string, listener: RendererListener): void {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((candidate) => candidate !== listener),
    );
  },
  /** Main sends an event to this page. */
  deliver(channel: string, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener({ sender: 'ipc-renderer-event' }, ...structuredClone(args));
  },
};

export function resetPreload(): void {
  for (const key of Object.keys(contextBridge.mainWorld)) Reflect.deleteProperty(contextBridge.mainWorld, key);
  ipcRenderer.replies.clear();
  ipcRenderer.invoke.mockClear();
  ipcRenderer.send.mockClear();
  ipcRenderer.listeners.clear();
}
