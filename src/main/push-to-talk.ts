/**
 * Push-to-talk while another app has focus. The renderer owns the setting
 * and the gate on the microphone; its DesktopState says when a call has
 * push-to-talk on, and with which key. Only then is the global input hook
 * (input-hook.ts) loaded, the first time, and started; it stops when the
 * call ends or push-to-talk is turned off. The key going down or up becomes a
 * `push-to-talk` command to the main window. Presses repeated by the
 * keyboard's autorepeat are sent once.
 *
 * A hook the system refuses (macOS without the Accessibility permission, a
 * desktop without X11) is tried once per call; the renderer is told why
 * (`push-to-talk:changed`), and the key still works in Parley's window.
 */
import type { DesktopState } from '../shared/desktop-state.js';
import type { PushToTalkHookStatus } from '../shared/ipc.js';
import type { DesktopHub } from './desktop-hub.js';
import { sameValue } from './desktop-hub.js';
import type { KeyHook } from './input-hook.js';
import { hookProblem } from './input-hook.js';
import { sendToRenderer } from './ipc.js';
import { createLogger } from './log.js';
import type { Windows } from './windows.js';

const log = createLogger('push-to-talk');

export interface PushToTalkDeps {
  hub: Pick<DesktopHub, 'state' | 'subscribe' | 'command'>;
  windows: Pick<Windows, 'main'>;
  /** Loads the hook (uiohook-napi); called the first time a call needs it, at most once. */
  loadHook: () => Promise<KeyHook>;
  platform: NodeJS.Platform;
}

export interface PushToTalkModule {
  status(): PushToTalkHookStatus;
  dispose(): void;
}

/** The call and key push-to-talk listens for in this state, or null. */
function wanted(state: DesktopState): { callId: string; key: string } | null {
  const { call } = state;
  if (call.kind !== 'in-call' || call.pushToTalk === undefined) return null;
  return { callId: call.callId, key: call.pushToTalk.key };
}

export function installPushToTalk(deps: PushToTalkDeps): PushToTalkModule {
  let loading: Promise<KeyHook | null> | null = null;
  let hook: KeyHook | null = null;
  let running = false;
  /** The key listened for now (while running). */
  let key: string | null = null;
  let down = false;
  /** The call the hook was last started (or tried) for: a refusal is not retried on every state update. */
  let triedFor: string | null = null;
  let status: PushToTalkHookStatus = { state: 'off' };

  function report(next: PushToTalkHookStatus): void {
    if (sameValue(next, status)) return;
    status = next;
    const window = deps.windows.main();
    if (window !== null) sendToRenderer(window.webContents, 'push-to-talk:changed', next);
  }

  function press(isDown: boolean): void {
    if (isDown === down) return;
    down = isDown;
    deps.hub.command({ type: 'push-to-talk', down });
  }

  function onKey(code: string, isDown: boolean): void {
    // Every other key of the system passes by unseen.
    if (running && code === key) press(isDown);
  }

  function stop(): void {
    if (running && hook !== null) {
      try {
        hook.stop();
      } catch (error) {
        log.warn('the keyboard hook did not stop cleanly', error);
      }
    }
    running = false;
    if (down) press(false);
    key = null;
    triedFor = null;
    report({ state: 'off' });
  }

  async function start(callId: string): Promise<void> {
    triedFor = callId;
    loading ??= deps.loadHook().catch((error: unknown) => {
      log.error('could not load the keyboard hook', error);
      return null;
    });
    const loaded = await loading;
    const now = wanted(deps.hub.state());
    // The call ended (or push-to-talk went off) while it loaded.
    if (now?.callId !== callId || triedFor !== callId || running) return;
    if (loaded === null) {
      report({ state: 'unavailable', reason: 'the keyboard hook could not be loaded' });
      return;
    }
    if (hook === null) {
      hook = loaded;
      hook.onKey(onKey);
    }
    try {
      hook.start();
    } catch (error) {
      log.warn('the keyboard hook could not start', error);
      report({ state: 'unavailable', reason: hookProblem(error, deps.platform) });
      return;
    }
    running = true;
    key = now.key;
    report({ state: 'listening' });
  }

  function reconcile(): void {
    const next = wanted(deps.hub.state());
    if (next === null) {
      if (running || triedFor !== null) stop();
      return;
    }
    if (running) {
      // Another key chosen mid-call: the old one is no longer held.
      if (next.key !== key && down) press(false);
      key = next.key;
      return;
    }
    if (triedFor !== next.callId) void start(next.callId);
  }

  reconcile();
  const unsubscribe = deps.hub.subscribe(reconcile);

  return {
    status: () => status,
    dispose() {
      unsubscribe();
      stop();
    },
  };
}
