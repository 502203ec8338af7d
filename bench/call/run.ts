/**
 * `npm run bench:call`: real calls between two users of the web build in
 * Debian's Chromium, through the browser end-to-end harness (a real server,
 * fake microphones playing a tone), timed inside the pages (probe.ts), next
 * to bare baselines measured in the same browser in the same run
 * (baseline.ts). Returns the figures; main.ts writes and prints them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT, closeEnded, liveTracks, registerUser, startWorld, user, type User } from '../../tests/e2e/harness.js';
import { poll, waitState } from '../../tests/e2e/steps.js';
import { gitCommit } from '../commit.mjs';
import { personClick } from './click.js';
import { answerBarePairAhead, armProbe, openBarePages, prepareBarePairAhead, resetProbe, startBareServer, startBarePair, stopBarePair, type BarePages } from './baseline.js';
import { startRecording, type RecordingDirs } from './recording.js';
import { PROBE_SETTINGS, callProbe } from './probe.js';
import { clickAt, must, peerTimes, printTimeline, readProbe, waitAudible, waitRung } from './readings.js';

export interface CallBenchOptions {
  /** Measured calls (and as many of each baseline). */
  runs: number;
  /** Calls made first and not counted: the first call of a fresh browser warms its audio service. */
  warmup: number;
  /** First calls of freshly loaded pages (both pages reloaded before each), a figure of their own. */
  firstCalls: number;
  /** How long the call rings before Answer is clicked, as a person takes a moment to answer. */
  ringMs: number;
  /** Print what each side's peer connection did, in ms from the Answer click. */
  trace: boolean;
  /** Where to write a V8 CPU profile (100 µs) of both pages from the Answer click to audio both ways, for each measured call (`call-<n>-<user>.cpuprofile`) and first call (`first-<n>-<user>.cpuprofile`). */
  profileDir?: string;
  /** Where to write a Chromium trace of the whole browser over the same window (`call-<n>.json`, `first-<n>.json`). */
  chromeTraceDir?: string;
  /** Which window the profiles and traces cover: the answer (Answer click to audio both ways) or the ring (Call click to the ring painted, and 100 ms after). */
  record?: 'answer' | 'ring';
}

export const DEFAULT_OPTIONS: CallBenchOptions = { runs: 20, warmup: 1, firstCalls: 5, ringMs: 1000, trace: false };
export const RESULT_FILE = path.join(ROOT, 'bench/results/call.json');

/**
 * Targets on loopback: issue 6's in ms; issue 35's as p95 ratios to the baseline's p95 in the same run
 * (dial → ring to the bare relay; answer → audio both ways, first call and later ones alike, to the bare pair's,
 * by both clocks: the sound as played, answerToHeardMs, and the getStats() level, answerToAudioMs).
 */
export const TARGETS = { dialToRingMsP95: 100, answerToAudioMsP95: 250, dialToRingRatioP95: 2, answerToAudioRatioP95: 1 } as const;

export interface Percentiles {
  p50: number;
  p95: number;
}

/** One Parley call, ms from the click. */
export interface CallSample {
  dialToRingMs: number;
  answerToConnectedMs: { caller: number; callee: number };
  answerToFirstPlayedMs: { caller: number; callee: number };
  answerToHeardMs: { caller: number; callee: number };
  answerToAudioMs: { caller: number; callee: number };
  /** Click Answer → on both sides, the first audible sample rendered by the audio thread (the later). */
  answerToSoundedMs: { caller: number; callee: number };
}

/** The audio of a bare pair, ms from its start (or its answer), the later of its two ends. */
export interface PairAudio {
  firstPlayedMs: number;
  heardMs: number;
  audioMs: number;
  soundedMs: number;
}

/** One run of each baseline. */
export interface BaselineSample extends PairAudio {
  ringMs: number;
  getUserMediaMs: number;
  connectedMs: number;
  /** The pair connected ahead, from its answer (baseline.ts). */
  ahead: PairAudio;
}

