/**
 * `npm run bench:room-restart`: the audio gap of a room across a server
 * crash. Three users of the web build in Debian's Chromium sit in one room
 * on the real parley-server in a child process (tests/e2e/crashable-server.ts);
 * each run kills it with SIGKILL and starts it again on its port and data
 * dir, as a supervisor would, and the room carries on (the same call through
 * every run). Inside each page, every peer connection's audio receiver is
 * read every few milliseconds (getSynchronizationSources: when the newest
 * audio frame was delivered to the track), so a gap is the time between two
 * frames delivered, exact to the frame. A run's gap is the longest of the six
 * directed pairs over a window from a second before the kill until the room
 * is whole on the server again and a second more. The baseline, measured
 * between runs on the same room: the same window with no restart.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { CrashableServer } from '../../tests/e2e/crashable-server.js';
import { expectHearsEveryone, joinRoom } from '../../tests/e2e/rooms.js';
import { ROOT, launchChromium, registerUser, user, writeToneWav, type User } from '../../tests/e2e/harness.js';
import { gitCommit } from '../commit.mjs';
import { percentile } from './run.js';

export interface RoomRestartOptions {
  /** Restarts measured (and as many baseline windows). */
  runs: number;
}

export const DEFAULT_ROOM_OPTIONS: RoomRestartOptions = { runs: 10 };
export const ROOM_RESULT_FILE = path.join(ROOT, 'bench/results/room-restart.json');
/** The bar (16): audio on every pair within 5 s of the server being back. */
export const ROOM_TARGETS = { gapMsWorst: 5000 } as const;
/** How often each page reads its receivers. */
const POLL_MS = 5;
/** The window starts this long before the kill, and ends this long after the room is whole again. */
const MARGIN_MS = 1000;

/** One restart (or one baseline window). */
export interface GapSample {
  /** The longest gap between two audio frames delivered, over the six directed pairs. */
  gapMs: number;
  /** Each page's connections, in the order the page made them: their longest gap and how many frame deliveries were seen. */
  pairs: { user: string; connection: number; gapMs: number; frames: number }[];
  windowMs: number;
}

export interface RestartSample extends GapSample {
  /** SIGKILL → the new process listens. */
  downMs: number;
  /** The new process listens → the last participant's claim is in (its log). */
  restoredMs: number;
}

