/**
 * Runs `fn` when the page's main thread is next idle (at least `afterMs`
 * from now, and within `timeoutMs` of that at the latest): for what shows a
 * change nobody waits for (the tab's title and icon, the header's status)
 * and should not share the two cores with the work a person does wait for,
 * such as the sound starting after Answer. Where the browser has no idle
 * callbacks, after both. Returns a cancel function: work for a state already
 * gone need not run.
 */
export function whenIdle(fn: () => void, { afterMs = 0, timeoutMs = 1000 }: { afterMs?: number; timeoutMs?: number } = {}): () => void {
  // The pending wait, whichever it is now: the delay before asking, then the idle callback (or its fallback timer).
  let timer: ReturnType<typeof setTimeout> | undefined;
  let idle: number | undefined;
  const ask = (): void => {
    if (typeof requestIdleCallback === 'function') idle = requestIdleCallback(() => fn(), { timeout: timeoutMs });
    else timer = setTimeout(fn, timeoutMs);
  };
  if (afterMs > 0) timer = setTimeout(ask, afterMs);
  else ask();
  return () => {
    clearTimeout(timer);
    if (idle !== undefined) cancelIdleCallback(idle);
  };
}

/** A call's first second, which what can wait leaves to its sound: answered, it plays well within it (BENCHMARKS.md, Call setup). */
export const CALL_START_MS = 1000;
