/**
 * The call benchmark (`npm run bench:call`) still works: a first call of
 * reloaded pages, a later call and a run of each baseline after each (the bare pair, and the bare pair connected
 * ahead), written to JSON and read back with every figure present. No time is asserted: a benchmark never fails CI on speed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { formatTable } from '../../bench/call/report.js';
import { runCallBench, writeResult, type CallBenchResult, type Percentiles } from '../../bench/call/run.js';
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
    ['answerToSoundedMs', read.answerToSoundedMs],
    ...Object.entries(read.firstCall).map(([k, v]) => [`firstCall.${k}`, v] as [string, Percentiles]),
    ...Object.entries(read.baseline)
      .filter(([k]) => k !== 'ahead')
      .map(([k, v]) => [`baseline.${k}`, v] as [string, Percentiles]),
    ...Object.entries(read.baseline.ahead).map(([k, v]) => [`baseline.ahead.${k}`, v] as [string, Percentiles]),
  ];
  expect(figures).toHaveLength(21);
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
  // Answer → audio by each clock (as played, as the audio thread renders it, and the getStats() level), later and first calls, each with its ratio
  // to the bare pair and the target as one; the pair connected ahead beside them.
  const table = formatTable(read);
  expect(table).toMatch(/^answerToHeardMs \(audio played\) +[\d.]+ +[\d.]+ +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
  expect(table).toMatch(/^first call: answerToHeardMs +[\d.]+ +[\d.]+ +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
  expect(table).toMatch(/^answerToSoundedMs \(audio thread\) +[\d.]+ +[\d.]+ +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
  expect(table).toMatch(/^first call: answerToSoundedMs +[\d.]+ +[\d.]+ +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
  expect(table).toMatch(/^answerToAudioMs \(getStats level\) +[\d.]+ +[\d.]+ +< 250 +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
  expect(table).toMatch(/^first call: answerToAudioMs +[\d.]+ +[\d.]+ +< 250 +bare pair +[\d.]+ +[\d.]+ +[\d.]+× +≤ 1×$/m);
  expect(table).toMatch(/^ {2}the same, bare pair ahead +[\d.]+ +[\d.]+ +bare pair +[\d.]+ +[\d.]+ +[\d.]+×$/m);
});
