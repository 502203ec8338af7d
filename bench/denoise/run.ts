/**
 * `npm run bench:denoise`: what noise suppression does to the noise the peer
 * hears, and what it costs. Alice's fake microphone is a voice in a noisy
 * room (noisy-speech.ts); she calls Bob with noise suppression at each
 * level in turn (set in Settings, as a person does), and Bob's received
 * level is read in 250 ms windows (measure.ts): its noise floor and its
 * voice. Alice runs in a browser of her own, whose CPU time (every process
 * under it, read from /proc as bench/client does) over the same window is
 * what her side of the call costs: Strong's cost is its CPU above Off's.
 * Off is the baseline: the microphone as it is. Auto is read once it has
 * turned RNNoise on (the room is noisy), which the reading says it did, and when.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT, launchChromium, registerUser, startWorld, user, type User } from '../../tests/e2e/harness.js';
import { openMicrophones } from '../../tests/e2e/page-probes.js';
import { establishCall, waitState } from '../../tests/e2e/steps.js';
import { HOLD_MS, WINDOW_MS } from '../../src/renderer/src/call/media/noise-floor.js';
import type { NoiseSuppression } from '../../src/shared/preferences.js';
import { gitCommit } from '../commit.mjs';
import { cpuBetween, findBrowser, treeCpu } from '../client/processes.js';
import { chooseNoiseSuppression, floorAndVoice, receivedLevels } from './measure.js';
import { LOOP_SECONDS, NOISE_RMS_DB, rmsDb, writeNoisySpeechWav } from './noisy-speech.js';

export interface DenoiseBenchOptions {
  /** The window each level is read over (several loops of the file). */
  seconds: number;
  /** Time for a call to settle (the automatic gain to find its level) before the window. */
  settleSeconds: number;
  levels: NoiseSuppression[];
  /** With Off and Strong among the levels, a call more on each with Alice muted: what the suppressor costs while it rests. */
  muted: boolean;
}

export const DEFAULT_DENOISE_OPTIONS: DenoiseBenchOptions = { seconds: 60, settleSeconds: 5, levels: ['off', 'browser', 'auto', 'strong'], muted: true };
/** How long Auto may take to hear the noisy room: its window and hold (noise-floor.ts), with room to spare. */
const AUTO_SWITCH_TIMEOUT_MS = WINDOW_MS + HOLD_MS + 8000;
export const DENOISE_RESULT_FILE = path.join(ROOT, 'bench/results/denoise.json');

export interface LevelReading {
  /** Bob's received noise floor, dB (0 = full scale). */
  floorDb: number;
  /** Bob's received voice, dB. */
  voiceDb: number;
  windows: number;
  /** Alice's browser, every process, in percent of one core. */
  cpuPercent: number;
  /** The same by kind of process: the page's renderer (where the worklet runs), the audio service, the rest. */
  cpuByProcess: Record<ProcessKind, number>;
  /** The notice that strong suppression could not run was shown. */
  fellBack: boolean;
  /** Auto: seconds from the call's start to its switch to RNNoise (the window is read after it). */
  autoSwitchedAfterS?: number;
}

export interface DenoiseBenchResult {
  bench: 'denoise';
  date: string;
  commit: string;
  command: string;
  environment: { chromium: string; node: string; cpus: number; loadAverage: { start: number[]; end: number[] } };
  options: DenoiseBenchOptions;
  /** The fake microphone: its loop, how long the voice talks in it, the levels sox measures in the file. */
  input: { loopSeconds: number; speechSeconds: number; noiseRmsDb: number; voiceRmsDb: number };
  levels: Partial<Record<NoiseSuppression, LevelReading>>;
  /** Off and Strong with Alice muted for the whole window (Bob's levels are then silence). */
  muted: Partial<Record<'off' | 'strong', LevelReading>>;
  /** Off's floor minus Strong's, dB: how much quieter the noise is with Strong. */
  floorDropDb: number | null;
  /** Strong's CPU minus Off's, percent of one core. */
  strongCpuCostPercent: number | null;
  /** Strong's CPU minus Off's, both muted: the suppressor at rest. */
  strongMutedCpuCostPercent: number | null;
}

