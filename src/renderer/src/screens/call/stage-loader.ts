/**
 * The call stage's code (its screens, cards and tiles) is not in the first
 * paint's file: it is in the call code's chunk, which App.svelte asks for
 * once a contact list is painted, so it is in memory by the time anyone
 * dials or a call rings. Main.svelte shows the stage when that chunk is in,
 * or asks for it when a call starts first. A load that failed is tried
 * again when a call starts (the ringtone does not wait for it: the
 * controller plays it).
 */
import type CallStage from './CallStage.svelte';
import { loadOnce } from '../../lib/load-once.js';
import { logger } from '../../lib/log.js';

const log = logger('stage-loader');

export type CallStageComponent = typeof CallStage;

/** The stage's component, loaded once; a failed load is tried again next time. */
export const loadCallStage: () => Promise<CallStageComponent> = loadOnce(() =>
  import('./CallStage.svelte').then(
    (m) => m.default,
    (err: unknown) => {
      log.warn('the call stage could not be loaded', err);
      throw err;
    },
  ),
);
