import { afterEach, describe, expect, it } from 'vitest';
import type { MainEvents } from '../../../shared/ipc.js';
import { followDesktopWindow, windowShown } from './window-shown.js';

describe('whether the window is on screen', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it("in the desktop app, follows what main says (the page's own visibility always says visible there); stopped, back to the page's", () => {
    let listener: MainEvents['window:shown'] | undefined;
    stop = followDesktopWindow({
      onShown: (l) => {
        listener = l;
        return () => (listener = undefined);
      },
    });
    // Nothing said yet: the page's own (no document here: shown).
    expect(windowShown()).toBe(true);
    listener?.(false);
    expect(windowShown()).toBe(false);
    listener?.(true);
    expect(windowShown()).toBe(true);
    listener?.(false);
    stop();
    stop = undefined;
    expect(listener).toBeUndefined();
    expect(windowShown()).toBe(true);
  });
});
