import { describe, expect, it } from 'vitest';
import { describeSample, networkWords, sampleFromStats, scoreQuality } from './quality.js';

describe('quality score', () => {
  it.each([
    [{ rttMs: 40, jitterMs: 5, lossPct: 0 }, 'good'],
    [{ rttMs: 300, jitterMs: 30, lossPct: 2 }, 'good'],
    [{ rttMs: 301, jitterMs: 5, lossPct: 0 }, 'fair'],
    [{ rttMs: 40, jitterMs: 50, lossPct: 0 }, 'fair'],
    [{ rttMs: 40, jitterMs: 5, lossPct: 5 }, 'fair'],
    [{ rttMs: 700, jitterMs: 5, lossPct: 0 }, 'poor'],
    [{ rttMs: 40, jitterMs: 100, lossPct: 0 }, 'poor'],
    [{ rttMs: 40, jitterMs: 5, lossPct: 12 }, 'fair'],
    [{ rttMs: 40, jitterMs: 5, lossPct: 16 }, 'poor'],
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
    expect(first.sample).toEqual({ rttMs: 50, jitterMs: 4, lossPct: 0, outLossPct: null });
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
    // 10 % is what RED and FEC still hide (bench:quality): fair, not poor.
    expect(scoreQuality(second.sample)).toBe('fair');
  });

  it('has no numbers before any audio arrives', () => {
    expect(sampleFromStats([], null).sample).toEqual({ rttMs: null, jitterMs: null, lossPct: null, outLossPct: null });
  });

  it('describes the numbers for the hover text', () => {
    expect(describeSample({ rttMs: 52.4, jitterMs: 3, lossPct: 0.25 })).toBe('Round trip 52 ms, jitter 3 ms, packet loss 0.3 %');
  });

  it("reads the peer's report of this side's loss (RTCP fraction lost), and scores the worse direction", () => {
    const { sample } = sampleFromStats([{ type: 'remote-inbound-rtp', kind: 'audio', roundTripTime: 0.05, fractionLost: 0.125 }], null);
    expect(sample.outLossPct).toBeCloseTo(12.5);
    expect(scoreQuality(sample)).toBe('fair');
    expect(scoreQuality({ ...sample, outLossPct: 20 })).toBe('poor');
    expect(describeSample({ rttMs: 50, jitterMs: 3, lossPct: 0, outLossPct: 12.5 })).toBe('Round trip 50 ms, jitter 3 ms, packet loss 0.0 % coming in, 12.5 % going out');
  });
});

describe('network words', () => {
  const s = (lossPct: number, outLossPct: number, rttMs = 40, jitterMs = 5) => ({ rttMs, jitterMs, lossPct, outLossPct });
  it.each([
    [s(0, 0), null],
    [s(1, 1), null],
    [s(3, 0), null],
    [s(5, 0), "Bob's connection is losing packets"],
    [s(12, 0.5), "Bob's connection is losing packets"],
    [s(16, 0.5), "Bob's connection is losing many packets: speech may break up"],
    [s(0, 6), 'Your connection is losing packets'],
    [s(0, 20), 'Your connection is losing many packets: speech may break up'],
    [s(4, 5), 'The connection between you and Bob is losing packets'],
    [s(4, 16), 'The connection between you and Bob is losing many packets: speech may break up'],
    [s(1, 0, 450), 'The connection to Bob is slow: expect a delay'],
    [s(1, 0, 40, 45), "Bob's connection is unsteady"],
    [{ rttMs: null, jitterMs: null, lossPct: null }, null],
  ] as const)('%o → %s', (sample, words) => {
    expect(networkWords(sample, 'Bob')).toBe(words);
  });
});
