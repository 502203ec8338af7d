/**
 * V8 CPU profiles of the app's pages over a bench:client window (`--profile
 * DIR`): what each page's JavaScript spent its main thread on, beside the
 * /proc reading that says how much. Written as `.cpuprofile` (DevTools opens
 * them; bench/signaling/profile-summary.mjs prints self time by function).
 * Native work the page causes (style, layout, paint, WebRTC's threads) is
 * not in them: "(program)" is the main thread's share outside JavaScript.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CDPSession } from 'playwright-core';
import type { User } from '../../tests/e2e/harness.js';

export interface PageProfiles {
  sessions: { name: string; cdp: CDPSession }[];
}

/** Starts sampling every `intervalUs` (1 ms unless said) on each user's page. */
export async function startProfiles(users: User[], intervalUs = 1000): Promise<PageProfiles> {
  const sessions: PageProfiles['sessions'] = [];
  for (const u of users) {
    const cdp = await u.page.context().newCDPSession(u.page);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: intervalUs });
    await cdp.send('Profiler.start');
    sessions.push({ name: u.name, cdp });
  }
  return { sessions };
}

/** Stops them and writes `<label>-<user>.cpuprofile` into `dir`. */
export async function saveProfiles(profiles: PageProfiles, dir: string, label: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const { name, cdp } of profiles.sessions) {
    const { profile } = await cdp.send('Profiler.stop');
    writeFileSync(path.join(dir, `${label}-${name}.cpuprofile`), JSON.stringify(profile));
    await cdp.detach();
  }
}
