import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { whenIdle } from './when-idle.js';

describe('when idle', () => {
  let asked: { cb: IdleRequestCallback; options?: IdleRequestOptions }[];
  let cancelled: number[];
  beforeEach(() => {
    vi.useFakeTimers();
    asked = [];
    cancelled = [];
    vi.stubGlobal('requestIdleCallback', (cb: IdleRequestCallback, options?: IdleRequestOptions) => asked.push({ cb, options }));
    vi.stubGlobal('cancelIdleCallback', (id: number) => cancelled.push(id));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('asks for the next idle period, with the timeout as its latest', () => {
    const fn = vi.fn();
    whenIdle(fn, { timeoutMs: 700 });
    expect(asked).toHaveLength(1);
    expect(asked[0]!.options).toEqual({ timeout: 700 });
    expect(fn).not.toHaveBeenCalled();
    asked[0]!.cb({ didTimeout: false, timeRemaining: () => 10 });
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('asks only once `afterMs` has passed', () => {
    whenIdle(() => undefined, { afterMs: 1000 });
    vi.advanceTimersByTime(999);
    expect(asked).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(asked).toHaveLength(1);
  });

  it('cancels the idle request it made, or the wait before it', () => {
    whenIdle(() => undefined)();
    expect(cancelled).toEqual([1]);
    whenIdle(() => undefined, { afterMs: 50 })();
    vi.advanceTimersByTime(100);
    expect(asked).toHaveLength(1);
  });

  it('without idle callbacks, runs after the wait and the timeout, or never once cancelled', () => {
    vi.stubGlobal('requestIdleCallback', undefined);
    const fn = vi.fn();
    whenIdle(fn, { afterMs: 100, timeoutMs: 500 });
    const never = vi.fn();
    whenIdle(never, { timeoutMs: 500 })();
    vi.advanceTimersByTime(599);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(1);
    expect(never).not.toHaveBeenCalled();
  });
});
