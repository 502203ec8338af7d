/**
 * Gives the C heap's free pages back to the system after V8's full
 * collections.
 *
 * Every message read or written passes through buffers outside V8's heap,
 * allocated by glibc's malloc. Freed, they leave holes between blocks still in
 * use, and glibc keeps those pages: after 3,000 call setups among 10,000
 * connections the server held about 2 KB a client more than it used
 * (BENCHMARKS.md, memory per client). Only `malloc_trim` hands them back. A
 * full collection is when V8 frees most of that outside memory, so a trim
 * follows one, at most once every `everyMs` (a later collection within that
 * time gets one trim when it ends). glibc's function is called through koffi,
 * a foreign-function binding with prebuilt binaries; where it cannot load
 * (no glibc, another platform), nothing is trimmed.
 */
import { createRequire } from 'node:module';
import { constants, type PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import type { Logger } from './logger.js';

export interface MemoryTrimmer {
  /** Trims now; how many milliseconds it took, or undefined where nothing can be trimmed. */
  trim(): number | undefined;
  stop(): void;
}

/** glibc's malloc_trim(pad), or undefined where it cannot be called. */
function loadMallocTrim(log: Logger): ((pad: number) => number) | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // Loaded once the server listens (about 6 ms), and only here, so a platform without its binary still starts.
    // A require: the bundle runs from V8's code cache, where import() is not available (bin/code-cache.cjs).
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    return koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch (err) {
    log.debug({ err }, 'malloc_trim unavailable: the C heap is not trimmed');
    return undefined;
  }
}

/**
 * Trims after each full collection, at most once every `everyMs` (each trim
 * walks the whole C heap: PARLEY_MALLOC_TRIM_MS), until stop().
 */
export function startMemoryTrimmer(log: Logger, everyMs: number): MemoryTrimmer {
  const mallocTrim = loadMallocTrim(log);
  const trim = (): number | undefined => {
    if (!mallocTrim) return undefined;
    const t0 = performance.now();
    mallocTrim(0);
    return performance.now() - t0;
  };
  if (!mallocTrim) return { trim, stop: () => undefined };

  let last = -Infinity;
  let pending: NodeJS.Timeout | undefined;
  const run = () => {
    pending = undefined;
    last = performance.now();
    const ms = trim();
    log.trace({ ms }, 'C heap trimmed');
  };
  const observer = new PerformanceObserver((list) => {
    const major = list.getEntries().some((e) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
    if (!major || pending) return;
    pending = setTimeout(run, Math.max(0, last + everyMs - performance.now()));
    pending.unref();
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    trim,
    stop() {
      observer.disconnect();
      clearTimeout(pending);
      pending = undefined;
    },
  };
}
