/**
 * Global shortcuts: answer, decline / hang up, toggle mute, hold / resume,
 * transfer, merge, show the window. Parley holds a key only while it can act
 * on it, so it does not take keys from other apps when idle: answer and
 * decline while a call rings, hang up while calling out or in a call, mute in
 * a call, hold in a call that can be held (answered, of two); transfer while
 * a call can be transferred (the window's transfer panel) or a call is held
 * aside (the attended transfer), merge only then; "show" always. The keys
 * come from the settings (null = off).
 *
 * `globalShortcut.register` returns false when another application holds the
 * key (and throws for one it cannot parse). Each failure is kept with the
 * shortcut's status (`shortcuts:status`, `shortcuts:changed`) until an
 * attempt succeeds, and the tray only names shortcuts that work. When the
 * keys change, the ones not needed right now are tried once (registered and
 * released at once) so Settings can say straight away that a key is taken.
 */
import { globalShortcut } from 'electron';
import type { DesktopState } from '../shared/desktop-state.js';
import { SHORTCUT_ACTIONS } from '../shared/ipc.js';
import type { ShortcutAction, ShortcutStatus } from '../shared/ipc.js';
import type { DesktopHub } from './desktop-hub.js';
import { sameValue } from './desktop-hub.js';
import { sendToRenderer } from './ipc.js';
import { createLogger } from './log.js';
import type { SettingsStore } from './settings.js';
import type { ShortcutHints } from './tray-items.js';
import type { Windows } from './windows.js';

const log = createLogger('hotkeys');

export const IN_USE = 'in use by another application';
export const INVALID = 'not a shortcut this system accepts';

export interface HotkeysDeps {
  hub: Pick<DesktopHub, 'state' | 'subscribe' | 'command'>;
  windows: Pick<Windows, 'main'>;
  /** The keys come from the settings; a change there re-registers at once. */
  settings: Pick<SettingsStore, 'get' | 'onChange'>;
}

export interface Hotkeys {
  statuses(): ShortcutStatus[];
  /** The registered shortcuts, for the tray's hints. */
  hints(): ShortcutHints;
  onChange(listener: () => void): () => void;
  /** Re-register now and try the keys not needed right now (done by itself when the settings change). */
  reload(): void;
  dispose(): void;
}

/** Whether an action can do something in this state (and so holds its key). */
export function neededIn(action: ShortcutAction, state: DesktopState): boolean {
  const kind = state.call.kind;
  switch (action) {
    case 'show':
      return true;
    case 'answer':
      return kind === 'ringing-in' || (state.call.kind === 'in-call' && state.call.waiting !== undefined);
    case 'decline':
      return kind === 'ringing-in' || kind === 'ringing-out' || kind === 'in-call';
    case 'mute':
      return kind === 'in-call';
    case 'hold':
      return state.call.kind === 'in-call' && state.call.hold !== undefined;
    case 'transfer':
      return state.call.kind === 'in-call' && (state.call.transfer?.kind === 'possible' || state.call.transfer?.kind === 'consulting');
    case 'merge':
      return state.call.kind === 'in-call' && state.call.transfer?.kind === 'consulting';
  }
}

interface Slot {
  /** The accelerator we hold now, or null. */
  held: string | null;
  /** Whether the action was needed at the last reconcile. */
  needed: boolean;
  error: string | undefined;
}

