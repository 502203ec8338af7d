/**
 * A DevTools trace of the app's browser over a bench:client window (`--trace
 * DIR`): what each thread did, task by task (style, layout, paint, timers,
 * script), where a V8 CPU profile (page-profiles.ts) says only "(program)"
 * for the main thread's native work. Written as `DIR/<situation>.json`: the
 * Performance panel of DevTools opens it, and trace-summary.mjs prints each
 * renderer main thread's time by event.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';

/** The Performance panel's own categories, with the tasks of every thread ('toplevel'). */
const CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'toplevel', 'v8.execute', 'blink.user_timing'];

/** Starts tracing every process of `browser`. */
export async function startTrace(browser: Browser): Promise<void> {
  await browser.startTracing(undefined, { categories: CATEGORIES });
}

/** Stops it and writes `<label>.json` into `dir`. */
export async function saveTrace(browser: Browser, dir: string, label: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${label}.json`), await browser.stopTracing());
}
