/**
 * Runs `fn` once the page has painted what just changed (the task after the
 * next frame), or after `fallbackMs` if no frame comes (a hidden window or a
 * background tab, which get none). Returns a cancel function: work for a
 * state already gone need not run.
 */
export function afterPaint(fn: () => void, fallbackMs = 50): () => void {
  let done = false;
  let task: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    if (done) return;
    done = true;
    fn();
  };
  const frame = requestAnimationFrame(() => (task = setTimeout(run, 0)));
  const fallback = setTimeout(run, fallbackMs);
  return () => {
    done = true;
    cancelAnimationFrame(frame);
    clearTimeout(task);
    clearTimeout(fallback);
  };
}
