/**
 * The client benchmark (`npm run bench:client`) still works: each kind of
 * situation measured over a short window, app and baseline, written to JSON
 * and read back with every figure present. No cost is asserted: a benchmark
 * never fails CI on speed. `audioCallStandard` is left out: it is
 * `audioCall` with another setting chosen (`chooseNoiseSuppression`, which
 * noise-suppression.e2e.test.ts exercises), and measuring it again took 17 s.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SITUATIONS, formatClientTable, runClientBench, writeClientResult, type ClientBenchResult } from '../../bench/client/run.js';
import { ARTIFACTS } from './harness.js';

it('bench:client reads the CPU and memory of the app and of each baseline in every situation', async () => {
  const only = SITUATIONS.filter((s) => s !== 'audioCallStandard');
  const result = await runClientBench({ seconds: 2, settleSeconds: 0, contacts: 6, only }, () => undefined);
  const file = path.join(ARTIFACTS, 'bench-client-smoke.json');
  writeClientResult(result, file);
  const read = JSON.parse(readFileSync(file, 'utf8')) as ClientBenchResult;

  expect(Object.keys(read.situations)).toEqual(['idle', 'audioCall', 'videoCall', 'videoRoom4']);
  for (const [name, s] of Object.entries(read.situations)) {
    for (const [side, r] of [['app', s.app], ['baseline', s.baseline]] as const) {
      // A browser always has several processes and holds tens of MB. In a call it uses some CPU in 2 s;
      // idle, its processes may get no clock tick in a window that short.
      expect(r.processes, `${name} ${side}`).toBeGreaterThan(2);
      expect(r.memoryMB, `${name} ${side}`).toBeGreaterThan(20);
      if (name === 'idle') expect(r.cpuPercent, `${name} ${side}`).toBeGreaterThanOrEqual(0);
      else expect(r.cpuPercent, `${name} ${side}`).toBeGreaterThan(0);
    }
    expect(Number.isFinite(s.ratio) && Number.isFinite(s.memoryAboveBaselineMB), name).toBe(true);
  }
  // The calls with RNNoise (Strong, the default) have the bare call with RNNoise beside them: the floor.
  for (const name of ['audioCall', 'videoCall'] as const) {
    const s = read.situations[name]!;
    expect(s.floor?.cpuPercent, name).toBeGreaterThan(0);
    expect(Number.isFinite(s.floorRatio), name).toBe(true);
  }
  // Only the 1:1 calls are measured against that floor: the room of four has none.
  expect(read.situations.videoRoom4!.floor).toBeUndefined();
  // Four people's cameras cost more than none.
  expect(read.situations.videoRoom4!.baseline.cpuPercent).toBeGreaterThan(read.situations.idle!.baseline.cpuPercent);
  expect(formatClientTable(read)).toMatch(/^videoRoom4 \| [\d.]+ %/m);
}, 300_000);
