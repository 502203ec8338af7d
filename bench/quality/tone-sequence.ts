/**
 * The known signal of `bench:quality` and the reference-based score of what
 * arrives (PESQ and ViSQOL do not install here: no npm or Debian package).
 *
 * The signal: 20 ms segments, each a pure tone of one of twelve frequencies
 * (a 1.2 ratio apart, 350 to 2740 Hz, inside the telephone band), in a
 * seeded pseudo-random order where no segment repeats the one before. The
 * phase runs on across segments (no clicks). One loop is 5 s (250
 * segments); Chromium's fake microphone plays it over and over.
 *
 * The score ("segments intact"): the received recording is cut into
 * 20 ms segments aligned to what was sent, and a segment is intact when, in
 * its middle 16 ms, (1) the strongest of the twelve frequencies is the one
 * sent, (2) that tone carries at least a quarter of the segment's energy
 * (the rest at least 6 dB below it), and (3) the level of each half of it
 * is within 10 dB of the recording's typical (median) level: a tone cut
 * short by silence is weak in one half. (2) was half at
 * first: Opus codes in its SILK mode once its FEC is on, which renders a
 * pure tone with more noise around it than its CELT mode does, and half
 * failed segments that had lost nothing; a quarter still fails noise.
 * Concealment cannot pass: a lost packet is concealed by stretching the
 * last pitch period out (the previous segment's tone, which is never the
 * same as the next) and then fading to silence, and noise or silence fail (2) or (3).
 *
 * Alignment: the delay through a call moves (the jitter buffer grows and
 * shrinks and time-stretches the sound), so the recording is aligned block by
 * block (200 ms: 10 segments, so a jump in the delay costs at most a block): for each block the offset within a
 * segment (1 ms steps) and the position in the loop that make the most
 * segments match are searched, and the block is scored at that alignment.
 * Among alignments that match as many, the one whose matching tones are
 * purest wins: the strongest tone stays right a few ms off the segments, so
 * several offsets tie on matches, and taking the first of them scored
 * segments across a change of tone, which a noisier coding (Opus's SILK
 * mode, under loss) then failed on purity: the score swung with where the
 * recording happened to start (86 to 98 % at 10 % loss, the same audio).
 * A block of noise matches by chance about one segment in twelve at the
 * best of the many alignments tried, but its segments are not pure tones:
 * noise scores under 5 % (tests/e2e/bench-quality-score.e2e.test.ts).
 *
 * Validated in bench:quality's own run: the bare pair's score must fall as random loss rises.
 */
import { writeWav } from '../../tests/e2e/chromium.js';

export const RATE = 48_000;
export const SEGMENT_MS = 20;
export const SEGMENT = (RATE * SEGMENT_MS) / 1000;
export const LOOP_SEGMENTS = 250;
export const FREQUENCIES = Array.from({ length: 12 }, (_, i) => Math.round(350 * 1.2 ** i));
const AMPLITUDE = 0.3;
/** Analysed: the middle of each segment (16 of 20 ms), clear of the change of tone at each end. */
const WINDOW = (RATE * 16) / 1000;
const WINDOW_START = (SEGMENT - WINDOW) / 2;
const BLOCK_SEGMENTS = 10;
const OFFSET_STEP = RATE / 1000;
const PURITY = 0.25;
const LEVEL_RANGE_DB = 10;

/** mulberry32: a small seeded generator, so the sequence is the same every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The frequency index of each segment of the loop. */
export function toneOrder(seed = 39): number[] {
  const next = seeded(seed);
  const order: number[] = [];
  while (order.length < LOOP_SEGMENTS) {
    const i = Math.floor(next() * FREQUENCIES.length);
    if (i !== order.at(-1) && (order.length < LOOP_SEGMENTS - 1 || i !== order[0])) order.push(i);
  }
  return order;
}

/** The loop's samples (-1..1). */
export function toneSequence(order = toneOrder()): Float32Array {
  const out = new Float32Array(order.length * SEGMENT);
  let phase = 0;
  for (let n = 0; n < out.length; n++) {
    const hz = FREQUENCIES[order[Math.floor(n / SEGMENT)]!]!;
    out[n] = AMPLITUDE * Math.sin(phase);
    phase = (phase + (2 * Math.PI * hz) / RATE) % (2 * Math.PI);
  }
  return out;
}