export interface CallBenchResult {
  bench: 'call';
  date: string;
  commit: string;
  command: string;
  environment: { chromium: string; node: string; cpus: number; loadAverage: { start: number[]; end: number[] } };
  options: CallBenchOptions;
  probe: typeof PROBE_SETTINGS;
  targets: typeof TARGETS;
  /** Click Call → the callee's call panel shows the incoming call. */
  dialToRingMs: Percentiles;
  /** Click Answer → both peer connections `connected` (the later of the two); 0 when they connected while it rang. */
  answerToConnectedMs: Percentiles;
  /**
   * Click Answer → both sides' getStats() inbound-rtp `audioLevel` above the threshold (the later).
   * Chromium updates that level about every 100 ms and keeps a stats report for 50 ms, so this
   * trails the sound itself: answerToHeardMs is when it is played.
   */
  answerToAudioMs: Percentiles;
  /** Click Answer → on both sides, the first audio packet above the threshold is played (the later). */
  answerToHeardMs: Percentiles;
  /** Click Answer → on both sides, the first audio packet is played (the later). */
  answerToFirstPlayedMs: Percentiles;
  /**
   * Click Answer → on both sides, the first audible sample rendered by the page's audio thread (the
   * later): the sound, read where it plays. The two figures above are read by the main thread, which
   * sees only a source's latest packet: a busy main thread reads them late.
   */
  answerToSoundedMs: Percentiles;
  /** The first call after both pages were loaded afresh: dial → ring and answer → audio, as above. */
  firstCall: { dialToRingMs: Percentiles; answerToAudioMs: Percentiles; answerToHeardMs: Percentiles; answerToSoundedMs: Percentiles };
  baseline: {
    /** Click → the other page shows a call, through a bare Socket.IO relay. */
    ringMs: Percentiles;
    /** One getUserMedia of the fake microphone. */
    getUserMediaMs: Percentiles;
    /** A bare peer connection pair in one page, microphones open: start of negotiation → both connected. */
    connectedMs: Percentiles;
    firstPlayedMs: Percentiles;
    heardMs: Percentiles;
    audioMs: Percentiles;
    soundedMs: Percentiles;
    /** The pair connected ahead, from its answer: what no app connecting while it rings can beat, and the level's lag. */
    ahead: { firstPlayedMs: Percentiles; heardMs: Percentiles; audioMs: Percentiles; soundedMs: Percentiles };
  };
  warmupSamples: CallSample[];
  firstCallSamples: CallSample[];
  samples: CallSample[];
  baselineSamples: BaselineSample[];
}

/** Nearest-rank percentile, in ms rounded to 0.1. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) throw new Error('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const v = sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return Math.round(v * 10) / 10;
}

function percentiles(values: number[]): Percentiles {
  return { p50: percentile(values, 50), p95: percentile(values, 95) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** alice calls bob, bob answers after `ringMs`, both hear each other, alice hangs up. */
async function parleyCall(alice: User, bob: User, ringMs: number, trace?: (line: string) => void, recording?: { dirs: RecordingDirs; label: string; window: 'answer' | 'ring' }): Promise<CallSample> {
  await Promise.all([resetProbe(alice.page), resetProbe(bob.page)]);
  await alice.page.getByRole('button', { name: 'Contacts' }).click();
  const record = () => recording && startRecording([alice, bob], recording.dirs, recording.label);
  const stopRinging = recording?.window === 'ring' ? await record() : undefined;
  await personClick(alice.page.getByRole('button', { name: 'Call Bob', exact: true }));
  await waitRung(bob.page);
  if (stopRinging) {
    await sleep(100);
    await stopRinging();
  }
  await sleep(ringMs);
  const stopRecording = recording?.window === 'answer' ? await record() : undefined;
  await Promise.all([armProbe(alice.page), armProbe(bob.page)]);
  // As a person clicks (click.ts): Playwright's own click delayed the handler by 6 to 12 ms here.
  await personClick(bob.page.getByRole('button', { name: 'Answer', exact: true }));
  await Promise.all([waitAudible(alice.page), waitAudible(bob.page)]);
  await stopRecording?.();
  const [a, b] = await Promise.all([readProbe(alice.page), readProbe(bob.page)]);

  await alice.page.getByRole('button', { name: 'Hang up' }).click();
  await Promise.all([waitState(alice.page, 'ended'), waitState(bob.page, 'ended')]);
  await closeEnded(alice, bob);
  // Each call must give its microphones back, or the next one measures a leak.
  await expect.poll(() => liveTracks(alice.page), poll).toBe(0);
  await expect.poll(() => liveTracks(bob.page), poll).toBe(0);

  const dialed = clickAt(a, 'Call Bob');
  const rang = must(b.states.find((s) => s.state === 'incoming')?.painted, 'incoming call painted');
  const answered = clickAt(b, 'Answer');
  if (trace) printTimeline([['alice', a], ['bob', b]], answered, [], trace);
  const caller = peerTimes(a.pcs.at(-1), answered, 'caller');
  const callee = peerTimes(b.pcs.at(-1), answered, 'callee');
  return {
    dialToRingMs: rang - dialed,
    answerToConnectedMs: { caller: caller.connected, callee: callee.connected },
    answerToFirstPlayedMs: { caller: caller.firstPlayed, callee: callee.firstPlayed },
    answerToHeardMs: { caller: caller.heard, callee: callee.heard },
    answerToAudioMs: { caller: caller.audible, callee: callee.audible },
    answerToSoundedMs: { caller: caller.sounded, callee: callee.sounded },
  };
}

