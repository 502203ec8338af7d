/**
 * Connection quality from WebRTC statistics: round-trip time, jitter and
 * packet loss over the last interval, scored good / fair / poor. Thresholds
 * follow the usual VoIP guidance (ITU-T G.114 for delay; Opus hides some
 * loss and jitter).
 */
export type Quality = 'good' | 'fair' | 'poor';

export interface QualitySample {
  /** Round-trip time in ms; null when not yet measured. */
  rttMs: number | null;
  jitterMs: number | null;
  /** Percent of packets lost in the interval. */
  lossPct: number | null;
}

const LIMITS = {
  good: { rttMs: 300, jitterMs: 30, lossPct: 2 },
  fair: { rttMs: 600, jitterMs: 80, lossPct: 8 },
};

export function scoreQuality(s: QualitySample): Quality {
  const within = (l: typeof LIMITS.good) =>
    (s.rttMs ?? 0) <= l.rttMs && (s.jitterMs ?? 0) <= l.jitterMs && (s.lossPct ?? 0) <= l.lossPct;
  if (within(LIMITS.good)) return 'good';
  if (within(LIMITS.fair)) return 'fair';
  return 'poor';
}

/** Counters kept between two samples, to turn totals into an interval's loss. */
export interface LossCounters {
  packetsReceived: number;
  packetsLost: number;
}

/** The subset of RTCStatsReport entries this module reads. */
export interface StatsEntry {
  type: string;
  kind?: string;
  state?: string;
  nominated?: boolean;
  currentRoundTripTime?: number;
  roundTripTime?: number;
  jitter?: number;
  packetsReceived?: number;
  packetsLost?: number;
}

export function sampleFromStats(
  entries: Iterable<StatsEntry>,
  previous: LossCounters | null,
): { sample: QualitySample; counters: LossCounters | null } {
  let rtt: number | null = null;
  let jitter: number | null = null;
  let counters: LossCounters | null = null;
  for (const e of entries) {
    if (e.type === 'candidate-pair' && e.state === 'succeeded' && e.nominated && e.currentRoundTripTime !== undefined) {
      rtt = e.currentRoundTripTime * 1000;
    } else if (e.type === 'remote-inbound-rtp' && e.kind === 'audio' && e.roundTripTime !== undefined && rtt === null) {
      rtt = e.roundTripTime * 1000;
    } else if (e.type === 'inbound-rtp' && e.kind === 'audio') {
      if (e.jitter !== undefined) jitter = e.jitter * 1000;
      counters = { packetsReceived: e.packetsReceived ?? 0, packetsLost: Math.max(0, e.packetsLost ?? 0) };
    }
  }
  let lossPct: number | null = null;
  if (counters) {
    const base = previous ?? { packetsReceived: 0, packetsLost: 0 };
    const received = counters.packetsReceived - base.packetsReceived;
    const lost = counters.packetsLost - base.packetsLost;
    lossPct = received + lost > 0 ? (100 * Math.max(0, lost)) / (received + Math.max(0, lost)) : 0;
  }
  return { sample: { rttMs: rtt, jitterMs: jitter, lossPct }, counters };
}

export function describeSample(s: QualitySample): string {
  const fmt = (v: number | null, unit: string, digits = 0) => (v === null ? '–' : `${v.toFixed(digits)} ${unit}`);
  return `Round trip ${fmt(s.rttMs, 'ms')}, jitter ${fmt(s.jitterMs, 'ms')}, packet loss ${fmt(s.lossPct, '%', 1)}`;
}
