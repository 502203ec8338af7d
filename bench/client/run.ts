/**
 * `npm run bench:client`: what the app costs the machine of the person
 * running it. The web build in Debian's Chromium (the renderer the desktop
 * app runs), against the real server, in four situations, each in a browser
 * of its own so that nothing else counts: signed in and idle; a 1:1 audio
 * call; a 1:1 video call at 720p; a room of four with every camera on. Each
 * is read over the same window from /proc (processes.ts): the CPU time of
 * the browser and every process under it, as a share of one core, and their
 * memory (PSS) at the end. The baseline of each, in the same run and the
 * same browser build: a blank page for idle, and the same calls done the
 * shortest way, a page per person (bare-mesh.ts). For the calls, both (or all
 * four) ends run in the one browser, a context each, as the baseline's do, so
 * the two carry the same browser, GPU and network processes.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT, launchChromium, registerUser, startWorld, user, type User, type World } from '../../tests/e2e/harness.js';
import { expect } from 'vitest';
import { expectVideoFlowing, slotStats } from '../../tests/e2e/media.js';
import { openMicrophones } from '../../tests/e2e/page-probes.js';
import { joinRoom, leave } from '../../tests/e2e/rooms.js';
import { eachOf, establishCall, waitState } from '../../tests/e2e/steps.js';
import { startBareServer } from '../call/baseline.js';
import { chooseNoiseSuppression } from '../denoise/measure.js';
import { QUIET_ROOM_RMS_DB, missingTools, writeNoisySpeechWav } from '../denoise/noisy-speech.js';
import { gitCommit } from '../commit.mjs';
import { builtRnnoise, startBareMesh, type VideoSize } from './bare-mesh.js';
import { seedContacts } from './contacts.js';
import { sentAtFullSize, sentVideo } from './sent-video.js';
import { saveProfiles, startProfiles } from './page-profiles.js';
import { saveTrace, startTrace } from './page-traces.js';
import { cpuBetween, findBrowser, threadCpu, threadShares, treeCpu, treePss } from './processes.js';

export interface ClientBenchOptions {
  /** The window each situation is read over. */
  seconds: number;
  /** Time left for a situation to settle (the call's video to ramp up) before the window. */
  settleSeconds: number;
  /** Contacts in the idle user's list. */
  contacts: number;
  /** Only these situations (all when empty): for trying a change to one of them. */
  only: Situation[];
  /** Also split each reading's CPU by process type and thread name (`Reading.threads`). */
  threads?: boolean;
  /**
   * Where to write a V8 CPU profile of each of the app's pages over the window (`<situation>-<user>.cpuprofile`,
   * read with bench/signaling/profile-summary.mjs). The profiler costs CPU too: a run that profiles is for finding
   * where the time goes, not for its figures.
   */
  profileDir?: string;
  /** Where to write a DevTools trace of the app's browser over the window (`<situation>.json`, page-traces.ts); it costs CPU too. */
  traceDir?: string;
  /**
   * Whether a 1:1 video call's windows wait until every page sends its camera at full size (sent-video.ts): on unless
   * false. A smoke test that only checks that each figure is read leaves it off: the climb takes about 30 s a reading.
   */
  fullSizeVideo?: boolean;
}

export const DEFAULT_CLIENT_OPTIONS: ClientBenchOptions = { seconds: 60, settleSeconds: 10, contacts: 50, only: [] };
export const CLIENT_RESULT_FILE = path.join(ROOT, 'bench/results/client.json');
/** From issue 18: idle < 1 % of one core and < 150 MB; an audio call < 5 %; video ≤ 1.2× the bare calls. */
export const CLIENT_TARGETS = { idleCpuPercent: 1, idleMemoryMB: 150, audioCallCpuPercent: 5, videoRatio: 1.2 } as const;

export interface Reading {
  /** CPU time over the window, in percent of one core. */
  cpuPercent: number;
  /** Proportional memory of the browser's processes at the end of the window, MB. */
  memoryMB: number;
  processes: number;
  /** With `threads`: percent of one core by process type and thread name, largest first. */
  threads?: Record<string, number>;
  /** In a video situation: each camera stream the pages sent as the window closed (sent-video.ts). */
  videoSent?: VideoSize[];
}

/**
 * `audioCall` and the video situations run the default settings (noise suppression Auto, which stays on the browser's
 * in the benchmark's quiet room); `audioCallStrong`: the audio call with Strong (RNNoise) at both ends.
 */
