/**
 * Which incoming-call alerts to show, from the state and the settings. Pure.
 * Do not disturb shows none (the server does not ring a DND user's devices,
 * so this is the belt to its braces).
 */
import type { DesktopState } from '../shared/desktop-state.js';
import type { IncomingAlert } from '../shared/ipc.js';
import { ringingCall } from '../shared/ringing.js';

export function doNotDisturb(state: DesktopState): boolean {
  return state.status === 'dnd' || state.chosenStatus === 'dnd';
}

export function wantsAlert(kind: 'popup' | 'notification', state: DesktopState, setting: IncomingAlert): boolean {
  if (ringingCall(state) === null || doNotDisturb(state)) return false;
  return setting === 'both' || setting === kind;
}
