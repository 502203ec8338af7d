/**
 * A media timeout: a connection that says it is up (ICE connected) while no
 * audio packet arrives over it. ICE keeps a path "connected" as long as its
 * connectivity checks are answered, which says nothing about the media: a
 * peer whose sender lost its track, or a path that lets the checks through
 * and drops the RTP, leaves a call that looks up and is silent for good.
 *
 * Counted in packets, never in level: mute disables the track
 * (CallSession.setMuted), and a disabled audio track still sends frames (of
 * silence), so a muted peer's packets keep arriving and a quiet room is not
 * a silent path. Pure policy, no WebRTC: the mesh feeds it the statistics it
 * samples for the quality score anyway (every STATS_INTERVAL_MS).
 */

/**
 * How long a connected path may carry no audio before the call is given up:
 * the same as a path that went down gets to come back (RECONNECT_LIMIT_MS),
 * so that either way twenty seconds without audio ends it.
 */
export const MEDIA_TIMEOUT_MS = 20_000;
/** How often the call's statistics are read (quality, and this). */
export const STATS_INTERVAL_MS = 2000;
/**
 * Samples further apart than this: this side stood still (a machine that
 * slept, a stalled window), so the time between them says nothing about the
 * path and the count starts again.
 */
export const SAMPLE_GAP_MS = 5 * STATS_INTERVAL_MS;

export class AudioWatch {
  /** The packet count last read, when it was first read at that value, and the last sample's time. */
  #last: { packets: number; since: number; at: number } | null = null;

  /**
   * One sample at `now`: audio packets received so far, or null while no
   * audio is due (the path is not connected, or no audio track comes from
   * the peer). Says whether no packet has arrived for MEDIA_TIMEOUT_MS.
   */
  sample(now: number, packets: number | null): boolean {
    const last = this.#last;
    if (packets === null || !last || packets !== last.packets || now - last.at > SAMPLE_GAP_MS) {
      this.#last = packets === null ? null : { packets, since: now, at: now };
      return false;
    }
    last.at = now;
    return now - last.since >= MEDIA_TIMEOUT_MS;
  }
}
