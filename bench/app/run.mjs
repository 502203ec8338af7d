#!/usr/bin/env node
/**
 * App weight: `npm run bench:app` (which builds first), or
 * `node bench/app/run.mjs [--runs N] [--contacts N] [--quick] [--out FILE]
 * [--web-root DIR] [--compare DIR]` on an existing build (out/renderer unless
 * told); --compare adds another build of the app (say an older commit's
 * out/renderer) to the same rounds.
 *
 * Measures, against baselines served the same way in the same run:
 * 1. the renderer bundle in out/renderer: raw, gzip and brotli bytes of its
 *    JavaScript and CSS, all of it and what index.html loads at first paint;
 * 2. time from navigation to an interactive contact list (see probe.js for
 *    the precise definition) in Debian's Chromium, with a signed-in session
 *    already in localStorage (the app opens on the contacts), p50 of N runs:
 *    - first visit: each run in a browser profile of its own, nothing cached
 *      (after one warm-up run for the server and the OS);
 *    - returning: one profile kept on disk (an off-the-record one keeps no
 *      code cache), whose first two loads fill the HTTP cache and V8's code
 *      cache, then each run in a new tab of it (as the desktop app starts,
 *      from its own files and code cache, or a browser user comes back);
 * 3. the page's JavaScript heap once all contacts are listed, after garbage
 *    collection (CDP HeapProfiler.collectGarbage, then Runtime.getHeapUsage).
 *
 * The app runs against a real parley-server serving the web build, started
 * by the end-to-end harness (tests/e2e/harness.ts) with a team of 500
 * contacts. The baselines are a static page with one Call button and a
 * minimal Svelte 5 page listing as many contacts from its bundle, as Vite
 * builds it (an ES module) and as one classic script (whose compiled code
 * Chromium keeps, as the app's), each served by its own parley-server
 * through the same harness.
 *
 * Writes bench/results/app.json and prints a table. A benchmark, not a
 * test: it never fails on a time.
 */
/* global window, document -- in the functions run in the page */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'vite';
import { benchOptions, wholeNumber } from '../cli-options.mjs';
import { gitCommit } from '../commit.mjs';
import { newProfile, returningProfile } from './profiles.mjs';
import { buildSvelteBaseline, bundleSizes, kb } from './sizes.mjs';
import { seedTeam } from './team.mjs';

const HERE = import.meta.dirname;
const ROOT = path.resolve(HERE, '../..');
const CALL_BUTTON = 'button[aria-label^="Call "]';
/** Issue 18's: 150 KB of JavaScript gzipped; the list interactive in 300 ms on a first visit, 200 ms on a return. */
export const TARGETS = { jsGzipBytes: 150 * 1024, interactiveMs: 300, returningInteractiveMs: 200 };

const USAGE = `npm run bench:app -- [options]    (builds first; node bench/app/run.mjs measures the existing build)

The renderer's weight, the time to an interactive contact list (first and
returning visits) and the page's heap, each beside a static page and a minimal
Svelte page served the same way in the same run.

  --runs N        page loads per figure, p50 reported (default 10, --quick 2)
  --contacts N    contacts in the signed-in user's list (default 500, --quick 50)
  --quick         a small run for smoke checks
  --out FILE      where to write the JSON (default bench/results/app.json)
  --web-root DIR  the build to measure (default out/renderer)
  --compare DIR   another build (an older commit's out/renderer) measured in the same rounds
  --build         run npm run build first (what npm run bench:app passes)
  --profile DIR   also write a V8 CPU profile (100 µs) of one more load of the app, first visit and returning, from
                  navigation to the click answered (DIR/first.cpuprofile, DIR/returning.cpuprofile)
  --trace DIR     also write a Chromium trace (every process: tasks, layout, paint, the probe's marks) of one more load
                  of the app, first visit and returning (DIR/first.trace.json, DIR/returning.trace.json), and of the
                  minimal Svelte page (DIR/svelte-first.trace.json, DIR/svelte-returning.trace.json)
  -h, --help      this text
`;

