/**
 * Which incoming-call alerts to show, from the state and the settings. Pure.
 * Do not disturb shows none (the server does not ring a DND user's devices,
 * so this is the belt to its braces).
 */
import type { DesktopState } from '../shared/desktop-state.js';
import type { IncomingAlert } from '../shared/ipc.js';

export type RingingCall = Extract<DesktopState['call'], { kind: 'ringing-in' }>;

/** The call ringing here, if any. */
export function ringingCall(state: DesktopState): RingingCall | null {
  return state.call.kind === 'ringing-in' ? state.call : null;
}

export function doNotDisturb(state: DesktopState): boolean {
  return state.status === 'dnd' || state.chosenStatus === 'dnd';
}

export function wantsAlert(kind: 'popup' | 'notification', state: DesktopState, setting: IncomingAlert): boolean {
  if (ringingCall(state) === null || doNotDisturb(state)) return false;
  return setting === 'both' || setting === kind;
}
