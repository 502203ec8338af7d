/**
 * The reference-based score of bench:quality (bench/quality/tone-sequence.ts)
 * on signals made here, no browser: the sent loop scores fully however it is
 * delayed; segments replaced by the previous tone (as concealment does), by
 * silence or by noise do not count; noise alone stays near chance; the score
 * falls as more segments are lost; a noisily coded tone scores the same
 * wherever the recording starts.
 */
import { describe, expect, it } from 'vitest';
import { FREQUENCIES, LOOP_SEGMENTS, RATE, SEGMENT, scoreToneSequence, toneOrder, toneSequence } from '../../bench/quality/tone-sequence.js';

/** Two loops of the signal, delayed by `delay` samples of silence. */
function received(delay: number): Float32Array {
  const loop = toneSequence();
  const out = new Float32Array(delay + 2 * loop.length);
  out.set(loop, delay);
  out.set(loop, delay + loop.length);
  return out;
}

/** A deterministic generator for the damage done. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

/** Replaces a share of 20 ms stretches (not aligned to the segments) as `damage` says. */
function damaged(x: Float32Array, share: number, damage: 'repeat' | 'silence', seed = 1): Float32Array {
  const out = x.slice();
  const next = lcg(seed);
  const start = 777; // packets do not line up with the segments
  for (let p = start; p + SEGMENT <= out.length; p += SEGMENT) {
    if (next() >= share) continue;
    for (let n = p; n < p + SEGMENT; n++) out[n] = damage === 'silence' ? 0 : (out[n - SEGMENT] ?? 0);
  }
  return out;
}

describe('the tone-sequence score', () => {
  it('the loop has 250 segments of twelve frequencies, never one twice in a row', () => {
    const order = toneOrder();
    expect(order).toHaveLength(LOOP_SEGMENTS);
    expect(new Set(order).size).toBe(FREQUENCIES.length);
    order.forEach((f, i) => expect(f).not.toBe(order[(i + 1) % order.length]));
    expect(toneOrder()).toEqual(order);
  });

  it('what was sent scores (nearly) fully at any delay', () => {
    for (const delay of [0, 1234, RATE / 3]) expect(scoreToneSequence(received(delay)).intactPct).toBeGreaterThan(99);
  });

  it('concealment (the last tone stretched on) and silence do not count, and the score falls as loss rises', () => {
    const clean = received(500);
    const scores = [0.05, 0.1, 0.2].map((share) => scoreToneSequence(damaged(clean, share, 'repeat')).intactPct);
    expect(scores[0]).toBeLessThan(97);
    expect(scores[0]).toBeGreaterThan(scores[1]!);
    expect(scores[1]).toBeGreaterThan(scores[2]!);
    expect(scores[2]).toBeLessThan(88);
    expect(scoreToneSequence(damaged(clean, 0.2, 'silence')).intactPct).toBeLessThan(88);
  });

  it('with noise around every tone (as Opus codes it under loss), the score does not depend on where the recording starts', () => {
    const next = lcg(3);
    const noisy = received(0).map((v) => v + (next() - 0.5) * 0.55);
    // Every start within a segment, so that each block's alignment is searched from a different phase.
    for (let delay = 0; delay < SEGMENT; delay += SEGMENT / 8) {
      const x = new Float32Array(delay + noisy.length);
      x.fill(0.02, 0, delay);
      x.set(noisy, delay);
      expect(scoreToneSequence(x).intactPct).toBeGreaterThan(97);
    }
  });

  it('noise scores near chance', () => {
    const next = lcg(7);
    const noise = Float32Array.from({ length: 5 * RATE }, () => (next() - 0.5) * 0.6);
    expect(scoreToneSequence(noise).intactPct).toBeLessThan(5);
  });
});
