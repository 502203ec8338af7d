/**
 * What each IPC channel does. The IPC module (ipc.ts) has already checked
 * the sender and validated the arguments when these run.
 */
import type { DesktopCommand } from '../shared/desktop-state.js';
import type { AppInfo } from '../shared/ipc.js';
import type { DesktopHub } from './desktop-hub.js';
import type { Hotkeys } from './hotkeys.js';
import type { Recordings } from './recordings.js';
import type { ScreenShare } from './screen-share.js';
import { sendToRenderer } from './ipc.js';
import type { InvokeHandlers, SendHandlers } from './ipc.js';
import { createLogger } from './log.js';
import type { SettingsStore } from './settings.js';
import type { TokenStore } from './token-store.js';
import type { Windows } from './windows.js';

const log = createLogger('handlers');

export interface HandlerDeps {
  version: string;
  platform: NodeJS.Platform;
  tokenStore: TokenStore;
  hotkeys: Pick<Hotkeys, 'statuses'>;
  settings: Pick<SettingsStore, 'get' | 'update' | 'takeNotice' | 'preferences' | 'savePreferences'>;
  hub: Pick<DesktopHub, 'state'>;
  screen: Pick<ScreenShare, 'sources' | 'choose'>;
  recordings: Recordings;
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
    'shortcuts:status': () => Promise.resolve(deps.hotkeys.statuses()),
    'settings:get': () => Promise.resolve(deps.settings.get()),
    'settings:set': (patch) => deps.settings.update(patch),
    'settings:notice': () => Promise.resolve(deps.settings.takeNotice()),
    'preferences:get': () => Promise.resolve(deps.settings.preferences()),
    'preferences:set': (patch) => deps.settings.savePreferences(patch),
    'desktop:snapshot': () => Promise.resolve(deps.hub.state()),
    'screen:sources': () => deps.screen.sources(),
    'screen:choose': (id) => Promise.resolve(deps.screen.choose(id)),
    'recording:save': (name, data) => deps.recordings.save(name, data),
  };
}

/** Main → renderer events that mirror main's own stores: `settings:changed`. */
export function forwardSettingsChanges(deps: { windows: Pick<Windows, 'main'>; settings: Pick<SettingsStore, 'onChange'> }): () => void {
  return deps.settings.onChange((settings) => {
    const window = deps.windows.main();
    if (window !== null) sendToRenderer(window.webContents, 'settings:changed', settings);
  });
}

/** What the incoming-call popup may ask for: its two buttons, and showing the main window. */
export const POPUP_COMMANDS: ReadonlySet<DesktopCommand['type']> = new Set(['answer', 'decline', 'hold-and-answer', 'show']);

export interface SendHandlerDeps {
  hub: Pick<DesktopHub, 'publish' | 'command'>;
}

export function createSendHandlers(deps: SendHandlerDeps): SendHandlers {
  return {
    'desktop:state': (_role, state) => deps.hub.publish(state),
    'desktop:command': (role, command) => {
      if (!POPUP_COMMANDS.has(command.type)) {
        log.warn(`desktop:command ${command.type} refused from the ${role} window`);
        return;
      }
      deps.hub.command(command);
    },
  };
}
