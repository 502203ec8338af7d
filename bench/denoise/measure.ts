/**
 * What the peer receives, read the way WebRTC reports it: the inbound audio's
 * totalAudioEnergy over totalSamplesDuration between two readings is the mean
 * square of the received sound's level (each 10 ms frame's peak, relative to
 * full scale) over that stretch; in dB, 0 is full scale. Read in short
 * windows over several loops of the fake microphone's file, the quietest
 * windows are the noise floor (the voice is quiet for most of each loop) and
 * the loudest are the voice.
 */
import type { Page } from 'playwright-core';
import type { NoiseSuppression } from '../../src/shared/preferences.js';

/** The inbound audio's running energy and duration on the page's newest peer connection. */
export function receivedEnergy(page: Page): Promise<{ energy: number; duration: number } | null> {
  return page.evaluate(async () => {
    const pc = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.at(-1);
    if (!pc || pc.connectionState === 'closed') return null;
    for (const s of (await pc.getStats()).values() as IterableIterator<{ type: string; kind?: string; totalAudioEnergy?: number; totalSamplesDuration?: number }>) {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') return { energy: s.totalAudioEnergy ?? 0, duration: s.totalSamplesDuration ?? 0 };
    }
    return null;
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** dB of a mean square; silence (0) is floored at -100 dB. */
const db = (meanSquare: number) => Math.max(-100, 10 * Math.log10(meanSquare));

/** The received level in dB of each `windowMs` stretch over `seconds`. */
export async function receivedLevels(page: Page, seconds: number, windowMs = 250): Promise<number[]> {
  const levels: number[] = [];
  let last = await receivedEnergy(page);
  for (const end = Date.now() + seconds * 1000; Date.now() < end; ) {
    await sleep(windowMs);
    const now = await receivedEnergy(page);
    if (last && now && now.duration > last.duration) levels.push(db((now.energy - last.energy) / (now.duration - last.duration)));
    last = now;
  }
  return levels;
}

/** The value below which `p` (0..1) of `values` lie. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))]!;
}

/** The noise floor (the 20th percentile: the voice is quiet for more than half of each loop) and the voice (the 95th). */
export function floorAndVoice(levels: readonly number[]): { floorDb: number; voiceDb: number } {
  return { floorDb: percentile(levels, 0.2), voiceDb: percentile(levels, 0.95) };
}

const LABELS: Record<NoiseSuppression, string> = { auto: 'Auto', strong: 'Strong', browser: 'Standard', off: 'Off' };

/** Sets noise suppression in Settings, as a person does, and goes back to the contacts. */
export async function chooseNoiseSuppression(page: Page, level: NoiseSuppression): Promise<void> {
  await page.getByRole('button', { name: 'Settings', exact: true }).click();
  await page.getByLabel('Noise suppression').selectOption({ label: LABELS[level] });
  await page.getByRole('button', { name: 'Contacts', exact: true }).click();
}
