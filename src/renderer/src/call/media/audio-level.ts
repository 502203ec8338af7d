/**
 * Audio levels on the one 0..1 scale every meter and speaking indicator in
 * the app uses, from either source: the RMS of samples (the local microphone,
 * through Web Audio: LevelMeter in audio.ts) or the RTP audio level of what a
 * peer sends (their audio as it arrives, read from the receiver). Pure: no
 * WebRTC, no Web Audio.
 */

/**
 * An RMS amplitude (0..1 of full scale) on the meters' perceptual scale: its
 * square root, so quiet speech still moves the meter, and 1.5 times that so
 * normal speech fills most of it. -40 dBFS (RMS 0.01) maps to 0.15.
 */
export function levelFromRms(rms: number): number {
  return Math.min(1, Math.sqrt(Math.max(0, rms)) * 1.5);
}

/** What `levelFromSources` reads of an RTCRtpSynchronizationSource. */
export interface SourceReading {
  /** When a frame from this source was last played out (Performance.timeOrigin + performance.now() in ms). */
  timestamp: number;
  /** Linear 0..1 (1 is 0 dBov); absent where the sender sent no audio-level header extension. */
  audioLevel?: number;
}

/**
 * A source's reading is kept by the browser for 10 s after its last packet;
 * once no frame has come for this long (the path broke, the peer went), it
 * no longer says anything about now. Playout pulls a frame every 10 ms, and a
 * busy machine was seen reading ~0.3 s old entries: 1 s leaves room for that.
 */
export const SOURCE_STALE_MS = 1000;

/**
 * The level of a peer's audio from their receiver's synchronization sources
 * (`RTCRtpReceiver.getSynchronizationSources()`), on the meters' scale. The
 * RTP audio level header (RFC 6464) carries each packet's RMS level in -dBov,
 * and `audioLevel` is that converted back to linear (10^(dBov/20)): the same
 * RMS amplitude relative to full scale that LevelMeter computes from
 * samples, so it goes through the same mapping and SPEAKING_LEVEL keeps
 * meaning about -40 dBov. No source yet, no level header, or only a stale
 * source reads as 0.
 */
export function levelFromSources(sources: readonly SourceReading[], now: number): number {
  let newest: SourceReading | undefined;
  for (const s of sources) if (!newest || s.timestamp > newest.timestamp) newest = s;
  if (!newest || newest.audioLevel === undefined || now - newest.timestamp > SOURCE_STALE_MS) return 0;
  return levelFromRms(newest.audioLevel);
}
