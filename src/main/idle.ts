/**
 * Away when the user is: after `idleAwayMinutes` without keyboard or mouse
 * input (polled every 15 s with powerMonitor.getSystemIdleTime; 0 = never)
 * or while the screen is locked, a user whose chosen status is available
 * becomes away; when they are back, available again, but only if Parley made
 * them away and they did not pick a status by hand in between. Never during
 * a call (people sit still on calls). After the computer wakes up, the
 * renderer is told to reconnect at once.
 */
import { powerMonitor } from 'electron';
import type { DesktopHub } from './desktop-hub.js';
import { createLogger } from './log.js';
import type { SettingsStore } from './settings.js';

const log = createLogger('idle');

export const IDLE_POLL_MS = 15_000;

export interface IdleDeps {
  hub: Pick<DesktopHub, 'state' | 'subscribe' | 'command'>;
  settings: Pick<SettingsStore, 'get'>;
}

export interface Idle {
  /** Whether the current away status was set by Parley (not by hand). */
  autoAway(): boolean;
  dispose(): void;
}

export function installIdle(deps: IdleDeps): Idle {
  let locked = false;
  let autoAway = false;

  function check(): void {
    const state = deps.hub.state();
    const minutes = deps.settings.get().idleAwayMinutes;
    const idle = minutes > 0 && powerMonitor.getSystemIdleTime() >= minutes * 60;
    if (idle || locked) {
      if (autoAway || state.connection !== 'online' || state.chosenStatus !== 'available' || state.call.kind !== 'none') return;
      autoAway = true;
      log.info(locked ? 'screen locked: away' : `no input for ${minutes} min: away`);
      deps.hub.command({ type: 'set-status', status: 'away' });
    } else if (autoAway) {
      autoAway = false;
      if (state.chosenStatus !== 'away') return;
      log.info('back: available');
      deps.hub.command({ type: 'set-status', status: 'available' });
    }
  }

  const unsubscribe = deps.hub.subscribe((state, previous) => {
    // Picked by hand while away (or signed out): the user's choice stands.
    if (autoAway && ((previous.chosenStatus === 'away' && state.chosenStatus !== 'away') || state.connection === 'signed-out')) {
      autoAway = false;
    }
  });

  const onLock = (): void => {
    locked = true;
    check();
  };
  const onUnlock = (): void => {
    locked = false;
    check();
  };
  const onResume = (): void => {
    deps.hub.command({ type: 'reconnect' });
    check();
  };
  powerMonitor.on('lock-screen', onLock);
  powerMonitor.on('unlock-screen', onUnlock);
  // macOS fast user switching: someone else has the screen.
  powerMonitor.on('user-did-resign-active', onLock);
  powerMonitor.on('user-did-become-active', onUnlock);
  powerMonitor.on('resume', onResume);
  const timer = setInterval(check, IDLE_POLL_MS);

  return {
    autoAway: () => autoAway,
    dispose() {
      clearInterval(timer);
      unsubscribe();
      powerMonitor.off('lock-screen', onLock);
      powerMonitor.off('unlock-screen', onUnlock);
      powerMonitor.off('user-did-resign-active', onLock);
      powerMonitor.off('user-did-become-active', onUnlock);
      powerMonitor.off('resume', onResume);
    },
  };
}
