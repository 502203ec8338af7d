/**
 * Renderer → main requests. One `ipcMain.handle` per channel of the contract
 * in src/shared/ipc.ts, and every call goes through the same two gates
 * before its handler runs:
 *   1. the sender is the main frame of a window we created, showing the
 *      app's own origin (otherwise: "Refused: unexpected sender");
 *   2. the arguments match the channel's zod schema (otherwise an error
 *      naming the channel and the problem).
 * A refused call changes nothing.
 */
import { ipcMain } from 'electron';
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { z } from 'zod';
import { invokeSchemas } from '../shared/ipc.js';
import type { InvokeChannel, InvokeChannels } from '../shared/ipc.js';
import { createLogger } from './log.js';
import type { TrustedOrigins } from './origins.js';

const log = createLogger('ipc');

/** One implementation per channel, with the contract's exact signature. */
export type InvokeHandlers = {
  [C in InvokeChannel]: (...args: Parameters<InvokeChannels[C]>) => ReturnType<InvokeChannels[C]>;
};

// Also a compile-time check: each schema parses to its channel's argument tuple.
const schemas: { [C in InvokeChannel]: z.ZodType<Parameters<InvokeChannels[C]>> } = invokeSchemas;

export const INVOKE_CHANNELS = Object.keys(invokeSchemas) as InvokeChannel[];

export interface SenderCheckDeps {
  windows: { owns(contents: WebContents): boolean };
  origins: TrustedOrigins;
}

/** Why a sender is not trusted, or null if it is. */
export function senderProblem(event: IpcMainInvokeEvent, deps: SenderCheckDeps): string | null {
  const frame = event.senderFrame;
  if (frame === null || frame.isDestroyed() || frame.detached) return 'no sender frame';
  if (frame.parent !== null) return 'a subframe';
  if (!deps.windows.owns(event.sender)) return 'not one of our windows';
  const main = event.sender.mainFrame;
  if (frame.processId !== main.processId || frame.routingId !== main.routingId) return 'not the main frame';
  if (!deps.origins.isTrusted(frame.url)) return `origin of ${frame.url.slice(0, 200)}`;
  return null;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`)).join('');
      return `args${path}: ${issue.message}`;
    })
    .join('; ');
}

export interface IpcDeps extends SenderCheckDeps {
  handlers: InvokeHandlers;
}

export interface Ipc {
  dispose(): void;
}

export function installIpc(deps: IpcDeps): Ipc {
  function register<C extends InvokeChannel>(
    channel: C,
    schema: z.ZodType<Parameters<InvokeChannels[C]>>,
    handler: InvokeHandlers[C],
  ): void {
    ipcMain.handle(channel, async (event, ...args: unknown[]) => {
      const problem = senderProblem(event, deps);
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
  for (const channel of INVOKE_CHANNELS) register(channel, schemas[channel], deps.handlers[channel]);

  return {
    dispose() {
      for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
    },
  };
}