export const SITUATIONS = ['idle', 'audioCall', 'audioCallStrong', 'videoCall', 'videoRoom4'] as const;
export type Situation = (typeof SITUATIONS)[number];

export interface ClientBenchResult {
  bench: 'client';
  date: string;
  commit: string;
  command: string;
  environment: { chromium: string; node: string; cpus: number; loadAverage: { start: number[]; end: number[] } };
  options: ClientBenchOptions;
  targets: typeof CLIENT_TARGETS;
  /**
   * `ratio`: the app's CPU ÷ the baseline's; `memoryAboveBaselineMB`: what the app holds beyond the baseline's browser.
   * In the call with noise suppression Strong, `floor`: the same bare call with the app's RNNoise on every microphone, and `floorRatio`, its CPU ÷ the baseline's: what no app running RNNoise can go under.
   * `videoShown`, in the video situations: the peer's video as the app showed it (CSS px), which the baselines show too.
   */
  situations: Partial<Record<Situation, { app: Reading; baseline: Reading; ratio: number; memoryAboveBaselineMB: number; floor?: Reading; floorRatio?: number; videoShown?: VideoSize }>>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** A browser of its own, with a marker on its command line to find its processes by. */
export async function ownBrowser(wav: string): Promise<{ browser: Browser; root: number }> {
  const marker = `--parley-bench-client=${randomUUID()}`;
  const browser = await launchChromium(wav, { args: [marker] });
  return { browser, root: findBrowser(marker) };
}

/** The browser under `root` over a window of `seconds`, after `settleSeconds`. */
export async function read(root: number, options: Pick<ClientBenchOptions, 'seconds' | 'settleSeconds' | 'threads'>): Promise<Reading> {
  await sleep(options.settleSeconds * 1000);
  const before = treeCpu(root);
  const threadsBefore = options.threads ? threadCpu(root) : null;
  const started = performance.now();
  await sleep(options.seconds * 1000);
  const cpu = cpuBetween(before, treeCpu(root));
  const elapsedS = (performance.now() - started) / 1000;
  const threads = threadsBefore && { threads: threadShares(threadsBefore, threadCpu(root), elapsedS) };
  return { cpuPercent: round((100 * cpu) / elapsedS), memoryMB: round(treePss(root) / 2 ** 20, 1), processes: treeCpu(root).size, ...threads };
}

/** The reading, with what `pages` sent as it closed when they send video. */
async function withSent(reading: Reading, pages: Page[]): Promise<Reading> {
  if (pages.length === 0) return reading;
  return { ...reading, videoSent: (await Promise.all(pages.map(sentVideo))).flat().map(({ width, height }) => ({ width, height })) };
}

interface Arrangement {
  /** Brings the signed-in users into the situation. */
  arrange(users: User[]): Promise<void>;
  /** Ends it (hangs up), so the server does not hold the next situation's users in this call. */
  end(users: User[]): Promise<void>;
}

const NOTHING: Arrangement = { arrange: () => Promise.resolve(), end: () => Promise.resolve() };

/** Parley's side of a situation: the users signed in, in one browser of their own. */
async function measureApp(world: World, wav: string, names: string[], situation: Arrangement, options: ClientBenchOptions, label: Situation): Promise<Reading> {
  const { browser, root } = await ownBrowser(wav);
  try {
    const users: User[] = [];
    for (const n of names) users.push(await user({ url: world.url, browser }, n));
    await situation.arrange(users);
    const profiles = options.profileDir ? await startProfiles(users) : null;
    if (options.traceDir) await startTrace(browser);
    const reading = await withSent(await read(root, options), label.startsWith('video') ? users.map((u) => u.page) : []);
    if (profiles && options.profileDir) await saveProfiles(profiles, options.profileDir, label);
    if (options.traceDir) await saveTrace(browser, options.traceDir, label);
    await situation.end(users);
    return reading;
  } finally {
    await browser.close();
  }
}

/** The baseline's side: `people` pages on the bare origin, each in a context of its own as the app's users are, set up by `arrange`. */
async function measureBare(url: string, wav: string, people: number, arrange: (pages: Page[]) => Promise<void>, options: ClientBenchOptions, video = false): Promise<Reading> {
  const { browser, root } = await ownBrowser(wav);
  try {
    const pages: Page[] = [];
    for (let i = 0; i < people; i++) {
      const context = await browser.newContext({ permissions: ['microphone', 'camera'] });
      const page = await context.newPage();
      await page.goto(url);
      pages.push(page);
    }
    await arrange(pages);
    return await withSent(await read(root, options), video ? pages : []);
  } finally {
    await browser.close();
  }
}

export async function runClientBench(options: ClientBenchOptions, progress: (line: string) => void): Promise<ClientBenchResult> {
  const loadStart = os.loadavg();
  // The code measured is the code built when the run starts.
  const commit = gitCommit();
  const world = await startWorld();
  const bare = await startBareServer();
  // Every page's microphone: a voice with pauses in a quiet room (what Auto noise suppression leaves to the browser's).
  const missing = missingTools();
  if (missing.length > 0) throw new Error(`bench:client needs ${missing.join(' and ')} for its microphone (apt-get install espeak-ng sox)`);
  const wav = writeNoisySpeechWav(world.dataDir, QUIET_ROOM_RMS_DB).file;
  const names = ['alice', 'bob', 'carol', 'dave'];
  for (const n of names) await registerUser(world, n);
  await seedContacts(world, options.contacts - names.length);

  // The size the app showed the peers' videos at (its first user's page, the largest tile), for the baseline to show them the same.
  // A peer's tile appears once its frames are counted (frame-flow.ts), a reading after they flow: waited for, since a
  // baseline drawing smaller videos than the app's would be cheaper for that alone.
  let shown: VideoSize | undefined;
  const fullSizeVideo = options.fullSizeVideo !== false;
  const measureShown = async (page: Page) => {
    const largest = () =>
      page.evaluate(() => {
        const peers = [...document.querySelectorAll('figure.tile:not(.self) video')].map((v) => ({ width: v.clientWidth, height: v.clientHeight }));
        return peers.sort((a, b) => b.width * b.height - a.width * a.height)[0] ?? null;
      });
    await expect.poll(async () => ((await largest())?.width ?? 0) > 0, { timeout: 30_000, message: "a peer's video shown in the app" }).toBe(true);
    shown = (await largest()) ?? undefined;
  };
  /** The baseline's videos at the app's size: measured with the app, which runs first. */
  const appSize = (): VideoSize => {
    if (!shown) throw new Error("the app's video size was not measured before its baseline");
    return shown;
  };
  const hangUp = async ([alice, bob]: User[]) => {
    await alice!.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob!.page, 'ended');
  };
  const audioCall: Arrangement = {
    arrange: ([alice, bob]) => establishCall(alice!, bob!, 'Bob'),
    async end(users) {
      // The figure is the quiet room's: Auto must have kept the browser's suppression through the window.
      const suppressions = await Promise.all(users.map((u) => openMicrophones(u.page)));
      if (suppressions.flat().some((on) => !on)) throw new Error(`Auto noise suppression turned RNNoise on in the quiet room: ${JSON.stringify(suppressions)}`);
      await hangUp(users);
    },
  };
  const audioCallStrong: Arrangement = {
    async arrange([alice, bob]) {
      for (const u of [alice!, bob!]) await chooseNoiseSuppression(u.page, 'strong');
      await establishCall(alice!, bob!, 'Bob');
    },
    end: hangUp,
  };
  const videoCall: Arrangement = {
    async arrange([alice, bob]) {
      await alice!.page.getByRole('button', { name: 'Contacts' }).click();
      await alice!.page.getByRole('button', { name: 'Video call Bob', exact: true }).click();
      await waitState(bob!.page, 'incoming');
      // Both cameras on: the call the issue measures is video both ways.
      await bob!.page.getByRole('button', { name: 'Answer with video', exact: true }).click();
      await waitState(alice!.page, 'active');
      await expectVideoFlowing([alice!.page, bob!.page], 'camera');
      await measureShown(alice!.page);
      if (fullSizeVideo) await sentAtFullSize([alice!.page, bob!.page]);
    },
    end: hangUp,
  };
  const videoRoom: Arrangement = {
    async arrange(users) {
      for (const u of users) await joinRoom(u, 'bench');
      // Side by side: each click waits for its button to hold still, and every camera turned on slows the next page's frames.
      await eachOf(users, (u) => u.page.getByRole('button', { name: 'Turn camera on' }).click());
      // Every page decodes the three others' cameras (a full mesh: a connection each).
      await eachOf(users, (u) => expect.poll(async () => (await slotStats(u.page, 'camera')).length, { timeout: 60_000 }).toBe(users.length - 1));
      await expectVideoFlowing(users.map((u) => u.page), 'camera');
      await measureShown(users[0]!.page);
    },
    async end(users) {
      for (const u of users) await leave(u);
    },
  };
  // Both audio calls weigh the app against the same bare call, measured again in each one's slot.
  const bareAudioCall = () => measureBare(bare.url, wav, 2, (pages) => startBareMesh(pages), options);
  const rnnoise = builtRnnoise();
  // The 1:1 call's baselines, like the app, at full size before their window opens (sent-video.ts).
  const bareVideoCall = async (pages: Page[]) => {
    await startBareMesh(pages, { video: true, size: appSize() });
    if (fullSizeVideo) await sentAtFullSize(pages);
  };
  const plan: { situation: Situation; app: (situation: Situation) => Promise<Reading>; baseline: () => Promise<Reading>; floor?: () => Promise<Reading> }[] = [
    {
      situation: 'idle',
      app: (situation) => measureApp(world, wav, ['alice'], NOTHING, options, situation),
      baseline: () => measureBare(bare.url, wav, 1, () => Promise.resolve(), options),
    },
    {
      situation: 'audioCall',
      app: (situation) => measureApp(world, wav, ['alice', 'bob'], audioCall, options, situation),
      baseline: bareAudioCall,
    },
    {
      situation: 'audioCallStrong',
      app: (situation) => measureApp(world, wav, ['alice', 'bob'], audioCallStrong, options, situation),
      baseline: bareAudioCall,
      floor: () => measureBare(bare.url, wav, 2, (pages) => startBareMesh(pages, { rnnoise }), options),
    },
    {
      situation: 'videoCall',
      app: (situation) => measureApp(world, wav, ['alice', 'bob'], videoCall, options, situation),
      baseline: () => measureBare(bare.url, wav, 2, (pages) => bareVideoCall(pages), options, true),
    },
    {
      situation: 'videoRoom4',
      app: (situation) => measureApp(world, wav, names, videoRoom, options, situation),
      baseline: () => measureBare(bare.url, wav, 4, (pages) => startBareMesh(pages, { video: true, size: appSize() }), options, true),
    },
  ];
  const situations: ClientBenchResult['situations'] = {};
  try {
    for (const { situation, app, baseline, floor } of plan.filter((p) => options.only.length === 0 || options.only.includes(p.situation))) {
      progress(`[bench:client] ${situation}: the app…`);
      const a = await app(situation);
      progress(`[bench:client] ${situation}: the app ${a.cpuPercent} % of a core, ${a.memoryMB} MB; the baseline…`);
      const b = await baseline();
      progress(`[bench:client] ${situation}: the baseline ${b.cpuPercent} % of a core, ${b.memoryMB} MB`);
      const ratio = (x: Reading) => round(x.cpuPercent / Math.max(b.cpuPercent, 0.01));
      situations[situation] = { app: a, baseline: b, ratio: ratio(a), memoryAboveBaselineMB: round(a.memoryMB - b.memoryMB, 1), ...(situation.startsWith('video') && shown && { videoShown: shown }) };
      if (floor) {
        const f = await floor();
        progress(`[bench:client] ${situation}: the baseline with RNNoise ${f.cpuPercent} % of a core`);
        Object.assign(situations[situation], { floor: f, floorRatio: ratio(f) });
      }
    }
  } finally {
    await bare.close();
    await world.close();
  }
  return {
    bench: 'client',
    date: new Date().toISOString(),
    commit,
    command: 'npm run bench:client',
    environment: { chromium: world.browser.version(), node: process.version, cpus: os.cpus().length, loadAverage: { start: loadStart, end: os.loadavg() } },
    options,
    targets: CLIENT_TARGETS,
    situations,
  };
}

export function writeClientResult(result: ClientBenchResult, file = CLIENT_RESULT_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

export function formatClientTable(r: ClientBenchResult): string {
  const rows = Object.entries(r.situations).map(([name, s]) =>
    [
      name,
      `${s.app.cpuPercent} %`,
      `${s.app.memoryMB} MB (+${s.memoryAboveBaselineMB})`,
      `${s.baseline.cpuPercent} %`,
      `${s.baseline.memoryMB} MB`,
      `${s.ratio}×`,
      s.floor ? `${s.floor.cpuPercent} % (${s.floorRatio}×)` : '',
    ].join(' | '),
  );
  const load = r.environment.loadAverage;
  return [
    `situation | app CPU (one core) | app memory (above baseline) | baseline CPU | baseline memory | CPU ratio | baseline with RNNoise (ratio)`,
    ...rows,
    `load average ${load.start.map((x) => x.toFixed(2)).join(' ')} → ${load.end.map((x) => x.toFixed(2)).join(' ')}; ${r.options.seconds} s windows`,
  ].join('\n');
}
