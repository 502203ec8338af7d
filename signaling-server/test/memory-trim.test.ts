/**
 * The C heap's free pages go back to the system after a full collection
 * (memory-trim.ts): glibc's malloc_trim through koffi, at most once per
 * interval, on this machine's real glibc.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import { startMemoryTrimmer } from '../src/memory-trim.js';

const gc = (globalThis as { gc?: () => void }).gc ?? (() => expect.fail('the server suite runs with --expose-gc'));

/**
 * Blocks malloc'd outside V8's heap (each Buffer above the pool's size is a
 * malloc of its own), all freed at the next collection but one in 40, which
 * pins the pages around it: what glibc keeps and only a trim gives back.
 */
function fragment(): Buffer[] {
  const pinned: Buffer[] = [];
  for (let i = 0; i < 40_000; i++) {
    const b = Buffer.alloc(5000, 1);
    if (i % 40 === 0) pinned.push(b);
  }
  return pinned;
}

/** The trimmer's trace lines: one a trim. */
function recordingLog(trims: number[]) {
  const log = createLogger('silent');
  return Object.assign(Object.create(log) as typeof log, { trace: (o: { ms: number }) => trims.push(o.ms) });
}

describe('memory trimmer', () => {
  it('trims after a full collection, then at most once per interval', async () => {
    const trims: number[] = [];
    const trimmer = startMemoryTrimmer(recordingLog(trims), 60_000);
    try {
      gc();
      await expect.poll(() => trims.length, { timeout: 5000, interval: 20 }).toBe(1);
      gc();
      await new Promise((r) => setTimeout(r, 300));
      expect(trims).toHaveLength(1);
    } finally {
      trimmer.stop();
    }
  });

  it('gives back the pages glibc holds between live blocks', () => {
    const trimmer = startMemoryTrimmer(createLogger('silent'), 60_000);
    try {
      const pinned = fragment();
      // V8 frees dead ArrayBuffers' memory on a background thread after gc() returns; the next collection
      // first waits for that sweep, so after two the blocks are back in glibc's free lists, not yet freed.
      gc();
      gc();
      const held = process.memoryUsage.rss();
      expect(trimmer.trim()).toBeGreaterThanOrEqual(0);
      // 40,000 blocks of 5 KB, 1,000 still alive: most of the 195 MB was freed, and without a trim glibc kept much of it.
      expect(held - process.memoryUsage.rss()).toBeGreaterThan(8 * 2 ** 20);
      expect(pinned).toHaveLength(1000);
    } finally {
      trimmer.stop();
    }
  });
});
