/**
 * The browser profiles bench:app loads the pages in (run.mjs): a first visit's, empty, and a returning person's,
 * kept on disk. Each has the probe (probe.js) and the session where the variant has one.
 */
/* global window -- in the function run in the page */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { probe } from './probe.js';

const SESSION_KEY = 'parley.session.v1'; // src/renderer/src/connection/session-store.ts

/**
 * A browser profile of its own: empty caches, the probe, and the session where the variant has one. The session is
 * in the profile's localStorage before any tab opens (Playwright's storageState writes it from a blank page of the
 * origin): the page measured reads it with its own first access to storage, where the app makes it, not from an init
 * script at the document's start (which put the storage's first load before the parser, inside the app's time only).
 * It has one blank tab open, as a person's browser has a window. Each page Playwright opens is a window of its own,
 * for which Chromium would start its address bar's popup, a renderer of its own: 0.3 to 0.6 s of CPU inside the load
 * on these 2 cores, traced. The test flags turn the popup off (tests/e2e/chromium.ts), as a person's window started it
 * long before.
 */
export async function newProfile(world, variant, click) {
  const storageState = variant.session
    ? { cookies: [], origins: [{ origin: new URL(world.url).origin, localStorage: [{ name: SESSION_KEY, value: JSON.stringify(variant.session) }] }] }
    : undefined;
  const context = await world.browser.newContext({ permissions: ['microphone'], storageState });
  await context.newPage();
  await context.addInitScript(probe, { click, rows: variant.rows });
  return context;
}

/**
 * A returning person's browser: a profile kept on disk (its own Chromium), with the session where the variant has one
 * and the probe. A context of the world's browser would be off the record, like an incognito window, which keeps no
 * V8 code cache: a returning visit there compiles every script again, which neither the desktop app nor a person's
 * browser does. Chromium keeps a script's compiled code from its second load on, so the caller loads it twice first.
 */
export async function returningProfile(harness, world, variant) {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-profile-'));
  const wav = path.join(dir, 'tone.wav');
  harness.writeToneWav(wav);
  const context = await harness.launchPersistentChromium(path.join(dir, 'profile'), wav, ['microphone']);
  const [tab] = context.pages();
  if (variant.session) {
    // A document of the origin that runs none of the app, to write the session where the app will read it.
    await tab.goto(`${world.url}/favicon.svg`);
    await tab.evaluate(([key, value]) => window.localStorage.setItem(key, value), [SESSION_KEY, JSON.stringify(variant.session)]);
    await tab.goto('about:blank');
  }
  await context.addInitScript(probe, { click: true, rows: variant.rows });
  const close = context.close.bind(context);
  return Object.assign(context, { close: async () => (await close(), rmSync(dir, { recursive: true, force: true })) });
}
