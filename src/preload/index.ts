/**
 * The preload: exposes `window.parley`, the narrow desktop API, and nothing
 * else. Each function invokes exactly one channel of the contract in
 * src/shared/ipc.ts; main checks the sender and validates every payload.
 * Runs sandboxed, so it is bundled as CommonJS and imports only types.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { InvokeChannel, InvokeChannels, ParleyDesktopApi } from '../shared/ipc.js';

function invoke<C extends InvokeChannel>(channel: C, ...args: Parameters<InvokeChannels[C]>): ReturnType<InvokeChannels[C]> {
  return ipcRenderer.invoke(channel, ...args) as ReturnType<InvokeChannels[C]>;
}

const api: ParleyDesktopApi = {
  app: {
    info: () => invoke('app:info'),
  },
  session: {
    load: () => invoke('session:load'),
    save: (session) => invoke('session:save', session),
    clear: () => invoke('session:clear'),
  },
};

contextBridge.exposeInMainWorld('parley', api);
