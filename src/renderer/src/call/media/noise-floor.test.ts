import { describe, expect, it } from 'vitest';
import { HOLD_MS, NoiseFloor, NOISY_LEVEL, READ_MS, WINDOW_MS } from './noise-floor.js';
import { levelFromRms } from './audio-level.js';

const dbfs = (db: number) => levelFromRms(10 ** (db / 20));
const VOICE = dbfs(-20);

/**
 * Feeds `floor` a reading every READ_MS for `ms`, each from `level(i)`; returns the time, counted from `from`, at the
 * end of the reading that said noisy, or null.
 */
function feed(floor: NoiseFloor, from: number, ms: number, level: (i: number) => number, closed = false): number | null {
  for (let i = 0; i * READ_MS < ms; i++) if (floor.read(level(i), closed)) return from + (i + 1) * READ_MS;
  return null;
}

describe('the noise floor behind a voice', () => {
  it('puts the threshold at -60 dBFS', () => {
    expect(dbfs(-59)).toBeGreaterThan(NOISY_LEVEL);
    expect(dbfs(-61)).toBeLessThan(NOISY_LEVEL);
  });

  it('calls a steady noise over the threshold noisy once the window is full and the floor has held', () => {
    const at = feed(new NoiseFloor(), 0, 30_000, () => dbfs(-40));
    expect(at).toBe(WINDOW_MS + HOLD_MS);
  });

  it('finds the floor in the pauses of speech: a quiet room under a voice is not noisy, a noisy one is', () => {
    // Speech: three readings of voice, one of the room's own level.
    const speech = (room: number) => (i: number) => (i % 4 === 3 ? dbfs(room) : VOICE);
    expect(feed(new NoiseFloor(), 0, 60_000, speech(-75))).toBeNull();
    expect(feed(new NoiseFloor(), 0, 60_000, speech(-53))).not.toBeNull();
  });

  it('takes a noise that comes and goes for a quiet room', () => {
    // A door slam or a passing truck: 2 s of noise every 10 s.
    expect(feed(new NoiseFloor(), 0, 60_000, (i) => ((i * READ_MS) % 10_000 < 2000 ? dbfs(-30) : dbfs(-75)))).toBeNull();
  });

  it("skips a closed microphone's readings: its silence says nothing of the room, and push-to-talk's pauses do not start the count again", () => {
    const floor = new NoiseFloor();
    expect(feed(floor, 0, WINDOW_MS + HOLD_MS - READ_MS, () => dbfs(-40))).toBeNull();
    expect(feed(floor, 0, 60_000, () => 0, true)).toBeNull();
    // The next open reading completes the 12 s.
    expect(floor.read(dbfs(-40), false)).toBe(true);
  });
});
