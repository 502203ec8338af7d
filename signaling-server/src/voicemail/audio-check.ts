/**
 * What an upload is, by its bytes: Ogg Opus or WebM Opus, and how long it
 * plays. Anything else (another format, a damaged or cut-off file, audio
 * with no sound at all) is refused with AudioRefused, whose message says why.
 */
import type { VoicemailMime } from '../protocol/index.js';
import { oggOpusDurationMs } from './ogg-opus.js';
import { AudioRefused } from './opus-packets.js';
import { webmOpusDurationMs } from './webm-opus.js';

export { AudioRefused } from './opus-packets.js';

export interface CheckedAudio {
  mime: VoicemailMime;
  durationMs: number;
}

const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export function checkAudio(bytes: Buffer): CheckedAudio {
  let audio: CheckedAudio;
  if (bytes.subarray(0, 4).toString('latin1') === 'OggS') audio = { mime: 'audio/ogg', durationMs: oggOpusDurationMs(bytes) };
  else if (bytes.subarray(0, 4).equals(EBML_MAGIC)) audio = { mime: 'audio/webm', durationMs: webmOpusDurationMs(bytes) };
  else throw new AudioRefused('not Opus audio in Ogg or WebM');
  if (audio.durationMs <= 0) throw new AudioRefused('it holds no audio');
  return audio;
}
