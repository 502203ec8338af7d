/**
 * What `bench:call` records of a call beside its times, from just before the
 * Answer click to audio both ways: a V8 CPU profile of both pages
 * (`BENCH_CALL_PROFILE`) and a Chromium trace of the whole browser
 * (`BENCH_CALL_CHROME_TRACE`). Their cost is in the run's figures.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { User } from '../../tests/e2e/harness.js';
import { saveProfiles, startProfiles } from '../client/page-profiles.js';

/** Where each goes; a call's files are named by its label (`first-<n>`, `call-<n>`). */
export interface RecordingDirs {
  profileDir?: string;
  chromeTraceDir?: string;
}

/**
 * Each page's tasks, style, layout and paint. More categories (v8, the
 * disabled-by-default ones) slow every call down, and the run's figures with it.
 */
const CHROME_TRACE_CATEGORIES = (process.env.BENCH_CALL_CHROME_TRACE_CATEGORIES ?? 'devtools.timeline,toplevel,loading,blink').split(',');

/** Starts what `dirs` asks for on both users' pages; the function returned stops it and writes the files. */
export async function startRecording(users: [User, User], dirs: RecordingDirs, label: string): Promise<() => Promise<void>> {
  const profiles = dirs.profileDir ? await startProfiles(users, 100) : null;
  const browser = users[0].page.context().browser();
  const trace = dirs.chromeTraceDir && browser ? path.join(dirs.chromeTraceDir, `${label}.json`) : null;
  if (trace && browser) {
    mkdirSync(path.dirname(trace), { recursive: true });
    await browser.startTracing(undefined, { path: trace, categories: CHROME_TRACE_CATEGORIES });
  }
  return async () => {
    if (profiles && dirs.profileDir) await saveProfiles(profiles, dirs.profileDir, label);
    if (trace && browser) await browser.stopTracing();
  };
}