export interface RoomRestartResult {
  bench: 'room-restart';
  date: string;
  commit: string;
  command: string;
  environment: { chromium: string; node: string; cpus: number; loadAverage: { start: number[]; end: number[] } };
  options: RoomRestartOptions;
  targets: typeof ROOM_TARGETS;
  pollMs: number;
  gapMs: { p50: number; worst: number };
  restoredMs: { p50: number; worst: number };
  baseline: { gapMs: { p50: number; worst: number } };
  samples: RestartSample[];
  baselineSamples: GapSample[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const spread = (values: number[]) => ({ p50: percentile(values, 50), worst: Math.round(Math.max(...values) * 10) / 10 });

/** Starts reading every open peer connection's audio receivers in the page. */
function startGapProbe(page: Page): Promise<void> {
  return page.evaluate((pollMs) => {
    interface Reading { last: number | null; maxGap: number; frames: number }
    const w = window as unknown as { __pcs: RTCPeerConnection[]; __gaps?: () => Reading[] };
    const pcs = w.__pcs.filter((pc) => pc.connectionState !== 'closed');
    const readings: Reading[] = pcs.map(() => ({ last: null, maxGap: 0, frames: 0 }));
    const read = () =>
      pcs.forEach((pc, i) => {
        const r = readings[i]!;
        for (const receiver of pc.getReceivers()) {
          if (receiver.track.kind !== 'audio') continue;
          for (const s of receiver.getSynchronizationSources()) {
            if (r.last !== null && s.timestamp <= r.last) continue;
            if (r.last !== null) r.maxGap = Math.max(r.maxGap, s.timestamp - r.last);
            r.last = s.timestamp;
            r.frames++;
          }
        }
      });
    const timer = setInterval(read, pollMs);
    w.__gaps = () => {
      clearInterval(timer);
      read();
      // Audio that stopped and never came back is a gap up to now.
      const now = performance.timeOrigin + performance.now();
      return readings.map((r) => ({ ...r, maxGap: r.last === null ? Infinity : Math.max(r.maxGap, now - r.last) }));
    };
  }, POLL_MS);
}

async function stopGapProbe(u: User): Promise<GapSample['pairs']> {
  const readings = await u.page.evaluate(() => (window as unknown as { __gaps: () => { maxGap: number; frames: number }[] }).__gaps());
  return readings.map((r, connection) => ({ user: u.name, connection, gapMs: Math.round(r.maxGap * 10) / 10, frames: r.frames }));
}

async function measure(users: User[], during: () => Promise<void>): Promise<GapSample> {
  const start = Date.now();
  await Promise.all(users.map((u) => startGapProbe(u.page)));
  await during();
  const pairs = (await Promise.all(users.map(stopGapProbe))).flat();
  if (pairs.length !== users.length * (users.length - 1)) throw new Error(`expected ${users.length * (users.length - 1)} connections, found ${pairs.length}`);
  return { gapMs: Math.max(...pairs.map((p) => p.gapMs)), pairs, windowMs: Date.now() - start };
}

/** The moment (epoch ms, from the server's log) every participant's claim was in: `claims` restore and rejoin lines. */
async function roomWhole(server: CrashableServer, claims: number, timeoutMs = 30_000): Promise<number> {
  const lines = () => server.child.logs().filter((l) => l.msg === 'call restored from its claims after a restart' || l.msg === 'back in a call restored after a restart');
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
    const found = lines();
    if (found.length >= claims) return found[claims - 1]!.time as number;
  }
  throw new Error(`the room was not whole ${timeoutMs} ms after the restart: ${lines().length} of ${claims} claims`);
}

export async function runRoomRestartBench(options: RoomRestartOptions, log: (line: string) => void = () => undefined): Promise<RoomRestartResult> {
  const loadStart = os.loadavg();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'parley-bench-room-'));
  const wav = path.join(dir, 'tone.wav');
  writeToneWav(wav);
  const server = await CrashableServer.start(path.join(dir, 'data'));
  const browser = await launchChromium(wav);
  try {
    const names = ['alice', 'bob', 'carol'];
    for (const n of names) await registerUser(server, n);
    const users: User[] = [];
    for (const n of names) users.push(await user({ url: server.url, browser }, n));
    for (const u of users) await joinRoom(u, 'bench');
    const title = (n: string) => n[0]!.toUpperCase() + n.slice(1);
    for (const u of users) await expectHearsEveryone(u, names.filter((n) => n !== u.name).map(title));

    const samples: RestartSample[] = [];
    const baselineSamples: GapSample[] = [];
    for (let i = 0; i < options.runs; i++) {
      let timing = { downMs: 0, restoredMs: 0 };
      const sample = await measure(users, async () => {
        await sleep(MARGIN_MS);
        const killed = Date.now();
        await server.kill();
        await server.restart();
        const listening = server.child.logs().find((l) => l.msg === 'parley-server listening')?.time as number;
        // Two claims restore the room, the third comes back into it: one log line each after the first.
        const whole = await roomWhole(server, users.length - 1);
        timing = { downMs: listening - killed, restoredMs: whole - listening };
        await sleep(Math.max(0, whole + MARGIN_MS - Date.now()));
      });
      samples.push({ ...sample, ...timing });
      // The same room, the same length of window, no restart.
      const base = await measure(users, () => sleep(sample.windowMs));
      baselineSamples.push(base);
      log(`run ${i + 1}/${options.runs}: gap ${sample.gapMs.toFixed(1)} ms (baseline ${base.gapMs.toFixed(1)} ms), down ${timing.downMs} ms, room whole ${timing.restoredMs} ms after the server listened`);
    }
    return {
      bench: 'room-restart',
      date: new Date().toISOString(),
      commit: gitCommit(),
      command: 'npm run bench:room-restart',
      environment: { chromium: browser.version(), node: process.version, cpus: os.cpus().length, loadAverage: { start: loadStart, end: os.loadavg() } },
      options,
      targets: ROOM_TARGETS,
      pollMs: POLL_MS,
      gapMs: spread(samples.map((s) => s.gapMs)),
      restoredMs: spread(samples.map((s) => s.restoredMs)),
      baseline: { gapMs: spread(baselineSamples.map((s) => s.gapMs)) },
      samples,
      baselineSamples,
    };
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The figures as a table for the terminal. */
export function formatRoomTable(r: RoomRestartResult): string {
  const ms = (p: { p50: number; worst: number }) => [p.p50.toFixed(1), p.worst.toFixed(1)];
  const rows = [
    ['figure', 'p50 ms', 'worst ms', 'target worst', 'baseline p50', 'baseline worst'],
    ['audio gap, worst pair', ...ms(r.gapMs), `< ${r.targets.gapMsWorst}`, ...ms(r.baseline.gapMs)],
    ['server listening → room whole', ...ms(r.restoredMs), '', '', ''],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const load = r.environment.loadAverage;
  return [
    `Room of three across ${r.options.runs} server restarts (SIGKILL, then started again); Chromium ${r.environment.chromium}, ${r.environment.cpus} CPUs, load ${load.start[0]!.toFixed(2)} → ${load.end[0]!.toFixed(2)}`,
    ...rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')),
  ].join('\n');
}

export function writeRoomResult(result: RoomRestartResult, file = ROOM_RESULT_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}
