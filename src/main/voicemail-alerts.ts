/**
 * Voicemail on the desktop: a notification for each new message ("Bob left a
 * message, 0:42"; clicking it opens the Voicemail section), except in do not
 * disturb, and the count on the taskbar or dock badge where the system has
 * one (missed calls and unheard messages together, as the tray's badge).
 */
import { Notification } from 'electron';
import type { DesktopState } from '../shared/desktop-state.js';
import { leftMessageText } from '../shared/voicemail-text.js';
import { doNotDisturb } from './alerts.js';
import type { DesktopHub } from './desktop-hub.js';
import { createLogger } from './log.js';

const log = createLogger('voicemail');

export interface VoicemailAlertsDeps {
  hub: Pick<DesktopHub, 'subscribe' | 'command'>;
  /** app.setBadgeCount: false where the system shows no count. */
  setBadgeCount(count: number): boolean;
}

export function installVoicemailAlerts(deps: VoicemailAlertsDeps): { dispose(): void } {
  let badge = 0;
  const shown = new Set<Notification>();

  function onChange(state: DesktopState, previous: DesktopState): void {
    const latest = state.voicemail?.latest ?? null;
    if (latest !== null && latest.id !== previous.voicemail?.latest?.id && !doNotDisturb(state)) {
      if (Notification.isSupported()) {
        const notification = new Notification({ title: leftMessageText(latest), body: 'Click to listen.', timeoutType: 'default' });
        notification.on('click', () => deps.hub.command({ type: 'show', tab: 'voicemail' }));
        notification.on('close', () => shown.delete(notification));
        shown.add(notification);
        notification.show();
      } else log.info('notifications are not supported here');
    }
    // Heard everywhere: the notices of messages go.
    if ((state.voicemail?.unheard ?? 0) === 0) {
      for (const n of shown) n.close();
      shown.clear();
    }
    const count = state.missedCalls + (state.voicemail?.unheard ?? 0);
    if (count !== badge) {
      badge = count;
      deps.setBadgeCount(count);
    }
  }

  const unsubscribe = deps.hub.subscribe(onChange);
  return {
    dispose() {
      unsubscribe();
    },
  };
}