type ProcessKind = 'renderer' | 'audio' | 'other';

/** What a browser process is, from its command line. */
function kindOf(pid: number): ProcessKind {
  try {
    // Chromium rewrites its command line as one string (setproctitle): match in it.
    const line = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (/(^|[\s\0])--type=renderer([\s\0]|$)/.test(line)) return 'renderer';
    if (/--utility-sub-type=audio\./.test(line)) return 'audio';
  } catch {
    // exited meanwhile
  }
  return 'other';
}

/** CPU seconds between two readings of a tree, by kind of process. */
function cpuByKind(before: Map<number, number>, after: Map<number, number>): Record<ProcessKind, number> {
  const out: Record<ProcessKind, number> = { renderer: 0, audio: 0, other: 0 };
  for (const [pid, s] of after) out[kindOf(pid)] += s - (before.get(pid) ?? 0);
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function measureLevel(url: string, wav: string, bob: User, level: NoiseSuppression, options: DenoiseBenchOptions, muted = false): Promise<LevelReading> {
  const marker = `--parley-bench-denoise=${randomUUID()}`;
  const browser = await launchChromium(wav, { args: [marker] });
  try {
    const root = findBrowser(marker);
    const alice = await user({ url, browser }, 'alice');
    await chooseNoiseSuppression(alice.page, level);
    await establishCall(alice, bob, 'Bob');
    const answered = performance.now();
    // Auto opens with the browser's suppression; the one microphone open is raw once RNNoise runs.
    const switched = level === 'auto' ? await autoSwitch(alice.page, answered) : undefined;
    if (muted) await alice.page.getByRole('button', { name: 'Mute', exact: true }).click();
    await sleep(options.settleSeconds * 1000);
    const before = treeCpu(root);
    const started = performance.now();
    const levels = await receivedLevels(bob.page, options.seconds);
    const after = treeCpu(root);
    const cpu = cpuBetween(before, after);
    const elapsedS = (performance.now() - started) / 1000;
    const percent = (seconds: number) => round((100 * seconds) / elapsedS, 2);
    const byKind = cpuByKind(before, after);
    const fellBack = await alice.page.getByText('Strong noise suppression cannot run here').isVisible();
    await alice.page.getByRole('button', { name: 'Hang up' }).click();
    await waitState(bob.page, 'ended');
    await bob.page.getByRole('button', { name: 'Close' }).click({ timeout: 2000 }).catch(() => undefined);
    const { floorDb, voiceDb } = floorAndVoice(levels);
    return {
      floorDb: round(floorDb),
      voiceDb: round(voiceDb),
      windows: levels.length,
      cpuPercent: percent(cpu),
      cpuByProcess: { renderer: percent(byKind.renderer), audio: percent(byKind.audio), other: percent(byKind.other) },
      fellBack,
      ...(switched !== undefined && { autoSwitchedAfterS: switched }),
    };
  } finally {
    await browser.close();
  }
}

/** Seconds from `since` until Auto has turned RNNoise on; throws if it never does in the noisy room. */
async function autoSwitch(page: Page, since: number): Promise<number> {
  await expect.poll(() => openMicrophones(page), { timeout: AUTO_SWITCH_TIMEOUT_MS, interval: 250, message: 'Auto turning RNNoise on in the noisy room' }).toEqual([false]);
  return round((performance.now() - since) / 1000);
}

export async function runDenoiseBench(options: DenoiseBenchOptions, progress: (line: string) => void): Promise<DenoiseBenchResult> {
  const loadStart = os.loadavg();
  const commit = gitCommit();
  const world = await startWorld();
  try {
    const { file: wav, speechSeconds } = writeNoisySpeechWav(world.dataDir);
    const input = { loopSeconds: LOOP_SECONDS, speechSeconds: round(speechSeconds, 2), noiseRmsDb: rmsDb(wav, speechSeconds + 0.3, LOOP_SECONDS), voiceRmsDb: rmsDb(wav, 0, speechSeconds) };
    progress(`the microphone: a voice at ${input.voiceRmsDb} dBFS RMS for ${input.speechSeconds} s of every ${LOOP_SECONDS} s, in noise at ${input.noiseRmsDb} dBFS (made at ${NOISE_RMS_DB})`);
    for (const name of ['alice', 'bob']) await registerUser(world, name);
    const bob = await user(world, 'bob');
    const levels: DenoiseBenchResult['levels'] = {};
    for (const level of options.levels) {
      progress(`${level}: a call, ${level === 'auto' ? 'its switch to RNNoise and ' : ''}${options.settleSeconds} s to settle, then ${options.seconds} s read…`);
      const reading = await measureLevel(world.url, wav, bob, level, options);
      levels[level] = reading;
      const { renderer, audio, other } = reading.cpuByProcess;
      progress(
        `${level}: floor ${reading.floorDb} dB, voice ${reading.voiceDb} dB, Alice's browser ${reading.cpuPercent} % of a core ` +
          `(renderer ${renderer}, audio service ${audio}, rest ${other})${reading.fellBack ? ', fell back to the browser suppression' : ''}` +
          (reading.autoSwitchedAfterS === undefined ? '' : `, RNNoise on ${reading.autoSwitchedAfterS} s into the call`),
      );
    }
    const muted: DenoiseBenchResult['muted'] = {};
    const both = options.muted && options.levels.includes('off') && options.levels.includes('strong');
    for (const level of both ? (['off', 'strong'] as const) : []) {
      progress(`${level}, muted: a call, ${options.settleSeconds} s to settle, then ${options.seconds} s read…`);
      const reading = await measureLevel(world.url, wav, bob, level, options, true);
      muted[level] = reading;
      progress(`${level}, muted: Alice's browser ${reading.cpuPercent} % of a core (renderer ${reading.cpuByProcess.renderer})`);
    }
    const { off, strong } = levels;
    return {
      bench: 'denoise',
      date: new Date().toISOString(),
      commit,
      command: 'npm run bench:denoise',
      environment: { chromium: world.browser.version(), node: process.version, cpus: os.cpus().length, loadAverage: { start: loadStart.map((x) => round(x, 2)), end: os.loadavg().map((x) => round(x, 2)) } },
      options,
      input,
      levels,
      muted,
      floorDropDb: off && strong ? round(off.floorDb - strong.floorDb) : null,
      strongCpuCostPercent: off && strong ? round(strong.cpuPercent - off.cpuPercent, 2) : null,
      strongMutedCpuCostPercent: muted.off && muted.strong ? round(muted.strong.cpuPercent - muted.off.cpuPercent, 2) : null,
    };
  } finally {
    await world.close();
  }
}

export function writeDenoiseResult(result: DenoiseBenchResult, file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

export function formatDenoiseTable(result: DenoiseBenchResult): string {
  const rows = Object.entries(result.levels).map(
    ([level, r]) =>
      `${level} | ${r.floorDb} dB | ${r.voiceDb} dB | ${round(r.voiceDb - r.floorDb)} dB | ${r.cpuPercent} %${r.fellBack ? ' (fell back)' : ''}` +
      (r.autoSwitchedAfterS === undefined ? '' : ` (RNNoise from ${r.autoSwitchedAfterS} s)`),
  );
  return [
    'level | noise floor Bob receives | voice | voice above floor | Alice\'s browser CPU (one core)',
    ...rows,
    ...Object.entries(result.muted).map(([level, r]) => `${level}, muted | (silence) | | | ${r.cpuPercent} %`),
    `Strong: the floor ${result.floorDropDb ?? '?'} dB lower than Off, for ${result.strongCpuCostPercent ?? '?'} % of a core more` +
      (result.strongMutedCpuCostPercent === null ? '' : `; muted, ${result.strongMutedCpuCostPercent} % more than Off muted`),
  ].join('\n');
}
