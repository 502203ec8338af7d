/**
 * The Electron security checklist, in one place:
 * - every window's webPreferences (`secureWebPreferences`): context
 *   isolation, sandbox, no Node, web security on, no <webview>;
 * - every webContents, whoever creates it: navigation and redirects off the
 *   app's origin are cancelled, window.open is denied (http(s) links go to
 *   the user's browser instead), <webview> attachment is prevented;
 * - permissions: only `media` (microphone/camera), `display-capture` (screen
 *   sharing: since Electron 45 getDisplayMedia asks for it; which screen is
 *   still decided by screen-share.ts, only for a source the user picked) and
 *   `speaker-selection` (choosing the output device with setSinkId), only
 *   for the app's origin.
 * The CSP header lives with the app protocol (app-protocol.ts), its text in
 * src/shared/csp.ts.
 */
import { app, session, shell } from 'electron';
import type { Event, WebContents, WebPreferences } from 'electron';
import { createLogger } from './log.js';
import type { TrustedOrigins } from './origins.js';

const log = createLogger('security');

/** Permissions the app's own pages may have; everything else is denied. */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['media', 'display-capture', 'speaker-selection']);

/** The webPreferences every BrowserWindow gets; windows.ts never builds its own. */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    // A softphone lives in the background: timers (ringing, the signaling
    // connection's keep-alive) must not be throttled while the window is hidden.
    backgroundThrottling: false,
  };
}

export interface SecurityDeps {
  origins: TrustedOrigins;
}

export interface Security {
  dispose(): void;
}

/** Opens a link in the user's browser if, and only if, it is http(s). */
function openExternally(url: string): void {
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    protocol = '';
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    log.warn(`refused to open ${JSON.stringify(url.slice(0, 200))} externally: not an http(s) link`);
    return;
  }
  shell.openExternal(url).catch((error: unknown) => log.warn(`could not open ${url} externally`, error));
}

function guardWebContents(contents: WebContents, origins: TrustedOrigins): void {
  const refuseForeign = (kind: string) => (details: { url: string; preventDefault(): void }) => {
    if (origins.isTrusted(details.url)) return;
    details.preventDefault();
    log.warn(`${kind} to ${details.url.slice(0, 200)} prevented`);
  };
  contents.on('will-frame-navigate', refuseForeign('navigation'));
  contents.on('will-redirect', refuseForeign('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('<webview> attachment prevented');
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternally(url);
    return { action: 'deny' };
  });
}

/** After the app is ready (the default session exists then). */
export function installSecurity(deps: SecurityDeps): Security {
  const { origins } = deps;
  const onWebContentsCreated = (_event: Event, contents: WebContents): void => {
    guardWebContents(contents, origins);
  };
  app.on('web-contents-created', onWebContentsCreated);

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const granted = GRANTED_PERMISSIONS.has(permission) && origins.isTrusted(details.requestingUrl);
    if (!granted) log.warn(`permission ${permission} denied to ${details.requestingUrl.slice(0, 200)}`);
    callback(granted);
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    if (!GRANTED_PERMISSIONS.has(permission) || !origins.isTrusted(requestingOrigin)) return false;
    // Checked from inside an embedded frame: the embedding page must be ours too.
    return details.embeddingOrigin === undefined || details.embeddingOrigin === '' || origins.isTrusted(details.embeddingOrigin);
  });

  return {
    dispose() {
      app.off('web-contents-created', onWebContentsCreated);
      ses.setPermissionRequestHandler(null);
      ses.setPermissionCheckHandler(null);
    },
  };
}
