import { describe, expect, it } from 'vitest';
import { describeSample, sampleFromStats, scoreQuality } from './quality.js';

describe('quality score', () => {
  it.each([
    [{ rttMs: 40, jitterMs: 5, lossPct: 0 }, 'good'],
    [{ rttMs: 300, jitterMs: 30, lossPct: 2 }, 'good'],
    [{ rttMs: 301, jitterMs: 5, lossPct: 0 }, 'fair'],
    [{ rttMs: 40, jitterMs: 50, lossPct: 0 }, 'fair'],
    [{ rttMs: 40, jitterMs: 5, lossPct: 5 }, 'fair'],
    [{ rttMs: 700, jitterMs: 5, lossPct: 0 }, 'poor'],
    [{ rttMs: 40, jitterMs: 100, lossPct: 0 }, 'poor'],
    [{ rttMs: 40, jitterMs: 5, lossPct: 12 }, 'poor'],
    [{ rttMs: null, jitterMs: null, lossPct: null }, 'good'],
  ] as const)('%o → %s', (sample, quality) => {
    expect(scoreQuality(sample)).toBe(quality);
  });

  it('reads RTT, jitter and interval loss from getStats() entries', () => {
    const first = sampleFromStats(
      [
        { type: 'candidate-pair', state: 'succeeded', nominated: true, currentRoundTripTime: 0.05 },
        { type: 'inbound-rtp', kind: 'audio', jitter: 0.004, packetsReceived: 100, packetsLost: 0 },
        { type: 'inbound-rtp', kind: 'video', jitter: 0.5, packetsReceived: 5, packetsLost: 5 },
      ],
      null,
    );
    expect(first.sample).toEqual({ rttMs: 50, jitterMs: 4, lossPct: 0 });
    const second = sampleFromStats(
      [
        { type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.2 },
        { type: 'inbound-rtp', kind: 'audio', jitter: 0.01, packetsReceived: 190, packetsLost: 10 },
      ],
      first.counters,
    );
    // 90 received and 10 lost in this interval: 10 %.
    expect(second.sample.rttMs).toBe(200);
    expect(second.sample.lossPct).toBeCloseTo(10);
    expect(scoreQuality(second.sample)).toBe('poor');
  });

  it('has no numbers before any audio arrives', () => {
    expect(sampleFromStats([], null).sample).toEqual({ rttMs: null, jitterMs: null, lossPct: null });
  });

  it('describes the numbers for the hover text', () => {
    expect(describeSample({ rttMs: 52.4, jitterMs: 3, lossPct: 0.25 })).toBe('Round trip 52 ms, jitter 3 ms, packet loss 0.3 %');
  });
});