/** The loop as the fake microphone's WAV file. */
export function writeToneSequenceWav(file: string): void {
  const samples = toneSequence();
  writeWav(file, samples.length / RATE, (t) => samples[Math.round(t * RATE)] ?? 0);
}

/** Power of `hz` in `x[from .. from+len)` (Goertzel), as a mean square: a full-window tone of amplitude A gives A²/2. */
function tonePower(x: Float32Array, from: number, len: number, hz: number): number {
  const w = (2 * Math.PI * hz) / RATE;
  const c = 2 * Math.cos(w);
  let s1 = 0;
  let s2 = 0;
  for (let n = from; n < from + len; n++) {
    const s0 = (x[n] ?? 0) + c * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  const re = s1 - s2 * Math.cos(w);
  const im = s2 * Math.sin(w);
  return (2 * (re * re + im * im)) / (len * len);
}

interface SegmentReading {
  /** Strongest of the frequencies. */
  index: number;
  /** Its share of the segment's energy. */
  purity: number;
  /** Mean square of the analysed window. */
  power: number;
  /** Mean square of its weaker half: a tone cut short by silence is weak in one half. */
  level: number;
}

function readSegment(x: Float32Array, start: number): SegmentReading {
  const from = start + WINDOW_START;
  const half = [0, 0];
  for (let n = from; n < from + WINDOW; n++) half[n < from + WINDOW / 2 ? 0 : 1]! += (x[n] ?? 0) ** 2;
  const power = (half[0]! + half[1]!) / WINDOW;
  let index = 0;
  let best = -1;
  for (let i = 0; i < FREQUENCIES.length; i++) {
    const p = tonePower(x, from, WINDOW, FREQUENCIES[i]!);
    if (p > best) [best, index] = [p, i];
  }
  return { index, purity: power > 0 ? best / power : 0, power, level: (2 * Math.min(half[0]!, half[1]!)) / WINDOW };
}

export interface ToneScore {
  /** Segments intact, percent of those scored. */
  intactPct: number;
  segments: number;
  /** Segments whose tone was right but weak, impure or at the wrong level (concealment, noise). */
  wrongLevelOrImpure: number;
  /** The median level of the segments, dBFS. */
  medianDb: number;
}

/**
 * The share of `recording`'s 20 ms segments whose tone arrived intact,
 * aligned block by block to the loop `order` (see the top of this file).
 * Silence before the first sound is skipped.
 */
export function scoreToneSequence(recording: Float32Array, order = toneOrder()): ToneScore {
  let first = 0;
  while (first < recording.length && Math.abs(recording[first]!) < 0.01) first++;
  const blockLen = BLOCK_SEGMENTS * SEGMENT;
  const blocks = Math.floor((recording.length - first - SEGMENT) / blockLen);
  const chosen: SegmentReading[][] = [];
  const matches: boolean[][] = [];
  for (let b = 0; b < blocks; b++) {
    const base = first + b * blockLen;
    let best = -1;
    for (let offset = 0; offset < SEGMENT; offset += OFFSET_STEP) {
      const readings = Array.from({ length: BLOCK_SEGMENTS }, (_, k) => readSegment(recording, base + offset + k * SEGMENT));
      for (let shift = 0; shift < order.length; shift++) {
        const hit = readings.map((r, k) => r.index === order[(shift + k) % order.length]);
        // Most segments right first; among alignments as good, the one whose right tones are purest
        // (the strongest tone stays right a few ms off the segments, its share of the window does not).
        const fit = hit.reduce((sum, h, k) => (h ? sum + 1 + readings[k]!.purity / (BLOCK_SEGMENTS + 1) : sum), 0);
        if (fit > best) {
          best = fit;
          chosen[b] = readings;
          matches[b] = hit;
        }
      }
    }
  }
  const readings = chosen.flat();
  const powers = readings.map((r) => r.level).sort((a, b) => a - b);
  const median = powers[Math.floor(powers.length / 2)] ?? 0;
  const floor = median * 10 ** (-LEVEL_RANGE_DB / 10);
  let intact = 0;
  let wrongLevelOrImpure = 0;
  matches.flat().forEach((hit, i) => {
    if (!hit) return;
    const r = readings[i]!;
    if (r.purity >= PURITY && r.level >= floor) intact++;
    else wrongLevelOrImpure++;
  });
  return {
    intactPct: readings.length ? (100 * intact) / readings.length : 0,
    segments: readings.length,
    wrongLevelOrImpure,
    medianDb: median > 0 ? 10 * Math.log10(median) : -100,
  };
}