const opts = benchOptions(
  {
    runs: { type: 'string' },
    contacts: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    'web-root': { type: 'string' },
    compare: { type: 'string' },
    build: { type: 'boolean', default: false },
    profile: { type: 'string' },
    trace: { type: 'string' },
  },
  USAGE,
);
const runsGiven = wholeNumber(opts, 'runs', 1);
const contactsGiven = wholeNumber(opts, 'contacts', 1);
if (opts.build && spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' }).status !== 0) process.exit(1);
const RUNS = runsGiven ?? (opts.quick ? 2 : 10);
const CONTACTS = contactsGiven ?? (opts.quick ? 50 : 500);
const OUT = path.resolve(opts.out ?? path.join(ROOT, 'bench/results/app.json'));
const WEB_ROOT = path.resolve(opts['web-root'] ?? path.join(ROOT, 'out/renderer'));
const COMPARE = opts.compare === undefined ? null : path.resolve(opts.compare);
const PROFILE_DIR = opts.profile === undefined ? null : path.resolve(opts.profile);
const TRACE_DIR = opts.trace === undefined ? null : path.resolve(opts.trace);
/** DIR/first.trace.json for the app, DIR/svelte-first.trace.json for the minimal Svelte page. */
const tracePath = (variant, visit) => path.join(TRACE_DIR, `${variant === 0 ? '' : 'svelte-'}${visit}.trace.json`);
const TRACE_CATEGORIES = ['devtools.timeline', 'toplevel', 'loading', 'blink.user_timing', 'v8.execute', 'disabled-by-default-devtools.timeline', 'v8', 'disabled-by-default-v8.compile'];

// ----------------------------------------------------------------- pages

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const round = (x) => (x === null || x === undefined ? null : Math.round(x * 10) / 10);

function summary(runs, key) {
  const xs = runs.map((r) => r[key]).filter((x) => typeof x === 'number');
  if (xs.length === 0) return null;
  return { p50: round(median(xs)), min: round(Math.min(...xs)), max: round(Math.max(...xs)) };
}

/** Between loads: the last tab's and profile's processes have gone before the next navigation starts. */
const SETTLE_MS = 300;

/**
 * A new tab of `context` navigated to the variant; with `record.profile`, V8's profiler samples it from before the
 * navigation, and with `record.trace` Chromium traces the whole browser from then.
 */
async function openPage(world, variant, context, record = {}) {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const profiler = record.profile && (await startProfiler(context, page));
  if (record.trace) {
    mkdirSync(path.dirname(record.trace), { recursive: true });
    await context.browser().startTracing(undefined, { path: record.trace, categories: TRACE_CATEGORIES });
  }
  await page.goto(world.url + variant.path);
  return { page, errors, profiler };
}

async function startProfiler(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  return cdp;
}

/**
 * One navigation in a new tab of `context`: the probe clicks Call as soon as
 * it is painted and reports when the page answered.
 */
async function loadOnce(world, variant, context, record = {}) {
  const { page, errors, profiler } = await openPage(world, variant, context, record);
  try {
    // The first-contentful-paint entry is delivered to its observer after the paint, and a small page can be complete before then.
    await page.waitForFunction(
      () => window.__benchProbe.handled !== null && window.__benchProbe.complete !== null && window.__benchProbe.fcp !== null,
      null,
      { timeout: 30_000, polling: 50 },
    );
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop');
      mkdirSync(path.dirname(record.profile), { recursive: true });
      writeFileSync(record.profile, JSON.stringify(profile));
    }
    const p = await page.evaluate(() => window.__benchProbe);
    const nav = await page.evaluate(() => performance.getEntriesByType('navigation')[0]?.toJSON());
    return {
      visibleMs: round(p.visible),
      paintedMs: round(p.painted),
      interactiveMs: round(p.handled),
      completeMs: round(p.complete),
      fcpMs: round(p.fcp),
      responseStartMs: round(nav?.responseStart),
      domContentLoadedMs: round(nav?.domContentLoadedEventEnd),
      clicks: p.clicks,
      longTasksMs: p.longTasks.filter((t) => t.start < p.handled).reduce((s, t) => s + t.duration, 0),
    };
  } catch (error) {
    throw new Error(`${variant.name}: ${error.message}; page errors: ${errors.join(' | ') || 'none'}`, { cause: error });
  } finally {
    // A failed load stops the tracer too: the next traced load starts its own.
    if (record.trace) await context.browser().stopTracing();
    await page.close();
  }
}

