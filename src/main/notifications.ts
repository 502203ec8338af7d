/**
 * System notifications for calls:
 * - a call rings: "Incoming call from ‹name› (@‹username›)"; on macOS and Windows with
 *   Answer and Decline buttons; clicking it shows the window. Closed as soon
 *   as the call stops ringing here. A call waiting while in a call says so,
 *   and its Answer is "End and answer".
 * - a call that rang here ended unanswered and the missed count went up:
 *   "Missed call from ‹name› (@‹username›)"; clicking it opens the history. These stay in
 *   the notification centre until the missed count is back to 0.
 * Which of these show follows the incomingAlert setting (missed-call
 * notices always, except in do not disturb).
 */
import { Notification } from 'electron';
import type { NotificationConstructorOptions } from 'electron';
import type { DesktopState, Peer } from '../shared/desktop-state.js';
import { answerWords, callingWords, duringWords, ringingCall, type RingingCall } from '../shared/ringing.js';
import { doNotDisturb, wantsAlert } from './alerts.js';
import type { DesktopHub } from './desktop-hub.js';
import { createLogger } from './log.js';
import type { SettingsStore } from './settings.js';

const log = createLogger('notifications');

export interface NotificationsDeps {
  hub: Pick<DesktopHub, 'state' | 'subscribe' | 'command'>;
  settings: Pick<SettingsStore, 'get'>;
  platform: NodeJS.Platform;
}

export interface Notifications {
  dispose(): void;
}

/**
 * A caller as a notification names them: the display name and the username,
 * which is unique and cannot be chosen to look like a colleague's.
 */
const caller = (peer: Peer): string => `${peer.displayName} (@${peer.username})`;

/** Only these platforms show action buttons on a notification. */
const HAS_ACTIONS: ReadonlySet<NodeJS.Platform> = new Set(['darwin', 'win32']);

export function installNotifications(deps: NotificationsDeps): Notifications {
  const withButtons = HAS_ACTIONS.has(deps.platform);
  let ringing: { callId: string; notification: Notification | null } | null = null;
  /** The last call that rang here and ended unanswered: who to name when the missed count goes up. */
  let unanswered: Peer | null = null;
  const missed = new Set<Notification>();

  function notify(options: NotificationConstructorOptions): Notification | null {
    if (!Notification.isSupported()) {
      log.info('notifications are not supported here');
      return null;
    }
    const notification = new Notification(options);
    notification.show();
    return notification;
  }

  function startRinging(call: RingingCall): void {
    const { callId, peer } = call;
    const during = duringWords(call);
    const notification = notify({
      title: `Incoming call from ${caller(peer)}`,
      body: (withButtons ? [`${caller(peer)} ${callingWords(call)}.`, during] : [during, 'Click to open Parley and answer.']).filter((line) => line !== null).join(' '),
      // The renderer plays the ringtone.
      silent: true,
      urgency: 'critical',
      timeoutType: 'never',
      ...(withButtons ? { actions: [{ type: 'button', text: answerWords(call) }, { type: 'button', text: 'Decline' }] } : {}),
    });
    ringing = { callId, notification };
    if (notification === null) return;
    notification.on('click', () => deps.hub.command({ type: 'show' }));
    notification.on('action', (details) => {
      const index = details.actionIndex;
      if (index === 0) deps.hub.command({ type: 'answer', callId });
      else if (index === 1) deps.hub.command({ type: 'decline', callId });
    });
  }

  function stopRinging(): void {
    ringing?.notification?.close();
    ringing = null;
  }

  function missedCall(peer: Peer): void {
    const notification = notify({
      title: `Missed call from ${caller(peer)}`,
      body: 'Click to see your calls.',
      timeoutType: 'default',
    });
    if (notification === null) return;
    missed.add(notification);
    notification.on('click', () => deps.hub.command({ type: 'show', tab: 'history' }));
    notification.on('close', () => missed.delete(notification));
  }

  function onChange(state: DesktopState, previous: DesktopState): void {
    const call = ringingCall(state);
    const before = ringingCall(previous);

    if (call === null || ringing?.callId !== call.callId) stopRinging();
    if (call !== null) {
      unanswered = null;
      if (ringing === null && wantsAlert('notification', state, deps.settings.get().incomingAlert)) startRinging(call);
    } else if (before !== null) {
      // It stopped ringing: answered here (in-call), or not (maybe missed: the count tells).
      unanswered = state.call.kind === 'none' ? before.peer : null;
    } else if (state.call.kind !== 'none') {
      unanswered = null;
    }

    if (state.missedCalls > previous.missedCalls && unanswered !== null) {
      if (!doNotDisturb(state)) missedCall(unanswered);
      unanswered = null;
    }
    if (state.missedCalls === 0 && missed.size > 0) {
      for (const notification of missed) notification.close();
      missed.clear();
    }
  }

  const unsubscribe = deps.hub.subscribe(onChange);

  return {
    dispose() {
      unsubscribe();
      stopRinging();
    },
  };
}
