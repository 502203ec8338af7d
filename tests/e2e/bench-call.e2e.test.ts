/**
 * The call benchmark (`npm run bench:call`) still works: a first call of
 * reloaded pages, a later call and a run of each baseline after each, written to JSON and read back with every
 * figure present. No time is asserted: a benchmark never fails CI on speed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatTable, runCallBench, writeResult, type CallBenchResult, type Percentiles } from '../../bench/call/run.js';
import { ARTIFACTS } from './harness.js';

it('bench:call measures and writes every figure', async () => {
  const result = await runCallBench({ runs: 1, warmup: 0, firstCalls: 1, ringMs: 300, trace: false });
  const file = path.join(ARTIFACTS, 'bench-call-smoke.json');
  writeResult(result, file);
  const read = JSON.parse(readFileSync(file, 'utf8')) as CallBenchResult;

  const figures: [string, Percentiles][] = [
    ['dialToRingMs', read.dialToRingMs],
    ['answerToConnectedMs', read.answerToConnectedMs],
    ['answerToAudioMs', read.answerToAudioMs],
    ['answerToHeardMs', read.answerToHeardMs],
    ['answerToFirstPlayedMs', read.answerToFirstPlayedMs],
    ...Object.entries(read.firstCall).map(([k, v]) => [`firstCall.${k}`, v] as [string, Percentiles]),
    ...Object.entries(read.baseline).map(([k, v]) => [`baseline.${k}`, v] as [string, Percentiles]),
  ];
  expect(figures).toHaveLength(14);
  for (const [name, { p50, p95 }] of figures) {
    expect(Number.isFinite(p50) && Number.isFinite(p95), name).toBe(true);
    // A call connected while it rang has nothing left to connect after the answer.
    if (name === 'answerToConnectedMs') expect(p50, name).toBeGreaterThanOrEqual(0);
    else expect(p50, name).toBeGreaterThan(0);
    expect(p95, name).toBeGreaterThanOrEqual(p50);
  }
  expect(read.samples).toHaveLength(1);
  expect(read.firstCallSamples).toHaveLength(1);
  expect(read.baselineSamples).toHaveLength(2);
  expect(read.environment.chromium).toMatch(/^\d+\./);
  // Each answer → audio row with its ratio to the bare pair, and the target as one.
  expect(formatTable(read)).toMatch(/^answerToAudioMs +[\d.]+ +[\d.]+ +< 250 +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
  expect(formatTable(read)).toMatch(/^first call: answerToAudioMs +[\d.]+ +[\d.]+ +< 250 +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
});