/** First visit: each load in a profile of its own, so nothing is cached (HTTP cache, compiled code). */
async function coldLoad(world, variant, record = {}) {
  const context = await newProfile(world, variant, true);
  try {
    return await loadOnce(world, variant, context, record);
  } finally {
    await context.close();
  }
}

/** The page's JS heap and DOM once every contact is listed (see the probe's `complete`) and the page is idle, after a full GC. */
async function heapOnce(world, variant) {
  const context = await newProfile(world, variant, false);
  try {
    const { page } = await openPage(world, variant, context);
    await page.waitForFunction(
      // Every contact listed: drawn, or counted by a windowed list (which draws only the rows in view).
      ({ selector, rows }) =>
        Math.max(document.querySelectorAll(selector).length, Number(document.querySelector('li[aria-setsize]')?.getAttribute('aria-setsize') ?? 0)) >= rows,
      { selector: CALL_BUTTON, rows: variant.rows },
      { timeout: 30_000, polling: 100 },
    );
    await page.waitForTimeout(1000);
    const cdp = await context.newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    const heap = await cdp.send('Runtime.getHeapUsage');
    const dom = await cdp.send('Memory.getDOMCounters');
    return { usedBytes: heap.usedSize, totalBytes: heap.totalSize, domNodes: dom.nodes, jsEventListeners: dom.jsEventListeners };
  } finally {
    await context.close();
  }
}

const figures = (xs) => ({
  interactiveMs: summary(xs, 'interactiveMs'),
  visibleMs: summary(xs, 'visibleMs'),
  completeMs: summary(xs, 'completeMs'),
  fcpMs: summary(xs, 'fcpMs'),
  longTasksMs: summary(xs, 'longTasksMs'),
});

/**
 * Every variant at once, each with its own server and Chromium (the
 * harness's world), measured in turn within each round: a change of the
 * machine's load during the run weighs on all of them alike.
 */
