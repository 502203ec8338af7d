/**
 * The main process's view of the app and its way back to it. The renderer of
 * the main window owns calls and presence and publishes a DesktopState
 * snapshot whenever it changes; the hub keeps the latest one (SIGNED_OUT
 * until the first arrives, and again when that page is gone), tells
 * subscribers when it really changed, and delivers DesktopCommands (from the
 * tray, shortcuts, notifications, the popup, deep links, idle) to the main
 * window as `desktop:command` events.
 */
import type { BrowserWindow } from 'electron';
import { SIGNED_OUT } from '../shared/desktop-state.js';
import type { DesktopCommand, DesktopState } from '../shared/desktop-state.js';
import { sendToRenderer } from './ipc.js';
import { createLogger } from './log.js';
import type { Windows } from './windows.js';

const log = createLogger('desktop-hub');

export type StateListener = (state: DesktopState, previous: DesktopState) => void;

export interface DesktopHubDeps {
  windows: Pick<Windows, 'main' | 'showMain' | 'onMainGone'>;
}

export interface DesktopHub {
  /** The latest snapshot. */
  state(): DesktopState;
  /** A new snapshot from the main window (validated by the IPC module). */
  publish(state: DesktopState): void;
  /** Called with (state, previous) after each change, never for an identical snapshot. Returns unsubscribe. */
  subscribe(listener: StateListener): () => void;
  /**
   * Delivers a command to the main window's renderer. `show`, `dial`,
   * `answer` and `transfer-picker` show and focus the window first. An
   * `answer`/`decline` naming a call that no longer rings is dropped, as is a
   * transfer or merge naming a call it no longer applies to. Returns whether it was sent.
   */
  command(command: DesktopCommand): boolean;
  dispose(): void;
}

/** Structural equality of JSON-like values (what a validated DesktopState is). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => sameValue(item, b[index]));
  }
  const aRecord = a as Record<string, unknown>;
  const bRecord = b as Record<string, unknown>;
  const aKeys = Object.keys(aRecord).filter((key) => aRecord[key] !== undefined);
  const bKeys = Object.keys(bRecord).filter((key) => bRecord[key] !== undefined);
  return aKeys.length === bKeys.length && aKeys.every((key) => sameValue(aRecord[key], bRecord[key]));
}

const SHOWS_WINDOW: ReadonlySet<DesktopCommand['type']> = new Set(['show', 'dial', 'answer', 'transfer-picker']);

export function createDesktopHub(deps: DesktopHubDeps): DesktopHub {
  let current: DesktopState = SIGNED_OUT;
  const listeners = new Set<StateListener>();

  function change(next: DesktopState): void {
    if (sameValue(next, current)) return;
    const previous = current;
    current = next;
    for (const listener of [...listeners]) {
      try {
        listener(current, previous);
      } catch (error) {
        log.error('a state listener failed', error);
      }
    }
  }

  // The page that published is gone: nothing it said holds any more.
  const stopWatching = deps.windows.onMainGone(() => change(SIGNED_OUT));

  function stale(command: DesktopCommand): boolean {
    const { call } = current;
    const inCall = call.kind === 'in-call' ? call : null;
    switch (command.type) {
      case 'answer':
      case 'decline': {
        if (command.callId === undefined) return false;
        // The ringing call, or the call waiting while in a call.
        const ringing = call.kind === 'ringing-in' ? call.callId : inCall?.waiting?.callId;
        return ringing !== command.callId;
      }
      case 'transfer':
        return inCall?.callId !== command.callId || inCall.transfer?.kind !== 'possible';
      case 'take-back-transfer':
        return inCall?.callId !== command.callId || inCall.transfer?.kind !== 'ringing';
      case 'complete-transfer':
      case 'merge':
        // Named by the call held aside: the one that goes (transfer) or that the other joins (merge).
        return inCall?.aside?.callId !== command.callId || inCall.transfer?.kind !== 'consulting';
      default:
        return false;
    }
  }

  return {
    state: () => current,
    publish: change,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    command(command) {
      if (stale(command)) {
        log.info(`${command.type} dropped: it no longer applies to that call`);
        return false;
      }
      let window: BrowserWindow | null = deps.windows.main();
      if (SHOWS_WINDOW.has(command.type)) window = deps.windows.showMain();
      if (window === null) {
        log.warn(`${command.type} dropped: the main window is not open`);
        return false;
      }
      sendToRenderer(window.webContents, 'desktop:command', command);
      return true;
    },
    dispose() {
      stopWatching();
      listeners.clear();
    },
  };
}
