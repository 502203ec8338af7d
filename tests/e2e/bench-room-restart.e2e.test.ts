/**
 * The room restart benchmark (`npm run bench:room-restart`) still works: one
 * restart and one baseline window, written to JSON and read back with every
 * figure present. No time is asserted beyond the bar: a benchmark
 * never fails CI on speed, but a room that lost its audio would show here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatRoomTable, runRoomRestartBench, writeRoomResult, type RoomRestartResult } from '../../bench/call/room-restart.js';
import { ARTIFACTS } from './harness.js';

it('bench:room-restart measures and writes every figure', async () => {
  const result = await runRoomRestartBench({ runs: 1 });
  const file = path.join(ARTIFACTS, 'bench-room-restart-smoke.json');
  writeRoomResult(result, file);
  const read = JSON.parse(readFileSync(file, 'utf8')) as RoomRestartResult;
  for (const [name, { p50, worst }] of Object.entries({ gapMs: read.gapMs, restoredMs: read.restoredMs, baseline: read.baseline.gapMs })) {
    expect(Number.isFinite(p50) && Number.isFinite(worst), name).toBe(true);
    expect(p50, name).toBeGreaterThan(0);
    expect(worst, name).toBeGreaterThanOrEqual(p50);
  }
  expect(read.samples).toHaveLength(1);
  expect(read.samples[0]?.pairs).toHaveLength(6);
  expect(read.baselineSamples).toHaveLength(1);
  expect(read.gapMs.worst).toBeLessThan(read.targets.gapMsWorst);
  expect(formatRoomTable(read)).toMatch(/audio gap, worst pair +[\d.]+ +[\d.]+ +< 5000/);
}, 120_000);