async function measureAll(harness, variants) {
  const worlds = [];
  try {
    for (const variant of variants) {
      const world = await harness.startWorld({ webRoot: variant.webRoot });
      worlds.push(world);
      if (variant.prepare) await variant.prepare(world);
    }
    const each = async (fn) => {
      const out = [];
      for (let v = 0; v < variants.length; v++) out.push(await fn(worlds[v], variants[v]));
      return out;
    };
    await each(coldLoad); // warm-up: servers, Chromium's processes and the OS file cache
    const cold = variants.map(() => []);
    for (let i = 0; i < RUNS; i++) (await each(coldLoad)).forEach((r, v) => cold[v].push(r));
    // A returning user: one profile each, whose first two loads fill its caches; then each load in a new tab.
    const profiles = await each((world, variant) => returningProfile(harness, world, variant));
    const warm = variants.map(() => []);
    try {
      for (let i = 0; i < 2; i++) await each((world, variant) => loadOnce(world, variant, profiles[variants.indexOf(variant)]));
      for (let i = 0; i < RUNS; i++) (await each((world, variant) => loadOnce(world, variant, profiles[variants.indexOf(variant)]))).forEach((r, v) => warm[v].push(r));
      // Profiled and traced loads are not among the figures: the profiler and the tracer slow the page.
      if (PROFILE_DIR) await loadOnce(worlds[0], variants[0], profiles[0], { profile: path.join(PROFILE_DIR, 'returning.cpuprofile') });
      // The app (variants[0]) and the minimal Svelte page (variants[1]), so a trace has its floor beside it.
      if (TRACE_DIR) for (const v of [0, 1]) await loadOnce(worlds[v], variants[v], profiles[v], { trace: tracePath(v, 'returning') });
    } finally {
      for (const profile of profiles) await profile.close();
    }
    if (PROFILE_DIR) await coldLoad(worlds[0], variants[0], { profile: path.join(PROFILE_DIR, 'first.cpuprofile') });
    if (TRACE_DIR) for (const v of [0, 1]) await coldLoad(worlds[v], variants[v], { trace: tracePath(v, 'first') });
    const heaps = await each(heapOnce);
    return variants.map((_, v) => ({
      ...figures(cold[v]),
      warm: { ...figures(warm[v]), runs: warm[v] },
      heap: heaps[v],
      runs: cold[v],
      chromium: worlds[v].browser.version(),
    }));
  } finally {
    for (const world of worlds) await world.close();
  }
}

// ------------------------------------------------------------------ main

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join('  ')).join('\n');
}

