/**
 * The call stage's code (its screens, cards and tiles) is not in the first
 * paint: it loads on demand, started once the contact list is up and the
 * page is idle, so it is in memory by the time anyone dials or a call rings.
 * A call that starts before that loads it at once (the ringtone does not
 * wait for it: the controller plays it).
 */
import type CallStage from './CallStage.svelte';
import { logger } from '../../lib/log.js';

const log = logger('stage-loader');

export type CallStageComponent = typeof CallStage;

let loading: Promise<CallStageComponent> | null = null;

/** The stage's component, loaded once; a failed load is tried again next time. */
export function loadCallStage(): Promise<CallStageComponent> {
  loading ??= import('./CallStage.svelte').then(
    (m) => m.default,
    (err: unknown) => {
      loading = null;
      log.warn('the call stage could not be loaded', err);
      throw err;
    },
  );
  return loading;
}

/** Loads the stage when the page is next idle (at most `deadlineMs` later); `ready` gets it. Returns a cancel. */
export function prefetchCallStage(ready: (stage: CallStageComponent) => void, deadlineMs = 1000): () => void {
  let cancelled = false;
  const run = (): void => {
    if (!cancelled) loadCallStage().then((stage) => !cancelled && ready(stage), () => undefined);
  };
  if (typeof requestIdleCallback === 'function') {
    const id = requestIdleCallback(run, { timeout: deadlineMs });
    return () => {
      cancelled = true;
      cancelIdleCallback(id);
    };
  }
  const id = setTimeout(run, 0);
  return () => {
    cancelled = true;
    clearTimeout(id);
  };
}
