// The login storm: every client of a list connects through the generator's
// threads (each thread a contiguous slice, so a thread's calls stay between
// its own clients), and, for the full-team phase, until each has seen all
// its contacts online.
import { performance } from 'node:perf_hooks';
import { summarize } from './stats.mjs';

/** Contiguous slices, so a thread's calls stay between its own clients. */
export function slices(list, n) {
  const size = Math.ceil(list.length / n);
  return Array.from({ length: n }, (_, i) => list.slice(i * size, (i + 1) * size));
}

export const transportsFor = (opts) => (opts.transport === 'polling' ? ['polling', 'websocket'] : ['websocket']);

/**
 * Connects every client of `list`: how many are ready, in how long, and each
 * one's time to session:ready. With `untilSeenMs`, also how long until every
 * client had seen all its contacts online (`seenAllMs`, from the first
 * connect), waiting at most that long; `unseen`: clients still missing someone.
 * With `append`, the clients join those the threads hold open already.
 */
export async function connectAll(gen, { url, mode, list, opts, untilSeenMs = 0, append = false }) {
  const parts = slices(list, gen.workers.length);
  const t0 = performance.now();
  // The threads report when on Date.now(), the one clock they share with this one.
  const wallT0 = Date.now();
  const replies = await gen.all({ type: 'connect', url, mode, window: opts.window, transports: transportsFor(opts), watchBy: opts.watchBy, append }, (i) => ({
    list: parts[i],
  }));
  const stormMs = performance.now() - t0;
  const out = {
    connected: replies.reduce((n, r) => n + r.connected, 0),
    stormMs,
    readyMs: summarize(replies.flatMap((r) => r.readyMs)),
  };
  if (untilSeenMs === 0) return out;
  const seen = await gen.all({ type: 'seen-all', timeoutMs: untilSeenMs });
  return { ...out, seenAllMs: Math.max(...seen.map((r) => r.lastSeenAt)) - wallT0, unseen: seen.reduce((n, r) => n + r.missing, 0) };
}
