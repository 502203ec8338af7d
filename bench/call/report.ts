/**
 * The call benchmark's figures as a table for the terminal: each figure's
 * p50 and p95 beside its baseline's, and for the targets the p95's ratio.
 */
import type { CallBenchResult, Percentiles } from './run.js';

export function formatTable(r: CallBenchResult): string {
  const ms = (p: Percentiles) => [p.p50.toFixed(1), p.p95.toFixed(1)];
  /** The figure's p95 as a multiple of its baseline's p95, and the target as one. */
  const ratio = (p: Percentiles, base: Percentiles, target?: number) => [`${(p.p95 / base.p95).toFixed(2)}×`, target === undefined ? '' : `≤ ${target}×`];
  const t = r.targets;
  const b = r.baseline;
  const ring = (p: Percentiles) => [...ms(p), `< ${t.dialToRingMsP95}`, 'bare relay', ...ms(b.ringMs), ...ratio(p, b.ringMs, t.dialToRingRatioP95)];
  // Answer → audio both ways by each clock (the sound as played, as the audio thread renders it, and the getStats() level).
  const heard = (p: Percentiles) => [...ms(p), '', 'bare pair', ...ms(b.heardMs), ...ratio(p, b.heardMs, t.answerToAudioRatioP95)];
  const sounded = (p: Percentiles) => [...ms(p), '', 'bare pair', ...ms(b.soundedMs), ...ratio(p, b.soundedMs, t.answerToAudioRatioP95)];
  const level = (p: Percentiles) => [...ms(p), `< ${t.answerToAudioMsP95}`, 'bare pair', ...ms(b.audioMs), ...ratio(p, b.audioMs, t.answerToAudioRatioP95)];
  const rows: string[][] = [
    ['figure', 'p50 ms', 'p95 ms', 'target p95', 'baseline', 'baseline p50', 'baseline p95', 'p95 ÷ baseline', 'target'],
    ['dialToRingMs', ...ring(r.dialToRingMs)],
    ['answerToConnectedMs', ...ms(r.answerToConnectedMs), '', 'bare pair', ...ms(b.connectedMs), '', ''],
    ['answerToHeardMs (audio played)', ...heard(r.answerToHeardMs)],
    ['answerToSoundedMs (audio thread)', ...sounded(r.answerToSoundedMs)],
    ['answerToAudioMs (getStats level)', ...level(r.answerToAudioMs)],
    ['  the same, bare pair ahead', ...ms(b.ahead.audioMs), '', 'bare pair', ...ms(b.audioMs), ...ratio(b.ahead.audioMs, b.audioMs)],
    ['  bare pair ahead: audio played', ...ms(b.ahead.heardMs), '', 'bare pair', ...ms(b.heardMs), ...ratio(b.ahead.heardMs, b.heardMs)],
    ['  bare pair ahead: audio thread', ...ms(b.ahead.soundedMs), '', 'bare pair', ...ms(b.soundedMs), ...ratio(b.ahead.soundedMs, b.soundedMs)],
    ['first call: dialToRingMs', ...ring(r.firstCall.dialToRingMs)],
    ['first call: answerToHeardMs', ...heard(r.firstCall.answerToHeardMs)],
    ['first call: answerToSoundedMs', ...sounded(r.firstCall.answerToSoundedMs)],
    ['first call: answerToAudioMs', ...level(r.firstCall.answerToAudioMs)],
    ['getUserMediaMs', '', '', '', 'one mic', ...ms(b.getUserMediaMs), '', ''],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const lines = rows.map((row) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ').trimEnd());
  const load = r.environment.loadAverage;
  return [
    `Call setup: ${r.options.runs} calls (after ${r.options.warmup} warm-up) and ${r.options.firstCalls} first calls of reloaded pages, answered after ${r.options.ringMs} ms of ringing; Chromium ${r.environment.chromium}, ${r.environment.cpus} CPUs, load ${load.start[0]!.toFixed(2)} → ${load.end[0]!.toFixed(2)}`,
    ...lines,
  ].join('\n');
}
