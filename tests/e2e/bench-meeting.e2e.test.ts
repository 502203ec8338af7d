/**
 * The meeting benchmark (`npm run bench:meeting`) still works: a room of
 * three on the mesh and on the SFU for two seconds each and the delay of a
 * room of two both ways, written to JSON and read back with every figure
 * present. Nothing is asserted on speed; a room whose people did not hear
 * each other, or beeps that were not heard, fail in the benchmark itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatMeetingTable, runMeetingBench, writeMeetingResult, type MeetingBenchResult } from '../../bench/meeting/run.js';
import { missingTool } from '../../signaling-server/test/coturn.js';
import { ARTIFACTS } from './harness.js';

const SUITE = 'bench-meeting.e2e.test.ts';
const noTools = [missingTool('janus', 'janus', SUITE), missingTool('opusenc', 'opus-tools', SUITE), missingTool('sox', 'sox', SUITE)].some(Boolean);

it.skipIf(noTools)('bench:meeting measures and writes every figure', async () => {
  const result = await runMeetingBench({ sizes: [3], seconds: 2, settleSeconds: 0 }, () => undefined);
  const file = path.join(ARTIFACTS, 'bench-meeting-smoke.json');
  writeMeetingResult(result, file);
  const read = JSON.parse(readFileSync(file, 'utf8')) as MeetingBenchResult;
  expect(read.rooms.map((r) => [r.people, r.path, r.connections])).toEqual([
    [3, 'mesh', 2],
    [3, 'sfu', 2],
  ]);
  const [mesh, sfu] = read.rooms;
  for (const r of read.rooms) expect(r.cpuPercent, `${r.path}: CPU`).toBeGreaterThan(0);
  // Her voice goes once to each of the two others on the mesh, once to Janus on the SFU.
  expect(mesh!.uploadKbps).toBeGreaterThan(1.5 * sfu!.uploadKbps);
  for (const d of [read.delayMs.direct, read.delayMs.throughJanus]) {
    expect(d.beeps).toBeGreaterThanOrEqual(2);
    expect(d.p95).toBeGreaterThanOrEqual(d.p50);
    expect(d.p50).toBeGreaterThan(0);
  }
  expect(formatMeetingTable(read)).toMatch(/^3 \| sfu \|/m);
}, 300_000);
