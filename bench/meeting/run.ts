/**
 * `npm run bench:meeting`: what a meeting costs the person in it, on the
 * mesh against the SFU (issue 20). Two servers of today's code, started by
 * the e2e harness: one without Janus (rooms are a mesh, up to six) and one
 * with a real Janus and PARLEY_SFU_FROM=2 (every room on the SFU). For each
 * room size, one person's browser CPU, memory and upload, the others being
 * werift participants (rooms.ts); then
 * the mouth-to-ear delay of a room of two, direct against through Janus
 * (delay.ts, onsets.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, register, type Device } from '../../signaling-server/test/harness.js';
import { startJanus } from '../../signaling-server/test/janus.js';
import { opusTone } from '../../signaling-server/test/opus-tone.js';
import { launchChromium, registerUser, ROOT, startWorld, writeToneWav, type World } from '../../tests/e2e/harness.js';
import { gitCommit } from '../commit.mjs';
import { measureDelay } from './delay.js';
import { writeBeepWav } from './onsets.js';
import { measureRoom, meshCrowd, sfuCrowd, type Crowd, type MediaPath, type RoomReading } from './rooms.js';

export interface MeetingBenchOptions {
  /** Room sizes; the mesh is measured up to its limit (six), the SFU at every size. */
  sizes: number[];
  /** Each reading's window. */
  seconds: number;
  /** Time for a room to settle before its window. */
  settleSeconds: number;
}

export const DEFAULT_MEETING_OPTIONS: MeetingBenchOptions = { sizes: [4, 6, 10], seconds: 60, settleSeconds: 10 };
export const MEETING_RESULT_FILE = path.join(ROOT, 'bench/results/meeting.json');
const MESH_LIMIT = 6;

export interface DelayFigures {
  p50: number;
  p95: number;
  beeps: number;
}

export interface MeetingBenchResult {
  bench: 'meeting';
  date: string;
  commit: string;
  command: string;
  environment: { chromium: string; node: string; cpus: number; loadAverage: { start: number[]; end: number[] } };
  options: MeetingBenchOptions;
  rooms: RoomReading[];
  /** Mouth to ear (less the sound cards), ms, a room of two. */
  delayMs: { direct: DelayFigures; throughJanus: DelayFigures; addedP50: number };
}

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const figures = (d: number[]): DelayFigures => ({ p50: round(percentile(d, 50)), p95: round(percentile(d, 95)), beeps: d.length });

export async function runMeetingBench(options: MeetingBenchOptions, progress: (line: string) => void): Promise<MeetingBenchResult> {
  const loadStart = os.loadavg();
  const commit = gitCommit();
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-meeting-'));
  const most = Math.max(...options.sizes);
  const others = Array.from({ length: most - 1 }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
  const janus = await startJanus();
  const worlds: World[] = [];
  try {
    const mesh = await startWorld();
    worlds.push(mesh);
    const sfu = await startWorld({ sfu: { sfu: { janusUrls: [janus.url], adminKey: janus.adminKey }, sfuFrom: 2 } });
    worlds.push(sfu);
    const tone = path.join(dir, 'tone.wav');
    writeToneWav(tone);
    const beeps = path.join(dir, 'beeps.wav');
    writeBeepWav(beeps);
    const devices = async (world: World, names: string[]) => {
      const out: Device[] = [];
      for (const n of names) out.push(await connect(world, await register(world, n), {}, []));
      return out;
    };
    for (const w of [mesh, sfu]) for (const n of ['alice', 'bob']) await registerUser(w, n);
    const opus = opusTone(dir, 440);
    const crowds: Record<MediaPath, Crowd> = {
      mesh: meshCrowd(await devices(mesh, others.slice(0, Math.min(most, MESH_LIMIT) - 1)), opus),
      sfu: sfuCrowd(await devices(sfu, others), opus),
    };
    const rooms: RoomReading[] = [];
    for (const people of options.sizes)
      for (const p of ['mesh', 'sfu'] as const) {
        if (p === 'mesh' && people > MESH_LIMIT) continue;
        progress(`[bench:meeting] a room of ${people} on the ${p}…`);
        const r = await measureRoom(p === 'mesh' ? mesh : sfu, tone, crowds[p], p, people, options);
        progress(`[bench:meeting]   ${r.cpuPercent} % of a core, ${r.memoryMB} MB; upload ${r.uploadKbps} kbit/s (${r.wireUploadKbps} on the wire), ${r.connections} connections`);
        rooms.push(r);
      }

    progress('[bench:meeting] mouth-to-ear delay, a room of two, direct and through Janus…');
    const beepBrowser = await launchChromium(beeps);
    let direct: number[];
    let through: number[];
    try {
      direct = await measureDelay(mesh, beepBrowser, 'delay', options);
      through = await measureDelay(sfu, beepBrowser, 'delay', options);
    } finally {
      await beepBrowser.close();
    }
    const delayMs = { direct: figures(direct), throughJanus: figures(through), addedP50: round(percentile(through, 50) - percentile(direct, 50)) };
    progress(`[bench:meeting]   direct p50 ${delayMs.direct.p50} ms, through Janus p50 ${delayMs.throughJanus.p50} ms`);
    return {
      bench: 'meeting',
      date: new Date().toISOString(),
      commit,
      command: 'npm run bench:meeting',
      environment: { chromium: mesh.browser.version(), node: process.version, cpus: os.cpus().length, loadAverage: { start: loadStart, end: os.loadavg() } },
      options,
      rooms,
      delayMs,
    };
  } finally {
    for (const w of worlds) await w.close();
    await janus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function writeMeetingResult(result: MeetingBenchResult, file = MEETING_RESULT_FILE): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

export function formatMeetingTable(r: MeetingBenchResult): string {
  const rows = r.rooms.map((x) => `${x.people} | ${x.path} | ${x.cpuPercent} % | ${x.memoryMB} MB | ${x.uploadKbps} kbit/s | ${x.wireUploadKbps} kbit/s | ${x.connections}`);
  const d = r.delayMs;
  const load = r.environment.loadAverage;
  return [
    'people | path | CPU (one core) | memory | upload, audio payload | upload, on the wire | connections',
    ...rows,
    `mouth to ear, room of two: direct p50 ${d.direct.p50} ms (p95 ${d.direct.p95}), through Janus p50 ${d.throughJanus.p50} ms (p95 ${d.throughJanus.p95}); Janus adds ${d.addedP50} ms`,
    `load average ${load.start.map((x) => x.toFixed(2)).join(' ')} → ${load.end.map((x) => x.toFixed(2)).join(' ')}; ${r.options.seconds} s windows`,
  ].join('\n');
}
