/**
 * One reading of a call's speech: the receiver's WebRTC counters before and
 * after a window, the audio it played in that window recorded and scored
 * against the known signal (tone-sequence.ts), and what the sender spent.
 */
import type { Page } from 'playwright-core';
import { audioCounters, startRecording, stopRecording, type AudioCounters } from './page-audio.js';
import { RATE, scoreToneSequence } from './tone-sequence.js';
import { writeWav } from '../../tests/e2e/chromium.js';

export interface SpeechReading {
  /** concealedSamples / totalSamplesReceived over the window, percent (silent concealment is part of concealedSamples). */
  concealedPct: number;
  /** silentConcealedSamples / totalSamplesReceived, percent. */
  silentConcealedPct: number;
  concealmentEvents: number;
  /** Samples the jitter buffer stretched or squeezed out to change its delay (NetEq's deceleration and acceleration), percent of samples received. */
  stretchedPct: number;
  /** Mean time a sample waited in the jitter buffer, ms. */
  jitterBufferMs: number;
  /** Audio packets lost on the way, percent (after RTX, before FEC or RED repair). */
  packetLossPct: number;
  fecPackets: number;
  /** The sender's audio payload (Opus, its FEC and RED's redundant copies), kbit/s: what protection costs. */
  audioKbps: number;
  /** Its RTP headers and padding (bandwidth probes ride on it), kbit/s. */
  audioHeaderKbps: number;
  /** The sender's video, kbit/s (0 without a camera). */
  videoKbps: number;
  /** Reference score: 20 ms segments whose tone arrived intact, percent. */
  intactPct: number;
  segments: number;
  /** The codec the receiver got audio in, and the one the sender sent in. */
  codec: { received: string; sent: string };
  seconds: number;
}

const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Reads what `receiver` gets from `sender` over its next `seconds` of audio received (kept as a WAV file in `keep`). */
export async function readSpeech(sender: Page, receiver: Page, seconds: number, keep?: string): Promise<SpeechReading> {
  const [r0, s0] = [await audioCounters(receiver), await audioCounters(sender)];
  await startRecording(receiver);
  await receivedMore(receiver, seconds);
  const recording = await stopRecording(receiver);
  const [r1, s1] = [await audioCounters(receiver), await audioCounters(sender)];
  if (keep) writeWav(keep, recording.length / RATE, (t) => recording[Math.round(t * RATE)] ?? 0);
  return speechReading(r0, r1, s0, s1, scoreToneSequence(recording));
}

export function speechReading(r0: AudioCounters, r1: AudioCounters, s0: AudioCounters, s1: AudioCounters, score: { intactPct: number; segments: number }): SpeechReading {
  const d = (k: keyof AudioCounters['received']) => (r1.received[k] as number) - (r0.received[k] as number);
  const samples = d('totalSamplesReceived');
  const lost = Math.max(0, d('packetsLost'));
  const emitted = d('jitterBufferEmittedCount');
  const sentMs = s1.timestamp - s0.timestamp;
  return {
    concealedPct: round(samples > 0 ? (100 * d('concealedSamples')) / samples : 100),
    silentConcealedPct: round(samples > 0 ? (100 * d('silentConcealedSamples')) / samples : 100),
    concealmentEvents: d('concealmentEvents'),
    stretchedPct: round(samples > 0 ? (100 * (d('insertedSamplesForDeceleration') + d('removedSamplesForAcceleration'))) / samples : 0),
    jitterBufferMs: round(emitted > 0 ? (1000 * d('jitterBufferDelay')) / emitted : 0, 1),
    packetLossPct: round(lost + d('packetsReceived') > 0 ? (100 * lost) / (lost + d('packetsReceived')) : 0),
    fecPackets: d('fecPacketsReceived'),
    audioKbps: round(sentMs > 0 ? (8 * (s1.sent.bytes - s0.sent.bytes)) / sentMs : 0, 1),
    audioHeaderKbps: round(sentMs > 0 ? (8 * (s1.sent.headerBytes - s0.sent.headerBytes)) / sentMs : 0, 1),
    videoKbps: round(sentMs > 0 ? (8 * (s1.sent.videoBytes - s0.sent.videoBytes)) / sentMs : 0, 1),
    intactPct: round(score.intactPct),
    segments: score.segments,
    codec: { received: r1.received.codec, sent: s1.sent.codec },
    seconds: round((r1.timestamp - r0.timestamp) / 1000, 1),
  };
}

/**
 * Waits until `receiver` has received `seconds` more of audio, by its statistics (read every
 * 250 ms): a reading spans so much audio, however slowly the machine runs.
 */
export async function receivedMore(receiver: Page, seconds: number): Promise<void> {
  const start = (await audioCounters(receiver)).received.totalSamplesReceived;
  const deadline = Date.now() + (seconds + 30) * 1000;
  while ((await audioCounters(receiver)).received.totalSamplesReceived - start < seconds * RATE) {
    if (Date.now() > deadline) throw new Error(`${seconds} s of audio did not arrive in ${seconds + 30} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
