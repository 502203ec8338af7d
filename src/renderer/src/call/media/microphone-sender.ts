/**
 * A call's microphone sender: its track given (checked to feed it, below) or
 * taken off, and the earlier frames its packets carry where that is on
 * (`SenderRedundancy`).
 *
 * Chromium (150) sometimes leaves the sender of a Web Audio track (the
 * denoiser's, denoiser.ts) unfed after a negotiation: its media source counts
 * no samples, and not one packet leaves for the rest of the call, while the
 * track is live, the graph runs and the encoding is active. It happened to the
 * callee in 11 of 24 video calls on a busy machine: the answer gives the track
 * back, a few hundred milliseconds of audio leave, and the camera's
 * negotiation then leaves the sender unfed (tests/e2e/video.e2e.test.ts).
 * Giving the same track again feeds it. So after each attach and each
 * negotiation the sender's samples are read FEED_CHECK_MS apart; a sender fed
 * nothing over two such readings gets its track again, up to FEED_REGIVES
 * times per check.
 *
 * A muted microphone still feeds its sender (a disabled track gives silence),
 * and so does a call on hold (only its encodings are inactive).
 */
import { logger } from '../../lib/log.js';

const log = logger('microphone-sender');

/** Long enough for a fed sender to count samples (Chromium's stats are cached for 50 ms), short beside a reply. */
export const FEED_CHECK_MS = 500;
export const FEED_REGIVES = 2;

interface MediaSourceStats {
  type: string;
  kind?: string;
  totalSamplesDuration?: number;
}

/** Seconds of audio the sender's track has fed it (0 before any: a negotiation may start the count again). */
async function fedSeconds(sender: RTCRtpSender): Promise<number> {
  let seconds = 0;
  for (const entry of (await sender.getStats()).values() as Iterable<MediaSourceStats>) {
    if (entry.type === 'media-source' && entry.kind === 'audio') seconds = entry.totalSamplesDuration ?? 0;
  }
  return seconds;
}

export interface FeedOptions {
  /** Give the track first (an attach), or only check (after a negotiation). */
  give: boolean;
  /** Whether the sender is still meant to carry the track (the call not over, the microphone not taken off it). */
  still: () => boolean;
  wait?: (ms: number) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the count grows over one of two intervals: a count started again in the first is read in the second. */
async function fed(sender: RTCRtpSender, wait: (ms: number) => Promise<void>): Promise<boolean> {
  for (let i = 0; i < 2; i++) {
    const before = await fedSeconds(sender);
    await wait(FEED_CHECK_MS);
    if ((await fedSeconds(sender)) > before) return true;
  }
  return false;
}

/**
 * Gives `sender` its `track` (with `give`), and gives it again while the
 * sender counts no samples from it. Resolves with the times it was given again.
 */
export async function feed(sender: RTCRtpSender, track: MediaStreamTrack, options: FeedOptions): Promise<number> {
  const wait = options.wait ?? sleep;
  if (options.give) await sender.replaceTrack(track);
  let again = 0;
  while (again < FEED_REGIVES && options.still() && !(await fed(sender, wait)) && options.still()) {
    log.warn('microphone sender unfed: its track is given again');
    again++;
    await sender.replaceTrack(null);
    if (options.still()) await sender.replaceTrack(track);
  }
  return again;
}

/** More earlier frames in the voice's packets as the path loses them (audio-redundancy.ts). */
export interface SenderRedundancy {
  /** The loss the peer last reported on this side's audio, in percent (null before its first report). */
  read(lossPct: number | null): void;
  /** The camera paused for a path too thin for it, or resumed. */
  thinPath(thin: boolean): void;
  dispose(): void;
}

/** One call's microphone sender. */
export class MicrophoneSender {
  readonly sender: RTCRtpSender;
  #track: MediaStreamTrack;
  readonly redundancy: SenderRedundancy | null;
  #on = true;
  /** Each attach or check is a turn: a check of an earlier turn stops. */
  #turns = 0;
  #closed = false;

  /** Made with the sender's track on, before the sender's first negotiation. */
  constructor(sender: RTCRtpSender, track: MediaStreamTrack, redundancy: SenderRedundancy | null) {
    this.sender = sender;
    this.#track = track;
    this.redundancy = redundancy;
  }

  /** Gives the sender its track (checked to feed it), or takes it off: once per change. */
  send(on: boolean): void {
    if (this.#closed || this.#on === on) return;
    this.#on = on;
    if (on) this.#feed(true);
    else void this.sender.replaceTrack(null);
  }

  /** Another track to send (the microphone replaced): given now if the sender carries one, else at the next `send(true)`. */
  replace(track: MediaStreamTrack): void {
    this.#track = track;
    if (!this.#closed && this.#on) this.#feed(true);
  }

  /** A negotiation completed: the sender it may have left unfed is checked. */
  negotiated(): void {
    if (!this.#closed && this.#on) this.#feed(false);
  }

  #feed(give: boolean): void {
    const turn = ++this.#turns;
    void feed(this.sender, this.#track, { give, still: () => !this.#closed && this.#on && this.#turns === turn });
  }

  close(): void {
    this.#closed = true;
    this.redundancy?.dispose();
  }
}