/** Both pages loaded afresh (the probe comes back with the page), ready when each sees the other online. */
async function reloadPair(alice: User, bob: User): Promise<void> {
  await Promise.all([alice.page.reload(), bob.page.reload()]);
  for (const [u, peer] of [[alice, 'bob'], [bob, 'alice']] as const) {
    await u.page.getByRole('button', { name: 'Contacts' }).click();
    await expect.poll(() => u.page.locator(`li[data-username="${peer}"] .status`).textContent(), poll).toBe('Available');
    // Playwright compiles its script into a page's own world at the page's first waitForFunction (50 to 150 ms
    // of its main thread, traced): done here, not by waitAudible inside the answer it measures.
    await u.page.waitForFunction(() => true);
  }
}

async function baselineRun(bare: BarePages, ringMs: number, trace?: (line: string) => void): Promise<BaselineSample> {
  await Promise.all([resetProbe(bare.caller), resetProbe(bare.callee)]);
  await personClick(bare.caller.getByRole('button', { name: 'Call' }));
  await waitRung(bare.callee);
  const [a, b] = await Promise.all([readProbe(bare.caller), readProbe(bare.callee)]);
  const ring = must(b.states.find((s) => s.state === 'incoming')?.painted, 'bare incoming painted') - clickAt(a, 'Call');
  await bare.callee.evaluate(() => document.getElementById('call')?.replaceChildren());

  await resetProbe(bare.caller);
  await armProbe(bare.caller);
  const { getUserMediaMs, start } = await startBarePair(bare.caller);
  await waitAudible(bare.caller, 2);
  const record = await readProbe(bare.caller);
  if (trace) printTimeline([['bare', record]], start, [[start, 'bare pair starts']], trace);
  const pair = record.pcs.slice(-2).map((pc, i) => peerTimes(pc, start, `bare peer ${i + 1}`));
  await stopBarePair(bare.caller);
  const later = (key: keyof (typeof pair)[number]) => Math.max(...pair.map((p) => p[key]));
  const ahead = await aheadRun(bare.caller, ringMs, trace);
  return { ringMs: ring, getUserMediaMs, connectedMs: later('connected'), firstPlayedMs: later('firstPlayed'), heardMs: later('heard'), audioMs: later('audible'), soundedMs: later('sounded'), ahead };
}

/** The bare pair connected ahead: connected, left to "ring" as Parley's calls do, then answered. */
async function aheadRun(page: Page, ringMs: number, trace?: (line: string) => void): Promise<PairAudio> {
  await resetProbe(page);
  await prepareBarePairAhead(page);
  await sleep(ringMs);
  const start = await answerBarePairAhead(page);
  await waitAudible(page, 2);
  const record = await readProbe(page);
  if (trace) printTimeline([['bare ahead', record]], start, [[start, 'bare pair ahead answers']], trace);
  const pair = record.pcs.slice(-2).map((pc, i) => peerTimes(pc, start, `bare peer ahead ${i + 1}`));
  await stopBarePair(page);
  const later = (key: keyof (typeof pair)[number]) => Math.max(...pair.map((p) => p[key]));
  return { firstPlayedMs: later('firstPlayed'), heardMs: later('heard'), audioMs: later('audible'), soundedMs: later('sounded') };
}


function sampleLine(s: CallSample, b: BaselineSample): string {
  const later = (x: { caller: number; callee: number }) => Math.max(x.caller, x.callee).toFixed(1);
  return (
    `dial→ring ${s.dialToRingMs.toFixed(1)} ms, answer→connected ${later(s.answerToConnectedMs)} ms, ` +
    `answer→audio ${later(s.answerToAudioMs)} ms (bare: ring ${b.ringMs.toFixed(1)}, audio ${b.audioMs.toFixed(1)})`
  );
}