async function main() {
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) throw new Error(`${WEB_ROOT} has no index.html: run \`npm run bench:app\` (it builds first)`);
  const loadBefore = loadavg()[0];
  if (loadBefore > 1) console.warn(`warning: load average ${loadBefore.toFixed(2)} (> 1): times will be noisy`);

  const work = mkdtempSync(path.join(tmpdir(), 'parley-bench-app-'));
  let vite;
  try {
    const svelteRoot = path.join(work, 'svelte');
    await buildSvelteBaseline(svelteRoot);
    const svelteClassicRoot = path.join(work, 'svelte-classic');
    await buildSvelteBaseline(svelteClassicRoot, { classic: true });
    const staticRoot = path.join(work, 'static');
    cpSync(path.join(HERE, 'baselines/static'), staticRoot, { recursive: true });

    const bundle = { app: bundleSizes(WEB_ROOT), minimalSvelte: bundleSizes(svelteRoot), minimalSvelteClassic: bundleSizes(svelteClassicRoot), staticPage: bundleSizes(staticRoot) };
    if (COMPARE) bundle.compared = bundleSizes(COMPARE);

    // The harness is TypeScript: a Vite server's module runner loads it (and the server sources it
    // imports), and stays open to the end, for what the server imports on first use (password checks).
    vite = await createServer({ configFile: false, logLevel: 'warn', appType: 'custom', server: { middlewareMode: true, ws: false } });
    const harness = await vite.ssrLoadModule(path.join(ROOT, 'tests/e2e/harness.ts'));
    const app = {
      name: 'app',
      webRoot: WEB_ROOT,
      path: '/',
      rows: CONTACTS,
      async prepare(world) {
        this.session = await seedTeam(world.server, world.url, CONTACTS);
      },
    };
    const variants = {
      app,
      minimalSvelte: { name: 'minimal Svelte page', webRoot: svelteRoot, path: `/?contacts=${CONTACTS}`, rows: CONTACTS },
      // The same page as one classic script, whose compiled code Chromium reuses on a return, as the app's.
      minimalSvelteClassic: { name: 'minimal Svelte page, classic script', webRoot: svelteClassicRoot, path: `/?contacts=${CONTACTS}`, rows: CONTACTS },
      staticPage: { name: 'static page', webRoot: staticRoot, path: '/', rows: 1 },
    };
    // Another build of the app (an older commit's out/renderer), measured in the same rounds.
    if (COMPARE) variants.compared = { ...app, name: 'compared build', webRoot: COMPARE };
    const measured = await measureAll(harness, Object.values(variants));
    const pages = Object.fromEntries(Object.keys(variants).map((key, i) => [key, measured[i]]));

    const result = {
      date: new Date().toISOString(),
      commit: gitCommit(),
      command: 'npm run bench:app',
      quick: opts.quick,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, chromium: pages.app.chromium, loadAverage1m: { before: round(loadBefore), after: round(loadavg()[0]) } },
      config: { runs: RUNS, warmupRuns: 1, settleMs: SETTLE_MS, contacts: CONTACTS, gzipLevel: 6, brotliQuality: 11, webRoot: path.relative(ROOT, WEB_ROOT), compared: COMPARE && path.relative(ROOT, COMPARE) },
      targets: TARGETS,
      bundle,
      pages,
      verdict: {
        jsGzipBytes: bundle.app.js.gzip,
        jsGzipUnderTarget: bundle.app.js.gzip < TARGETS.jsGzipBytes,
        interactiveP50Ms: pages.app.interactiveMs.p50,
        interactiveUnderTarget: pages.app.interactiveMs.p50 < TARGETS.interactiveMs,
        returningInteractiveP50Ms: pages.app.warm.interactiveMs.p50,
        returningInteractiveUnderTarget: pages.app.warm.interactiveMs.p50 < TARGETS.returningInteractiveMs,
      },
    };
    mkdirSync(path.dirname(OUT), { recursive: true });
    writeFileSync(OUT, JSON.stringify(result, null, 2) + '\n');

    const ms = (x) => (x ? `${x.p50} ms` : '–');
    const columns = [['app', 'app'], ...(COMPARE ? [['compared', 'compared build']] : []), ['minimalSvelte', 'minimal Svelte page'], ['minimalSvelteClassic', 'its classic script'], ['staticPage', 'static page']];
    const row = (label, target, cell) => [label, ...columns.map(([key], i) => (i === 0 ? [cell(key), target] : [cell(key)])).flat()];
    console.log(
      '\n' +
        table([
          ['figure', 'app', 'target', ...columns.slice(1).map(([, title]) => title)],
          row('JS, gzip (all)', `< ${kb(TARGETS.jsGzipBytes)}`, (k) => kb(bundle[k].js.gzip)),
          row('JS, gzip (first paint)', '', (k) => kb(bundle[k].initialJs.gzip)),
          row('JS, raw (all)', '', (k) => kb(bundle[k].js.raw)),
          row('JS, brotli (all)', '', (k) => kb(bundle[k].js.brotli)),
          row('CSS, raw / gzip', '', (k) => `${kb(bundle[k].css.raw)} / ${kb(bundle[k].css.gzip)}`),
          row(`interactive, first visit, p50 of ${RUNS}`, `< ${TARGETS.interactiveMs} ms`, (k) => ms(pages[k].interactiveMs)),
          row(`interactive, returning, p50 of ${RUNS}`, `< ${TARGETS.returningInteractiveMs} ms`, (k) => ms(pages[k].warm.interactiveMs)),
          row('  Call button visible, p50', '', (k) => ms(pages[k].visibleMs)),
          row(`  all ${CONTACTS} rows in the DOM, p50`, '', (k) => ms(pages[k].completeMs)),
          row('  first contentful paint, p50', '', (k) => ms(pages[k].fcpMs)),
          row('  long tasks before, p50', '', (k) => ms(pages[k].longTasksMs)),
          row(`JS heap after GC (${CONTACTS} contacts)`, '', (k) => kb(pages[k].heap.usedBytes)),
          row('DOM nodes', '', (k) => pages[k].heap.domNodes),
        ]) +
        `\n\nChromium ${result.machine.chromium}, ${result.machine.cpus} cores, load ${result.machine.loadAverage1m.before} → ${result.machine.loadAverage1m.after}; wrote ${path.relative(ROOT, OUT)}`,
    );
  } finally {
    await vite?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
