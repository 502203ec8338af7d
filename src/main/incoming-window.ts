/**
 * The incoming-call popup: a small frameless, always-on-top window in the
 * bottom-right corner of the primary screen's work area, shown without taking
 * focus from the app the user is typing in. It loads the renderer at
 * `#incoming`, which reads the caller from `desktop:snapshot` /
 * `desktop:changed` and sends Answer / Decline back as `desktop:command`
 * (forwarded to the main window). It closes as soon as the call stops
 * ringing here: answered (anywhere), declined, cancelled, timed out. A call
 * waiting while in a call shows it too, one line taller: answering it ends
 * the call going on. Works on every OS, including Linux where notifications have no buttons.
 */
import { screen } from 'electron';
import type { BrowserWindow } from 'electron';
import type { DesktopHub } from './desktop-hub.js';
import { ringingCall, type RingingCall } from '../shared/ringing.js';
import { wantsAlert } from './alerts.js';
import { sendToRenderer } from './ipc.js';
import { createLogger } from './log.js';
import type { SettingsStore } from './settings.js';
import type { Windows } from './windows.js';

const log = createLogger('incoming-window');

export const POPUP_SIZE = { width: 340, height: 124 } as const;
/** A call waiting while in a call has one more line: the call that answering ends. */
const WAITING_EXTRA_HEIGHT = 56;
/** And a row for Hold and answer when that call can be held. */
const HOLD_ROW_HEIGHT = 44;
/** Gap between the popup and the edges of the work area. */
export const POPUP_MARGIN = 16;

export interface IncomingWindowDeps {
  hub: Pick<DesktopHub, 'state' | 'subscribe'>;
  windows: Pick<Windows, 'open'>;
  settings: Pick<SettingsStore, 'get'>;
  /** The renderer's incoming-call view: `app://parley/index.html#incoming` (or the dev server's). */
  url: string;
  platform: NodeJS.Platform;
}

export interface IncomingWindow {
  /** The popup, while it is open. */
  window(): BrowserWindow | null;
  dispose(): void;
}

export function installIncomingWindow(deps: IncomingWindowDeps): IncomingWindow {
  let popup: BrowserWindow | null = null;
  let popupCallId: string | null = null;
  /** A call whose popup the user closed: not shown again for it. */
  let dismissedCallId: string | null = null;

  function close(): void {
    const window = popup;
    popup = null;
    popupCallId = null;
    if (window !== null && !window.isDestroyed()) window.close();
  }

  function open(call: RingingCall): void {
    const { callId } = call;
    const area = screen.getPrimaryDisplay().workArea;
    const extra = call.during ? WAITING_EXTRA_HEIGHT + (call.during.holdable ? HOLD_ROW_HEIGHT : 0) : 0;
    const size = { width: POPUP_SIZE.width, height: POPUP_SIZE.height + extra };
    const window = deps.windows.open(
      'incoming',
      {
        ...size,
        x: area.x + area.width - size.width - POPUP_MARGIN,
        y: area.y + area.height - size.height - POPUP_MARGIN,
        useContentSize: true,
        show: false,
        frame: false,
        resizable: false,
        minimizable: false,
        maximizable: false,
        fullscreenable: false,
        skipTaskbar: true,
        alwaysOnTop: true,
        title: 'Incoming call — Parley',
      },
      deps.url,
    );
    popup = window;
    popupCallId = callId;
    if (deps.platform === 'darwin') {
      // Above full-screen apps and on every Space.
      window.setAlwaysOnTop(true, 'screen-saver');
      window.setVisibleOnAllWorkspaces(true, { visibleOnFullScreen: true });
    }
    // Never steal focus from what the user is typing in.
    window.once('ready-to-show', () => {
      if (!window.isDestroyed()) window.showInactive();
    });
    window.on('closed', () => {
      if (popup !== window) return;
      // Closed by the user (or the OS) while still ringing.
      dismissedCallId = callId;
      popup = null;
      popupCallId = null;
    });
    log.info('showing the incoming-call popup');
  }

  const unsubscribe = deps.hub.subscribe((state) => {
    const call = ringingCall(state);
    if (call === null || !wantsAlert('popup', state, deps.settings.get().incomingAlert)) {
      close();
      if (call === null) dismissedCallId = null;
      return;
    }
    if (popup !== null && popupCallId !== call.callId) close();
    if (popup === null) {
      if (dismissedCallId !== call.callId) open(call);
      return;
    }
    sendToRenderer(popup.webContents, 'desktop:changed', state);
  });

  return {
    window: () => (popup !== null && !popup.isDestroyed() ? popup : null),
    dispose() {
      unsubscribe();
      close();
    },
  };
}
