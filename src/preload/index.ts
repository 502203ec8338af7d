/**
 * The preload: exposes `window.parley`, the narrow desktop API, and nothing
 * else. Each function invokes exactly one channel of the contract in
 * src/shared/ipc.ts (invoke, send, or a subscription to one main → renderer
 * event); main checks the sender and validates every payload.
 * Runs sandboxed, so it is bundled as CommonJS and imports only types.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { DesktopCommand } from '../shared/desktop-state.js';
import type { InvokeChannel, InvokeChannels, MainEvents, ParleyDesktopApi, SendChannel, SendChannels } from '../shared/ipc.js';

function invoke<C extends InvokeChannel>(channel: C, ...args: Parameters<InvokeChannels[C]>): ReturnType<InvokeChannels[C]> {
  return ipcRenderer.invoke(channel, ...args) as ReturnType<InvokeChannels[C]>;
}

function send<C extends SendChannel>(channel: C, ...args: Parameters<SendChannels[C]>): void {
  ipcRenderer.send(channel, ...args);
}

/** Subscribes to a main → renderer event; the Electron event object never reaches the page. */
function on<E extends keyof MainEvents>(event: E, listener: (payload: Parameters<MainEvents[E]>[0]) => void): () => void {
  const wrapped = (_event: unknown, payload: Parameters<MainEvents[E]>[0]) => listener(payload);
  ipcRenderer.on(event, wrapped);
  return () => ipcRenderer.removeListener(event, wrapped);
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
  desktop: {
    publish: (state) => send('desktop:state', state),
    onCommand: (listener: (command: DesktopCommand) => void) => on('desktop:command', listener),
    command: (command) => send('desktop:command', command),
    snapshot: () => invoke('desktop:snapshot'),
    onSnapshot: (listener) => on('desktop:changed', listener),
    onShown: (listener) => on('window:shown', listener),
  },
  shortcuts: {
    status: () => invoke('shortcuts:status'),
    onChange: (listener) => on('shortcuts:changed', listener),
  },
  settings: {
    get: () => invoke('settings:get'),
    set: (patch) => invoke('settings:set', patch),
    notice: () => invoke('settings:notice'),
    onChange: (listener) => on('settings:changed', listener),
  },
  preferences: {
    get: () => invoke('preferences:get'),
    set: (patch) => invoke('preferences:set', patch),
  },
  screen: {
    sources: () => invoke('screen:sources'),
    choose: (id) => invoke('screen:choose', id),
  },
  recording: {
    save: (name, data) => invoke('recording:save', name, data),
  },
  pushToTalk: {
    onChange: (listener) => on('push-to-talk:changed', listener),
  },
};

contextBridge.exposeInMainWorld('parley', api);
