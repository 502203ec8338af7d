/**
 * What each invoke channel does. The IPC module (ipc.ts) has already checked
 * the sender and validated the arguments when these run.
 */
import type { AppInfo } from '../shared/ipc.js';
import type { InvokeHandlers } from './ipc.js';
import type { TokenStore } from './token-store.js';

export interface HandlerDeps {
  version: string;
  platform: NodeJS.Platform;
  tokenStore: TokenStore;
}

function platformName(platform: NodeJS.Platform): AppInfo['platform'] {
  return platform === 'linux' || platform === 'darwin' || platform === 'win32' ? platform : 'other';
}

export function createInvokeHandlers(deps: HandlerDeps): InvokeHandlers {
  const { tokenStore } = deps;
  return {
    'app:info': async () => ({
      version: deps.version,
      platform: platformName(deps.platform),
      secureStorage: await tokenStore.isSecure(),
    }),
    'session:load': () => tokenStore.load(),
    'session:save': (session) => tokenStore.save(session),
    'session:clear': () => tokenStore.clear(),
  };
}
