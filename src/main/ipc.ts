/**
 * Renderer → main messages. One `ipcMain.handle` per invoke channel and one
 * `ipcMain.on` per send channel of the contract in src/shared/ipc.ts, and
 * every message goes through the same two gates before its handler runs:
 *   1. the sender is the main frame of a window we created whose role may
 *      use the channel, showing the app's own origin;
 *   2. the arguments match the channel's zod schema.
 * A refused invoke rejects ("Refused: unexpected sender" / "Invalid arguments
 * for …"); a refused send is logged and dropped. Either way nothing changes.
 *
 * Main → renderer events go through `sendToRenderer`, typed by the same
 * contract.
 */
import { ipcMain } from 'electron';
import type { IpcMainEvent, IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod/mini';
import { invokeSchemas, sendSchemas } from '../shared/ipc.js';
import type { InvokeChannel, InvokeChannels, MainEvent, MainEvents, SendChannel, SendChannels } from '../shared/ipc.js';
import { createLogger } from './log.js';
import type { TrustedOrigins } from './origins.js';
import type { WindowRole } from './windows.js';

const log = createLogger('ipc');

/** One implementation per channel, with the contract's exact signature. */
export type InvokeHandlers = {
  [C in InvokeChannel]: (...args: Parameters<InvokeChannels[C]>) => ReturnType<InvokeChannels[C]>;
};

/** One listener per send channel; `role` says which of our windows sent it. */
export type SendHandlers = {
  [C in SendChannel]: (role: WindowRole, ...args: Parameters<SendChannels[C]>) => void;
};

// Also a compile-time check: each schema parses to its channel's argument tuple.
const schemas: { [C in InvokeChannel]: z.ZodMiniType<Parameters<InvokeChannels[C]>> } = invokeSchemas;
const messageSchemas: { [C in SendChannel]: z.ZodMiniType<Parameters<SendChannels[C]>> } = sendSchemas;

export const INVOKE_CHANNELS = Object.keys(invokeSchemas) as InvokeChannel[];
export const SEND_CHANNELS = Object.keys(sendSchemas) as SendChannel[];

const MAIN_ONLY: readonly WindowRole[] = ['main'];

/** Which of our windows may use each invoke channel (least privilege: the popup gets only what it needs). */
export const INVOKE_ACCESS: { [C in InvokeChannel]: readonly WindowRole[] } = {
  'app:info': ['main', 'incoming'],
  'session:load': MAIN_ONLY,
  'session:save': MAIN_ONLY,
  'session:clear': MAIN_ONLY,
  'shortcuts:status': MAIN_ONLY,
  'settings:get': MAIN_ONLY,
  'settings:set': MAIN_ONLY,
  'settings:notice': MAIN_ONLY,
  'preferences:get': MAIN_ONLY,
  'preferences:set': MAIN_ONLY,
  'desktop:snapshot': ['incoming'],
  'screen:sources': MAIN_ONLY,
  'screen:choose': MAIN_ONLY,
  'recording:save': MAIN_ONLY,
};

/** Which of our windows may use each send channel. */
export const SEND_ACCESS: { [C in SendChannel]: readonly WindowRole[] } = {
  'desktop:state': MAIN_ONLY,
  'desktop:command': ['incoming'],
};

export interface SenderCheckDeps {
  windows: { roleOf(contents: WebContents): WindowRole | null };
  origins: TrustedOrigins;
}

type SenderEvent = Pick<IpcMainInvokeEvent | IpcMainEvent, 'sender' | 'senderFrame'>;

/** Why a sender may not use a channel open to `allowed`, or null if it may. */
export function senderProblem(event: SenderEvent, deps: SenderCheckDeps, allowed: readonly WindowRole[]): string | null {
  const frame = event.senderFrame;
  if (frame === null || frame.isDestroyed() || frame.detached) return 'no sender frame';
  if (frame.parent !== null) return 'a subframe';
  const role = deps.windows.roleOf(event.sender);
  if (role === null) return 'not one of our windows';
  if (!allowed.includes(role)) return `not allowed from the ${role} window`;
  const main = event.sender.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return 'not the main frame';
  if (!deps.origins.isTrusted(frame.url)) return `origin of ${frame.url.slice(0, 200)}`;
  return null;
}

function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
      return `args${path}: ${issue.message}`;
    })
    .join('; ');
}

/** Sends a main → renderer event of the contract; a closed window is skipped. */
export function sendToRenderer<E extends MainEvent>(contents: WebContents, event: E, ...args: Parameters<MainEvents[E]>): void {
  if (contents.isDestroyed()) return;
  contents.send(event, ...args);
}

export interface IpcDeps extends SenderCheckDeps {
  handlers: InvokeHandlers;
  listeners: SendHandlers;
}

export interface Ipc {
  dispose(): void;
}

export function installIpc(deps: IpcDeps): Ipc {
  function handle<C extends InvokeChannel>(
    channel: C,
    schema: z.ZodMiniType<Parameters<InvokeChannels[C]>>,
    handler: InvokeHandlers[C],
  ): void {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      const problem = senderProblem(event, deps, INVOKE_ACCESS[channel]);
      if (problem !== null) {
        log.warn(`${channel} refused: unexpected sender (${problem})`);
        throw new Error('Refused: unexpected sender');
      }
      const parsed = schema.safeParse(args);
      if (!parsed.success) {
        const message = `Invalid arguments for ${channel}: ${describeIssues(parsed.error)}`;
        log.warn(message);
        throw new Error(message);
      }
      try {
        return await handler(...parsed.data);
      } catch (error) {
        log.error(`${channel} failed`, error);
        throw error;
      }
    });
  }

  const onListeners = new Map<SendChannel, (event: IpcMainEvent, ...args: unknown[]) => void>();
  function listen<C extends SendChannel>(channel: C, schema: z.ZodMiniType<Parameters<SendChannels[C]>>, listener: SendHandlers[C]): void {
    const onMessage = (event: IpcMainEvent, ...args: unknown[]): void => {
      const problem = senderProblem(event, deps, SEND_ACCESS[channel]);
      if (problem !== null) {
        log.warn(`${channel} ignored: unexpected sender (${problem})`);
        return;
      }
      const parsed = schema.safeParse(args);
      if (!parsed.success) {
        log.warn(`${channel} ignored: invalid arguments: ${describeIssues(parsed.error)}`);
        return;
      }
      const role = deps.windows.roleOf(event.sender);
      if (role === null) return;
      try {
        listener(role, ...parsed.data);
      } catch (error) {
        log.error(`${channel} failed`, error);
      }
    };
    onListeners.set(channel, onMessage);
    ipcMain.on(channel, onMessage);
  }

  for (const channel of INVOKE_CHANNELS) handle(channel, schemas[channel], deps.handlers[channel]);
  for (const channel of SEND_CHANNELS) listen(channel, messageSchemas[channel], deps.listeners[channel]);

  return {
    dispose() {
      for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
      for (const [channel, listener] of onListeners) ipcMain.removeListener(channel, listener);
      onListeners.clear();
    },
  };
}
