/** The main side of IPC: ipcMain's handlers and listeners, and the renderer frames that reach them. */
import type { FakeFrame, FakeWebContents } from './fake-web-contents.js';

type InvokeListener = (event: FakeInvokeEvent, ...args: unknown[]) => unknown;

/** What ipcMain.handle's listener receives. */
export interface FakeInvokeEvent {
  sender: FakeWebContents;
  senderFrame: FakeFrame | null;
  processId: number;
  frameId: number;
}

type SendListener = (event: FakeInvokeEvent, ...args: unknown[]) => void;

export const ipcMain = {
  handlers: new Map<string, InvokeListener>(),
  /** ipcMain.on listeners (renderer → main send channels). */
  listeners: new Map<string, SendListener[]>(),
  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  },
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  },
  on(channel: string, listener: SendListener): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  },
  removeListener(channel: string, listener: SendListener): void {
    const rest = (this.listeners.get(channel) ?? []).filter((candidate) => candidate !== listener);
    if (rest.length === 0) this.listeners.delete(channel);
    else this.listeners.set(channel, rest);
  },
};

/** What a listener sees as the event when `frame` of `sender` invokes or sends. */
function eventFrom(frame: FakeFrame | null, sender: FakeWebContents): FakeInvokeEvent {
  return { sender, senderFrame: frame, processId: frame?.processId ?? 0, frameId: frame?.routingId ?? 0 };
}

/** The `fake` helpers that play a renderer frame calling ipcRenderer. */
export const ipcMainHelpers = {
  /** A renderer frame invokes a channel: what ipcRenderer.invoke would resolve or reject with. */
  async invoke(channel: string, frame: FakeFrame | null, sender: FakeWebContents, ...args: unknown[]): Promise<unknown> {
    const listener = ipcMain.handlers.get(channel);
    if (listener === undefined) throw new Error(`No handler registered for '${channel}'`);
    return await listener(eventFrom(frame, sender), ...structuredClone(args));
  },
  /** A renderer frame sends on a channel (ipcRenderer.send): delivered to every ipcMain.on listener. */
  send(channel: string, frame: FakeFrame | null, sender: FakeWebContents, ...args: unknown[]): void {
    const event = eventFrom(frame, sender);
    for (const listener of ipcMain.listeners.get(channel) ?? []) listener(event, ...structuredClone(args));
  },
};

export function resetIpcMain(): void {
  ipcMain.handlers.clear();
  ipcMain.listeners.clear();
}
