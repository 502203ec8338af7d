/**
 * The audio check on every cut and every damaged byte of real recordings:
 * it either reads the file or refuses it with AudioRefused (a reason in
 * words), never throws anything else, which would answer a hostile upload
 * with a server error.
 */
import { describe, expect, it } from 'vitest';
import { AudioRefused, checkAudio } from '../src/voicemail/audio-check.js';
import { oggTone, webmOf } from './voicemail-audio.js';

function outcome(bytes: Buffer): string {
  try {
    return `ok ${checkAudio(bytes).mime}`;
  } catch (err) {
    if (err instanceof AudioRefused) return 'refused';
    throw err;
  }
}

describe('the voicemail audio check', () => {
  const ogg = oggTone(440, 1);
  const webm = webmOf(ogg);

  it('reads both containers and their durations from the packets', () => {
    for (const [bytes, mime] of [[ogg, 'audio/ogg'], [webm, 'audio/webm']] as const) {
      const audio = checkAudio(bytes);
      expect(audio.mime).toBe(mime);
      expect(Math.abs(audio.durationMs - 1000)).toBeLessThan(30);
    }
  });

  it('refuses every cut of an Ogg file and never fails otherwise on a cut or a damaged byte', () => {
    for (let end = 0; end < ogg.length; end += 7) expect(outcome(ogg.subarray(0, end))).toBe('refused');
    for (let at = 0; at < ogg.length; at += 5) {
      const damaged = Buffer.from(ogg);
      damaged[at] = (damaged[at] ?? 0) ^ 0x5a;
      expect(outcome(damaged)).toBe('refused');
    }
  });

  it('never fails otherwise on a cut or a damaged byte of a WebM file', () => {
    const seen = new Set<string>();
    for (let end = 0; end < webm.length; end += 3) seen.add(outcome(webm.subarray(0, end)));
    for (let at = 0; at < webm.length; at += 3) {
      const damaged = Buffer.from(webm);
      damaged[at] = (damaged[at] ?? 0) ^ 0xff;
      seen.add(outcome(damaged));
    }
    // A cut between blocks is still a shorter recording (MediaRecorder's clusters have no size to miss).
    expect(seen).toEqual(new Set(['refused', 'ok audio/webm']));
  });
});
