/**
 * Issue 39's targets for `bench:quality`, checked against one run's figures,
 * and the table printed (and copied into BENCHMARKS.md).
 */
import type { ConditionName } from '../../tests/e2e/net-conditions.js';
import { BURST_WINDOW_FACTOR, type ConditionResult, type QualityBenchResult } from './run.js';

export interface TargetCheck {
  condition: ConditionName;
  /** The concealment target, in words, and whether Parley met it. */
  concealed: { target: string; met: boolean };
  /** The reference score target, in words, and whether Parley met it. */
  score: { target: string; met: boolean };
}

/** Parley's reference score as a share of its own no-loss score, percent (null without a clean row). */
export function ofNoLoss(result: QualityBenchResult, c: ConditionResult): number | null {
  const clean = result.conditions.find((x) => x.condition === 'clean');
  return clean && clean.parley.intactPct > 0 ? Math.round((1000 * c.parley.intactPct) / clean.parley.intactPct) / 10 : null;
}

/** Issue 39's targets for one condition. */
export function checkTargets(result: QualityBenchResult, c: ConditionResult): TargetCheck {
  const p = c.parley;
  const b = c.bare;
  const rel = ofNoLoss(result, c) ?? 0;
  switch (c.condition) {
    case 'clean':
      return {
        condition: c.condition,
        // Parley no worse than the bare pair by more than 0.5 points (lower is better: less is no miss).
        concealed: { target: "≤ the bare pair's + 0.5 points", met: p.concealedPct <= b.concealedPct + 0.5 },
        score: { target: 'within 2 % of the bare pair', met: p.intactPct >= b.intactPct * 0.98 },
      };
    case 'loss5':
      return { condition: c.condition, concealed: { target: '≤ 1 %', met: p.concealedPct <= 1 }, score: { target: '≥ 97 % of no loss', met: rel >= 97 } };
    case 'loss10':
      return {
        condition: c.condition,
        concealed: { target: "≤ 2 % and ≤ half the bare pair's", met: p.concealedPct <= 2 && p.concealedPct <= b.concealedPct / 2 },
        score: { target: '≥ 95 % of no loss', met: rel >= 95 },
      };
    case 'loss20':
      return { condition: c.condition, concealed: { target: '≤ 6 %', met: p.concealedPct <= 6 }, score: { target: '≥ 85 % of no loss', met: rel >= 85 } };
    case 'burst5':
      return {
        condition: c.condition,
        concealed: { target: "≤ half the bare pair's", met: p.concealedPct <= b.concealedPct / 2 },
        score: { target: 'better than the bare pair', met: p.intactPct > b.intactPct },
      };
    case 'runs10':
      // The speech test's condition (net-conditions.ts), not in issue 39's table: its bound.
      return { condition: c.condition, concealed: { target: '≤ 2 %', met: p.concealedPct <= 2 }, score: { target: '(none set)', met: true } };
    case 'uplink100':
      return { condition: c.condition, concealed: { target: '≤ 2 %', met: p.concealedPct <= 2 }, score: { target: '≥ 95 % of no loss', met: rel >= 95 } };
    case 'jitter30':
      return { condition: c.condition, concealed: { target: '(none set)', met: true }, score: { target: '(none set)', met: true } };
  }
}

const mark = (met: boolean, target: string) => (target.startsWith('(') ? target : `${target} ${met ? '✔' : '✘'}`);

/** The speech quality table, one row per condition (Markdown, as BENCHMARKS.md has it). */
export function formatQualityTable(r: QualityBenchResult): string {
  const rows = r.conditions.map((c) => {
    const t = checkTargets(r, c);
    const rel = ofNoLoss(r, c);
    return [
      c.label,
      `${c.parley.concealedPct} %`,
      `${c.bare.concealedPct} %`,
      mark(t.concealed.met, t.concealed.target),
      `${c.parley.intactPct} %${rel === null || c.condition === 'clean' ? '' : ` (${rel} % of no loss)`}`,
      `${c.bare.intactPct} %`,
      mark(t.score.met, t.score.target),
      `${c.parley.audioKbps} / ${c.bare.audioKbps}`,
      `${c.parley.jitterBufferMs} / ${c.bare.jitterBufferMs}`,
      `${c.parley.stretchedPct} / ${c.bare.stretchedPct}`,
      `${c.parley.concealmentEvents} / ${c.bare.concealmentEvents}`,
      `${c.parley.packetLossPct} / ${c.bare.packetLossPct}`,
    ];
  });
  const head = [
    'Condition (Alice\'s uplink)',
    'Concealed, Parley',
    'Concealed, bare pair',
    'Target',
    'Segments intact, Parley',
    'Segments intact, bare pair',
    'Target',
    'Audio payload kbit/s, Parley / bare',
    'Jitter buffer ms, Parley / bare',
    'Stretched %, Parley / bare',
    'Concealment events, Parley / bare',
    'Packets lost %, Parley / bare',
  ];
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const load = r.environment.loadAverage;
  const floor = r.opusFloor
    ? `Opus alone, offline, its own concealment, no redundancy (the codec's floor): ${Object.entries(r.opusFloor.intactPct)
        .map(([loss, pct]) => `${loss} % loss ${pct} %`)
        .join(', ')} of segments intact`
    : 'No offline Opus floor (sox and opus-tools missing)';
  return [
    line(head),
    line(head.map(() => '---')),
    ...rows.map(line),
    '',
    floor,
    `${r.options.seconds} s read per call (${r.options.seconds * BURST_WINDOW_FACTOR} s in bursts) after ${r.options.settleSeconds} s on the condition (${r.options.uplinkSettleSeconds} s on the thin uplink); commit ${r.commit}, Chromium ${r.environment.chromium}, load ${load.start[0]} → ${load.end[0]}`,
  ].join('\n');
}
