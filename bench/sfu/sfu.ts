/**
 * What a meeting on Janus costs (`npm run bench:sfu`): rooms of 4, 6, 10 and
 * 16 werift participants (pure-TypeScript WebRTC, speaking only the Parley
 * protocol, each sending a real 32 kbit/s Opus tone) on a real Janus driven
 * by the real server. For each room: Janus's CPU over a window (from
 * /proc/<pid>/stat), each participant's upload and download on the SFU, and
 * what the same participant would upload in a mesh (one copy per other
 * person, the same stream). Then the delay Janus adds: tagged packets
 * through a room of two against the same packets between two werift peers
 * connected directly, in the same run.
 *
 * Janus forwards, it never decodes: its work is a part per person (their
 * connections, keep-alives, the audio level it reads) and a part per stream
 * it forwards, n × (n − 1) for a room of n. Both parts are fitted to the
 * measured rooms (least squares), and carried to 25 and 50 people. Audio only: the werift participants cannot
 * encode video, and the browser benchmarks (bench/client) measure cameras.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectOk, startTestServer, team, type Device } from '../../signaling-server/test/harness.js';
import { startJanus, type Janus } from '../../signaling-server/test/janus.js';
import { opusTone, type OpusTone } from '../../signaling-server/test/opus-tone.js';
import { joinSfu, type SfuPeer } from '../../signaling-server/test/sfu-peer.js';
import { delayDirect, sleep, until } from '../../signaling-server/test/werift-pair.js';
import { gitCommit } from '../commit.mjs';

export const SFU_RESULT_FILE = 'bench/results/sfu.json';

export interface SfuBenchOptions {
  sizes: number[];
  /** Seconds each room is measured for, once everyone hears everyone. */
  windowS: number;
}

export const DEFAULT_SFU_OPTIONS: SfuBenchOptions = { sizes: [4, 6, 10, 16], windowS: 10 };

export interface RoomFigures {
  people: number;
  /** Streams Janus forwards: n × (n − 1). */
  streams: number;
  /** Janus's CPU over the window, % of one core. */
  janusCpuPercent: number;
  janusCpuPerPersonPercent: number;
  janusCpuPerStreamPercent: number;
  /** Opus payload kbit/s each participant sends (one copy on the SFU) and receives (everyone else's). */
  uploadKbps: number;
  downloadKbps: number;
  /** What each would upload in a mesh: one copy per other person. */
  meshUploadKbps: number;
}

export interface SfuBenchResult {
  commit: string;
  measuredAt: string;
  options: SfuBenchOptions;
  rooms: RoomFigures[];
  /** One-way delay of tagged packets, ms: through Janus (a room of two) and between two peers connected directly. */
  delayMs: { throughJanus: { p50: number; p95: number }; direct: { p50: number; p95: number }; addedP50: number };
  /** Janus's CPU (% of a core) fitted as perPerson × n + perStream × n(n − 1) over the measured rooms. */
  fit: { perPersonPercent: number; perStreamPercent: number };
  /** That fit carried to larger rooms. */
  extrapolated: { people: number; streams: number; janusCpuPercent: number }[];
}

const TICKS_PER_S = 100;
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/** utime + stime of a process, in seconds (Linux clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const everyoneHears = (peers: SfuPeer[], names: string[], packets: number) =>
  peers.every((p, i) => names.every((n, j) => i === j || (p.received.get(n)?.packets ?? 0) > packets));

async function measureRoom(janus: Janus, devices: Device[], names: string[], tone: OpusTone, windowS: number): Promise<RoomFigures> {
  const n = devices.length;
  let callId = '';
  for (const d of devices) callId = expectOk(await d.emit('room:join', { name: `room-${n}` })).callId;
  const peers: SfuPeer[] = [];
  try {
    for (const d of devices) peers.push(await joinSfu(d, callId, { tone }));
    await until(() => everyoneHears(peers, names, 50), 90_000, `a room of ${n}: everyone hears everyone`);
    const bytes = () => peers.map((p) => [...p.received.values()].reduce((sum, r) => sum + r.bytes, 0));
    const cpu0 = cpuSeconds(janus.pid);
    const bytes0 = bytes();
    const t0 = performance.now();
    await sleep(windowS * 1000);
    const seconds = (performance.now() - t0) / 1000;
    const cpu = ((cpuSeconds(janus.pid) - cpu0) / seconds) * 100;
    const received = bytes().map((b, i) => b - (bytes0[i] ?? 0));
    const downloadKbps = (received.reduce((a, b) => a + b, 0) / n / seconds) * 8 / 1000;
    const uploadKbps = downloadKbps / (n - 1);
    const streams = n * (n - 1);
    return {
      people: n,
      streams,
      janusCpuPercent: round(cpu),
      janusCpuPerPersonPercent: round(cpu / n, 3),
      janusCpuPerStreamPercent: round(cpu / streams, 4),
      uploadKbps: round(uploadKbps, 1),
      downloadKbps: round(downloadKbps, 1),
      meshUploadKbps: round(uploadKbps * (n - 1), 1),
    };
  } finally {
    for (const p of peers) p.close();
    for (const d of devices) await d.emit('call:hangup', { callId });
  }
}

/** Delays of tagged packets through a room of two on Janus. */
async function delayThroughJanus(devices: [Device, Device], windowS: number): Promise<number[]> {
  let callId = '';
  for (const d of devices) callId = expectOk(await d.emit('room:join', { name: 'delay' })).callId;
  const peers = [await joinSfu(devices[0], callId), await joinSfu(devices[1], callId)];
  const names = devices.map((d) => d.ready.user.username);
  try {
    await until(() => everyoneHears(peers, names, 50), 60_000, 'the room of two hears itself');
    for (const p of peers) for (const r of p.received.values()) r.delays.length = 0;
    await sleep(windowS * 1000);
    return peers.flatMap((p) => [...p.received.values()].flatMap((r) => r.delays));
  } finally {
    for (const p of peers) p.close();
    for (const d of devices) await d.emit('call:hangup', { callId });
  }
}