export async function runCallBench(options: CallBenchOptions, log: (line: string) => void = () => undefined): Promise<CallBenchResult> {
  const loadStart = os.loadavg();
  const world = await startWorld();
  const bareServer = await startBareServer();
  let bare: BarePages | undefined;
  try {
    for (const name of ['alice', 'bob']) await registerUser(world, name);
    // bypassCSP: the probe loads its AudioWorklet from a blob, which the app's policy refuses.
    const alice = await user(world, 'alice', { init: callProbe, bypassCSP: true });
    const bob = await user(world, 'bob', { init: callProbe, bypassCSP: true });
    bare = await openBarePages(world.browser, bareServer.url);

    const warmupSamples: CallSample[] = [];
    const samples: CallSample[] = [];
    const baselineSamples: BaselineSample[] = [];
    for (let i = 0; i < options.warmup; i++) {
      warmupSamples.push(await parleyCall(alice, bob, options.ringMs));
      await baselineRun(bare, options.ringMs);
    }
    // Interleaved, so both see the same machine.
    const firstCallSamples: CallSample[] = [];
    for (let i = 0; i < options.firstCalls; i++) {
      await reloadPair(alice, bob);
      const s = await parleyCall(alice, bob, options.ringMs, options.trace ? log : undefined, { dirs: options, label: `first-${i + 1}`, window: options.record ?? 'answer' });
      firstCallSamples.push(s);
      const b = await baselineRun(bare, options.ringMs, options.trace ? log : undefined);
      baselineSamples.push(b);
      log(`first call ${i + 1}/${options.firstCalls}: ${sampleLine(s, b)}`);
    }
    for (let i = 0; i < options.runs; i++) {
      const s = await parleyCall(alice, bob, options.ringMs, options.trace ? log : undefined, { dirs: options, label: `call-${i + 1}`, window: options.record ?? 'answer' });
      samples.push(s);
      const b = await baselineRun(bare, options.ringMs, options.trace ? log : undefined);
      baselineSamples.push(b);
      log(`run ${i + 1}/${options.runs}: ${sampleLine(s, b)}`);
    }
    const later = (pick: (s: CallSample) => { caller: number; callee: number }, of = samples) => of.map((s) => Math.max(pick(s).caller, pick(s).callee));
    const base = (pick: (s: BaselineSample) => number) => percentiles(baselineSamples.map(pick));
    return {
      bench: 'call',
      date: new Date().toISOString(),
      commit: gitCommit(),
      command: 'npm run bench:call',
      environment: { chromium: world.browser.version(), node: process.version, cpus: os.cpus().length, loadAverage: { start: loadStart, end: os.loadavg() } },
      options,
      probe: PROBE_SETTINGS,
      targets: TARGETS,
      dialToRingMs: percentiles(samples.map((s) => s.dialToRingMs)),
      answerToConnectedMs: percentiles(later((s) => s.answerToConnectedMs)),
      answerToAudioMs: percentiles(later((s) => s.answerToAudioMs)),
      answerToHeardMs: percentiles(later((s) => s.answerToHeardMs)),
      answerToFirstPlayedMs: percentiles(later((s) => s.answerToFirstPlayedMs)),
      answerToSoundedMs: percentiles(later((s) => s.answerToSoundedMs)),
      firstCall: {
        dialToRingMs: percentiles(firstCallSamples.map((s) => s.dialToRingMs)),
        answerToAudioMs: percentiles(later((s) => s.answerToAudioMs, firstCallSamples)),
        answerToHeardMs: percentiles(later((s) => s.answerToHeardMs, firstCallSamples)),
        answerToSoundedMs: percentiles(later((s) => s.answerToSoundedMs, firstCallSamples)),
      },
      baseline: {
        ringMs: base((s) => s.ringMs),
        getUserMediaMs: base((s) => s.getUserMediaMs),
        connectedMs: base((s) => s.connectedMs),
        firstPlayedMs: base((s) => s.firstPlayedMs),
        heardMs: base((s) => s.heardMs),
        audioMs: base((s) => s.audioMs),
        soundedMs: base((s) => s.soundedMs),
        ahead: {
          firstPlayedMs: base((s) => s.ahead.firstPlayedMs),
          heardMs: base((s) => s.ahead.heardMs),
          audioMs: base((s) => s.ahead.audioMs),
          soundedMs: base((s) => s.ahead.soundedMs),
        },
      },
      warmupSamples,
      firstCallSamples,
      samples,
      baselineSamples,
    };
  } finally {
    await bare?.close();
    await bareServer.close();
    await world.close();
  }
}

export function writeResult(result: CallBenchResult, file = RESULT_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
