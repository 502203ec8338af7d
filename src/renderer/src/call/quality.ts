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
  /** Percent of the peer's audio packets lost on the way here in the interval. */
  lossPct: number | null;
  /** Percent of this side's audio packets lost on the way there, as the peer's last report says (RTCP fraction lost). */
  outLossPct?: number | null;
}

/** Loss limits follow what RED and Opus FEC hide (bench:quality): unheard up to 3 %, mostly up to 15 %. */
const LIMITS = {
  good: { rttMs: 300, jitterMs: 30, lossPct: 3 },
  fair: { rttMs: 600, jitterMs: 80, lossPct: 15 },
};

export function scoreQuality(s: QualitySample): Quality {
  const loss = Math.max(s.lossPct ?? 0, s.outLossPct ?? 0);
  const within = (l: typeof LIMITS.good) => (s.rttMs ?? 0) <= l.rttMs && (s.jitterMs ?? 0) <= l.jitterMs && loss <= l.lossPct;
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
  fractionLost?: number;
}

export function sampleFromStats(
  entries: Iterable<StatsEntry>,
  previous: LossCounters | null,
): { sample: QualitySample; counters: LossCounters | null } {
  let rtt: number | null = null;
  let jitter: number | null = null;
  let counters: LossCounters | null = null;
  let outLossPct: number | null = null;
  for (const e of entries) {
    if (e.type === 'remote-inbound-rtp' && e.kind === 'audio' && e.fractionLost !== undefined) outLossPct = e.fractionLost * 100;
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
  return { sample: { rttMs: rtt, jitterMs: jitter, lossPct, outLossPct }, counters };
}

export function describeSample(s: QualitySample): string {
  const fmt = (v: number | null, unit: string, digits = 0) => (v === null ? '–' : `${v.toFixed(digits)} ${unit}`);
  const out = s.outLossPct === undefined || s.outLossPct === null ? '' : ` coming in, ${fmt(s.outLossPct, '%', 1)} going out`;
  return `Round trip ${fmt(s.rttMs, 'ms')}, jitter ${fmt(s.jitterMs, 'ms')}, packet loss ${fmt(s.lossPct, '%', 1)}${out}`;
}

/**
 * Loss up to this many percent is not mentioned (and scores good): RED and Opus's FEC rebuild
 * speech from it unheard (bench:quality), and a word at 1 % would only worry.
 */
export const LOSS_NOTICE_PCT = LIMITS.good.lossPct;
/** Past this the protection no longer hides most of it: speech can break up (and it scores poor). */
export const LOSS_SEVERE_PCT = LIMITS.fair.lossPct;

/**
 * When the network is the problem, in words for a person, naming the side:
 * loss on the way from `name` ("Bob's connection is losing packets"), on the
 * way there ("Your connection…"), or both ("The connection between you and
 * Bob…": one side's Wi-Fi loses both ways, and which side cannot be told);
 * then delay and jitter. Null when nothing is worth saying.
 */
export function networkWords(s: QualitySample, name: string): string | null {
  const inLoss = s.lossPct ?? 0;
  const outLoss = s.outLossPct ?? 0;
  const worst = Math.max(inLoss, outLoss);
  if (worst > LOSS_NOTICE_PCT) {
    const who =
      inLoss > LOSS_NOTICE_PCT && outLoss > LOSS_NOTICE_PCT ? `The connection between you and ${name} is` : inLoss > LOSS_NOTICE_PCT ? `${name}'s connection is` : 'Your connection is';
    return worst > LOSS_SEVERE_PCT ? `${who} losing many packets: speech may break up` : `${who} losing packets`;
  }
  if ((s.rttMs ?? 0) > LIMITS.good.rttMs) return `The connection to ${name} is slow: expect a delay`;
  if ((s.jitterMs ?? 0) > LIMITS.good.jitterMs) return `${name}'s connection is unsteady`;
  return null;
}
