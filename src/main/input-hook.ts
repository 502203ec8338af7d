/**
 * The global input hook behind push-to-talk: uiohook-napi (libuiohook with
 * Node-API prebuilds for Windows, macOS and Linux, so nothing is compiled at
 * install and the same binary works in every Electron). It is imported the
 * first time push-to-talk needs it, never at start: a user who never turns
 * push-to-talk on never loads it. It sees every key press system-wide; Parley
 * compares each with one key and keeps, logs or sends nothing else.
 */
import { createLogger } from './log.js';

const log = createLogger('input-hook');

export interface KeyHook {
  /** Starts listening; throws an error with the system's reason (`code`) when refused. */
  start(): void;
  stop(): void;
  /** Every key press and release, by KeyboardEvent.code; keys push-to-talk cannot use are not reported. Returns unsubscribe. */
  onKey(listener: (code: string, down: boolean) => void): () => void;
}

/** Push-to-talk keys (KeyboardEvent.code, src/shared/push-to-talk.ts) by their name in uiohook-napi's `UiohookKey`. */
export function uiohookName(code: string): string {
  const named: Record<string, string> = {
    ControlLeft: 'Ctrl',
    ControlRight: 'CtrlRight',
    AltLeft: 'Alt',
    ShiftLeft: 'Shift',
  };
  if (named[code] !== undefined) return named[code];
  if (/^Key[A-Z]$/.test(code)) return code.slice(3);
  if (/^Digit\d$/.test(code)) return code.slice(5);
  return code;
}

/** What Parley uses of uiohook-napi. */
interface UiohookModule {
  uIOhook: {
    start(): void;
    stop(): void;
    on(event: 'keydown' | 'keyup', listener: (event: { keycode: number }) => void): unknown;
    off(event: 'keydown' | 'keyup', listener: (event: { keycode: number }) => void): unknown;
  };
  UiohookKey: Readonly<Record<string, number>>;
}

/** Wraps the loaded module: keycodes become KeyboardEvent.code, for the keys in `codes`. */
export function keyHookOf(module: UiohookModule, codes: readonly string[]): KeyHook {
  const byKeycode = new Map<number, string>();
  for (const code of codes) {
    const keycode = module.UiohookKey[uiohookName(code)];
    if (keycode === undefined) log.warn(`no uiohook key for ${code}`);
    else byKeycode.set(keycode, code);
  }
  const { uIOhook } = module;
  return {
    start: () => uIOhook.start(),
    stop: () => uIOhook.stop(),
    onKey(listener) {
      const down = (event: { keycode: number }): void => {
        const code = byKeycode.get(event.keycode);
        if (code !== undefined) listener(code, true);
      };
      const up = (event: { keycode: number }): void => {
        const code = byKeycode.get(event.keycode);
        if (code !== undefined) listener(code, false);
      };
      uIOhook.on('keydown', down);
      uIOhook.on('keyup', up);
      return () => {
        uIOhook.off('keydown', down);
        uIOhook.off('keyup', up);
      };
    },
  };
}

/** Imports uiohook-napi (its native part loads here) and wraps it. */
export async function loadKeyHook(codes: readonly string[]): Promise<KeyHook> {
  const module = (await import('uiohook-napi')) as unknown as UiohookModule;
  return keyHookOf(module, codes);
}

/** Why the hook could not start, in words for the user, from libuiohook's error code. */
export function hookProblem(error: unknown, platform: NodeJS.Platform): string {
  const code = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? '') : '';
  if (code === 'UIOHOOK_ERROR_AXAPI_DISABLED') {
    return 'macOS has not allowed Parley to see the keyboard: allow Parley in System Settings › Privacy & Security › Accessibility, then start the call again';
  }
  if (code.startsWith('UIOHOOK_ERROR_X_')) return 'this desktop does not let apps see the keyboard (it needs X11 with the XRecord extension)';
  if (code === 'UIOHOOK_ERROR_SET_WINDOWS_HOOK_EX') return 'Windows refused the keyboard hook';
  return platform === 'linux' ? 'the keyboard hook could not start (it needs X11 and libXtst)' : 'the keyboard hook could not start';
}
