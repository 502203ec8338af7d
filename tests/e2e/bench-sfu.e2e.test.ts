/**
 * The SFU benchmark (`npm run bench:sfu`) still works: rooms of two and
 * three for a second each and the delay comparison, written to JSON and read
 * back with every figure present. Nothing is asserted on speed; a room whose
 * people did not hear each other fails in the benchmark itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatSfuTable, runSfuBench, writeSfuResult, type SfuBenchResult } from '../../bench/sfu/sfu.js';
import { missingTool } from '../../signaling-server/test/coturn.js';
import { ARTIFACTS } from './harness.js';

const noTools = missingTool('janus', 'janus', 'bench-sfu.e2e.test.ts') || missingTool('opusenc', 'opus-tools', 'bench-sfu.e2e.test.ts') || missingTool('sox', 'sox', 'bench-sfu.e2e.test.ts');

it.skipIf(noTools)('bench:sfu measures and writes every figure', async () => {
  const result = await runSfuBench({ sizes: [2, 3], windowS: 1 }, () => undefined);
  const file = path.join(ARTIFACTS, 'bench-sfu-smoke.json');
  writeSfuResult(result, file);
  const read = JSON.parse(readFileSync(file, 'utf8')) as SfuBenchResult;
  expect(read.rooms.map((r) => [r.people, r.streams])).toEqual([
    [2, 2],
    [3, 6],
  ]);
  for (const room of read.rooms) {
    expect(room.janusCpuPercent, `Janus CPU, room of ${room.people}`).toBeGreaterThanOrEqual(0);
    expect(room.uploadKbps, `upload, room of ${room.people}`).toBeGreaterThan(0);
    expect(room.meshUploadKbps).toBeCloseTo(room.uploadKbps * (room.people - 1), 0);
  }
  for (const d of [read.delayMs.throughJanus, read.delayMs.direct]) expect(d.p95).toBeGreaterThanOrEqual(d.p50);
  expect(read.extrapolated.map((e) => e.people)).toEqual([25, 50]);
  expect(formatSfuTable(read)).toMatch(/\| 3 \| 6 \|/);
}, 180_000);