export async function runSfuBench(options: SfuBenchOptions, log: (line: string) => void): Promise<SfuBenchResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-bench-sfu-'));
  const janus = await startJanus();
  try {
    const server = await startTestServer({ sfu: { janusUrls: [janus.url], adminKey: janus.adminKey }, messageRate: 10_000, messageBurst: 10_000 });
    const tone = opusTone(dir, 440);
    const most = Math.max(...options.sizes);
    const names = Array.from({ length: most }, (_, i) => `p${String(i + 1).padStart(2, '0')}`);
    const devices = Object.values(await team(server, ...names)).filter((d): d is Device => typeof d === 'object' && 'emit' in d);
    const rooms: RoomFigures[] = [];
    for (const n of options.sizes) {
      log(`a room of ${n}…`);
      const room = await measureRoom(janus, devices.slice(0, n), names.slice(0, n), tone, options.windowS);
      log(`  Janus ${room.janusCpuPercent} % of a core, ${room.janusCpuPerPersonPercent} % per person; each uploads ${room.uploadKbps} kbit/s (mesh: ${room.meshUploadKbps})`);
      rooms.push(room);
    }
    log('delay through Janus against a direct pair…');
    const through = await delayThroughJanus([devices[0] as Device, devices[1] as Device], options.windowS);
    const direct = await delayDirect(options.windowS);
    const delay = {
      throughJanus: { p50: round(percentile(through, 50)), p95: round(percentile(through, 95)) },
      direct: { p50: round(percentile(direct, 50)), p95: round(percentile(direct, 95)) },
      addedP50: round(percentile(through, 50) - percentile(direct, 50)),
    };
    const fit = fitCpu(rooms);
    const extrapolated = [25, 50].map((people) => ({ people, streams: people * (people - 1), janusCpuPercent: round(fit.perPersonPercent * people + fit.perStreamPercent * people * (people - 1), 1) }));
    return { commit: gitCommit(), measuredAt: new Date().toISOString(), options, rooms, delayMs: delay, fit, extrapolated };
  } finally {
    await janus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Least squares of cpu = a·n + b·n(n − 1) over the rooms (the normal equations of two unknowns). */
export function fitCpu(rooms: readonly Pick<RoomFigures, 'people' | 'streams' | 'janusCpuPercent'>[]): SfuBenchResult['fit'] {
  let xx = 0;
  let xy = 0;
  let yy = 0;
  let xc = 0;
  let yc = 0;
  for (const r of rooms) {
    xx += r.people * r.people;
    xy += r.people * r.streams;
    yy += r.streams * r.streams;
    xc += r.people * r.janusCpuPercent;
    yc += r.streams * r.janusCpuPercent;
  }
  const det = xx * yy - xy * xy;
  if (det === 0) return { perPersonPercent: 0, perStreamPercent: rooms[0] ? rooms[0].janusCpuPercent / Math.max(1, rooms[0].streams) : 0 };
  return { perPersonPercent: round((xc * yy - yc * xy) / det, 4), perStreamPercent: round((xx * yc - xy * xc) / det, 4) };
}

export function writeSfuResult(result: SfuBenchResult, file: string): void {
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
}

export function formatSfuTable(r: SfuBenchResult): string {
  const lines = [
    '| People | Streams Janus forwards | Janus CPU (% of a core) | per person | Each uploads, SFU | Each would upload, mesh | Each downloads |',
    '|---|---|---|---|---|---|---|',
    ...r.rooms.map((m) => `| ${m.people} | ${m.streams} | ${m.janusCpuPercent} | ${m.janusCpuPerPersonPercent} | ${m.uploadKbps} kbit/s | ${m.meshUploadKbps} kbit/s | ${m.downloadKbps} kbit/s |`),
    ...r.extrapolated.map((e) => `| ${e.people} (carried) | ${e.streams} | ${e.janusCpuPercent} | ${round(e.janusCpuPercent / e.people, 3)} | | | |`),
    '',
    `Janus's CPU fitted: ${r.fit.perPersonPercent} % of a core per person + ${r.fit.perStreamPercent} % per forwarded stream.`,
    `Delay, one way: through Janus p50 ${r.delayMs.throughJanus.p50} ms / p95 ${r.delayMs.throughJanus.p95} ms; direct pair p50 ${r.delayMs.direct.p50} ms / p95 ${r.delayMs.direct.p95} ms; Janus adds ${r.delayMs.addedP50} ms at p50.`,
  ];
  return lines.join('\n');
}