export function installHotkeys(deps: HotkeysDeps): Hotkeys {
  const slots = new Map<ShortcutAction, Slot>(SHORTCUT_ACTIONS.map((action) => [action, { held: null, needed: false, error: undefined }]));
  const listeners = new Set<() => void>();
  let reported: ShortcutStatus[] = [];

  function slot(action: ShortcutAction): Slot {
    const found = slots.get(action);
    if (found === undefined) throw new Error(`no shortcut slot for ${action}`);
    return found;
  }

  function press(action: ShortcutAction): void {
    const { call } = deps.hub.state();
    switch (action) {
      case 'show':
        deps.hub.command({ type: 'show' });
        return;
      case 'answer':
        if (call.kind === 'ringing-in') deps.hub.command({ type: 'answer', callId: call.callId });
        // A call waiting: answering it ends the call going on.
        else if (call.kind === 'in-call' && call.waiting) deps.hub.command({ type: 'answer', callId: call.waiting.callId });
        return;
      case 'decline':
        if (call.kind === 'ringing-in') deps.hub.command({ type: 'decline', callId: call.callId });
        // A call waiting is declined, not the call going on.
        else if (call.kind === 'in-call' && call.waiting) deps.hub.command({ type: 'decline', callId: call.waiting.callId });
        else if (call.kind === 'in-call' || call.kind === 'ringing-out') deps.hub.command({ type: 'hangup' });
        return;
      case 'mute':
        if (call.kind === 'in-call') deps.hub.command({ type: 'toggle-mute' });
        return;
      case 'hold':
        // A call waiting: holding this call answers it (hold and answer).
        if (call.kind === 'in-call' && call.waiting && call.hold !== undefined && call.aside === undefined) deps.hub.command({ type: 'hold-and-answer', callId: call.waiting.callId });
        else if (call.kind === 'in-call' && call.hold !== undefined) deps.hub.command({ type: 'toggle-hold' });
        return;
      case 'transfer':
        // A call held aside: its other side goes to this call's (attended); else the window's panel picks whom.
        if (call.kind === 'in-call' && call.transfer?.kind === 'consulting' && call.aside) deps.hub.command({ type: 'complete-transfer', callId: call.aside.callId });
        else if (call.kind === 'in-call' && call.transfer?.kind === 'possible') deps.hub.command({ type: 'transfer-picker' });
        return;
      case 'merge':
        if (call.kind === 'in-call' && call.transfer?.kind === 'consulting' && call.aside) deps.hub.command({ type: 'merge', callId: call.aside.callId });
        return;
    }
  }

  /** Tries to register; returns the error, or undefined when it worked. */
  function attempt(action: ShortcutAction, accelerator: string): string | undefined {
    try {
      if (globalShortcut.register(accelerator, () => press(action))) return undefined;
      log.warn(`could not register ${accelerator} (${action}): ${IN_USE}`);
      return IN_USE;
    } catch (error) {
      log.warn(`could not register ${accelerator} (${action})`, error);
      return INVALID;
    }
  }

  function release(target: Slot): void {
    if (target.held === null) return;
    globalShortcut.unregister(target.held);
    target.held = null;
  }

  function statuses(): ShortcutStatus[] {
    const keys = deps.settings.get().shortcuts;
    return SHORTCUT_ACTIONS.map((action) => {
      const { held, needed, error } = slot(action);
      const accelerator = keys[action];
      const registered = accelerator === null || !needed ? null : held !== null;
      return { action, accelerator, registered, ...(error === undefined || accelerator === null ? {} : { error }) };
    });
  }

  function report(): void {
    const next = statuses();
    if (sameValue(next, reported)) return;
    reported = next;
    const window = deps.windows.main();
    if (window !== null) sendToRenderer(window.webContents, 'shortcuts:changed', next);
    for (const listener of [...listeners]) {
      try {
        listener();
      } catch (error) {
        log.error('a shortcut listener failed', error);
      }
    }
  }

  /**
   * Holds exactly the keys needed now. `probe`: the keys changed, so retry
   * failed ones and try the ones not needed now (register, release).
   */
  function reconcile(probe: boolean): void {
    const keys = deps.settings.get().shortcuts;
    const state = deps.hub.state();
    // Release first, so a key moving from one action to another is free for the second.
    for (const action of SHORTCUT_ACTIONS) {
      const target = slot(action);
      const accelerator = keys[action];
      const needed = accelerator !== null && neededIn(action, state);
      if (target.held !== null && (!needed || target.held !== accelerator)) release(target);
    }
    for (const action of SHORTCUT_ACTIONS) {
      const target = slot(action);
      const accelerator = keys[action];
      const needed = accelerator !== null && neededIn(action, state);
      const wasNeeded = target.needed;
      target.needed = needed;
      if (accelerator === null) {
        target.error = undefined;
        continue;
      }
      if (needed && target.held === null) {
        // While it stays needed, a failed key is not retried on every state update.
        if (!probe && wasNeeded && target.error !== undefined) continue;
        target.error = attempt(action, accelerator);
        if (target.error === undefined) target.held = accelerator;
      } else if (!needed && probe) {
        target.error = attempt(action, accelerator);
        if (target.error === undefined) globalShortcut.unregister(accelerator);
      }
    }
    report();
  }

  reconcile(true);
  const unsubscribe = deps.hub.subscribe(() => reconcile(false));
  const unsubscribeSettings = deps.settings.onChange((next, previous) => {
    if (!sameValue(next.shortcuts, previous.shortcuts)) reconcile(true);
  });

  return {
    statuses,
    hints() {
      const hints: ShortcutHints = {};
      for (const action of SHORTCUT_ACTIONS) {
        const { held } = slot(action);
        if (held !== null) hints[action] = held;
      }
      return hints;
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    reload: () => reconcile(true),
    dispose() {
      unsubscribe();
      unsubscribeSettings();
      for (const target of slots.values()) release(target);
      listeners.clear();
    },
  };
}
