import { describe, expect, it } from 'vitest';
import { levelFromRms, levelFromSources, SOURCE_STALE_MS } from './audio-level.js';
import { SPEAKING_LEVEL } from '../speaking.js';

const dbov = (db: number) => 10 ** (db / 20);

describe('audio levels on the meters\' scale', () => {
  it('maps RMS on a square-root scale, capped at 1; silence is 0', () => {
    expect(levelFromRms(0)).toBe(0);
    expect(levelFromRms(0.04)).toBeCloseTo(0.3);
    expect(levelFromRms(1)).toBe(1);
    expect(levelFromRms(-0.1)).toBe(0);
  });

  it('puts the speaking threshold at -40 dB, from samples and from RTP alike', () => {
    expect(levelFromRms(dbov(-40))).toBeCloseTo(SPEAKING_LEVEL);
    expect(levelFromRms(dbov(-38))).toBeGreaterThan(SPEAKING_LEVEL);
    expect(levelFromRms(dbov(-42))).toBeLessThan(SPEAKING_LEVEL);
    expect(levelFromSources([{ timestamp: 0, audioLevel: dbov(-38) }], 0)).toBeGreaterThan(SPEAKING_LEVEL);
    expect(levelFromSources([{ timestamp: 0, audioLevel: dbov(-42) }], 0)).toBeLessThan(SPEAKING_LEVEL);
    // A muted sender's packets say -127 dBov.
    expect(levelFromSources([{ timestamp: 0, audioLevel: dbov(-127) }], 0)).toBeLessThan(0.01);
  });

  it('reads the same level from RTP as from samples of the same audio', () => {
    // The e2e tone measured 0.038 RMS through Web Audio and 0.040 as RTP audioLevel.
    expect(levelFromSources([{ timestamp: 1000, audioLevel: 0.04 }], 1010)).toBe(levelFromRms(0.04));
  });

  it('reads the newest source', () => {
    const sources = [
      { timestamp: 900, audioLevel: 0.5 },
      { timestamp: 1000, audioLevel: 0 },
      { timestamp: 800, audioLevel: 0.9 },
    ];
    expect(levelFromSources(sources, 1000)).toBe(0);
  });

  it('is 0 with no source yet, no level header, or only a stale source', () => {
    expect(levelFromSources([], 1000)).toBe(0);
    expect(levelFromSources([{ timestamp: 1000 }], 1000)).toBe(0);
    expect(levelFromSources([{ timestamp: 1000, audioLevel: 0.5 }], 1000 + SOURCE_STALE_MS)).toBeGreaterThan(SPEAKING_LEVEL);
    expect(levelFromSources([{ timestamp: 1000, audioLevel: 0.5 }], 1001 + SOURCE_STALE_MS)).toBe(0);
  });
});
