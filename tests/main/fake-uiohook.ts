/**
 * A recording fake of uiohook-napi, the global input hook push-to-talk loads
 * (src/main/input-hook.ts). The real module must not load in a test: its
 * native part wants a display and sees the real keyboard. A test file
 * `vi.doMock`s 'uiohook-napi' with a factory that calls `fakeUiohookModule()`
 * and counts the loads (tests/main/push-to-talk.test.ts, `mockUiohook`).
 *
 * `press` / `release` play the user's keyboard in any app; `refuse` makes the
 * next start() fail as libuiohook does (an Error with the code).
 */
import { EventEmitter } from 'node:events';
import { uiohookName } from '../../src/main/input-hook.js';
import { PUSH_TO_TALK_KEYS } from '../../src/shared/push-to-talk.js';

/** Made-up keycodes (the real ones are scan codes), one per name, plus a key Parley never listens to. */
export const FAKE_UIOHOOK_KEY: Readonly<Record<string, number>> = Object.fromEntries([
  ...PUSH_TO_TALK_KEYS.map((code, index) => [uiohookName(code), 1000 + index] as const),
  ['Escape', 1],
]);

export class FakeUiohook extends EventEmitter {
  running = false;
  /** start and stop, in order. */
  readonly calls: ('start' | 'stop')[] = [];
  /** The error code the next start() throws with (libuiohook's, e.g. 'UIOHOOK_ERROR_AXAPI_DISABLED'), or null. */
  refuse: string | null = null;

  start(): void {
    this.calls.push('start');
    if (this.refuse !== null) {
      const code = this.refuse;
      throw Object.assign(new Error(`refused: ${code}`), { code });
    }
    this.running = true;
  }

  stop(): void {
    this.calls.push('stop');
    this.running = false;
  }

  /** The user presses a key (by KeyboardEvent.code) in whatever app has focus; nothing is seen while stopped. */
  press(code: string): void {
    this.key('keydown', code);
  }

  release(code: string): void {
    this.key('keyup', code);
  }

  private key(event: 'keydown' | 'keyup', code: string): void {
    const keycode = FAKE_UIOHOOK_KEY[uiohookName(code)];
    if (keycode === undefined) throw new Error(`no fake keycode for ${code}`);
    if (this.running) this.emit(event, { type: event === 'keydown' ? 4 : 5, keycode, time: 0, altKey: false, ctrlKey: false, metaKey: false, shiftKey: false });
  }
}

/** A fresh module as `import('uiohook-napi')` gives it. */
export function fakeUiohookModule(): { uIOhook: FakeUiohook; UiohookKey: Readonly<Record<string, number>> } {
  return { uIOhook: new FakeUiohook(), UiohookKey: FAKE_UIOHOOK_KEY };
}
