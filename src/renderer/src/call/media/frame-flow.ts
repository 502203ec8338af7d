/**
 * Whether a peer's video actually arrives, from frames decoded, not from
 * what its SDP says. A peer may negotiate `sendrecv` video and send nothing
 * (no camera, or a track it never set): its tile must not appear until
 * frames do, and must go when they stop.
 *
 * Why `framesDecoded` (inbound-rtp, from the receiver's own getStats):
 * - the track's `unmute` event fires in Chromium on the first RTP packet, but
 *   it is not fired again as `mute` when the peer stops sending while the SDP
 *   still says `sendrecv` (replaceTrack(null)), so a tile would never leave;
 * - `requestVideoFrameCallback` needs a playing <video> element, and the
 *   tile's element is exactly what does not exist yet;
 * - `framesDecoded` counts what can be shown, is per receiver, and costs one
 *   small getStats call per offered slot and interval.
 * So `unmute` only triggers an early reading, `mute` hides at once, and the
 * counter decides.
 */

/** Readings while waiting for the first frames, and while they flow. */
export const WAIT_INTERVAL_MS = 500;
export const FLOW_INTERVAL_MS = 1000;
/**
 * No new frame for this long: the video stopped. A still shared screen is
 * still repeated by the sender's encoder about once a second, so this is
 * well above that.
 */
export const STALL_MS = 4000;

/** The pure part: feeds on (framesDecoded, time) readings, says whether frames flow. */
export class FrameFlow {
  #last = 0;
  #lastNewFrame = 0;
  flowing = false;

  /** A reading; returns whether frames flow now. */
  sample(framesDecoded: number, now: number): boolean {
    if (framesDecoded > this.#last) {
      this.#last = framesDecoded;
      this.#lastNewFrame = now;
      this.flowing = true;
    } else if (framesDecoded < this.#last) {
      this.#last = framesDecoded; // a new receiver or a reset counter: a baseline, not frames
    } else if (this.flowing && now - this.#lastNewFrame >= STALL_MS) {
      this.flowing = false;
    }
    return this.flowing;
  }

  /** The track was muted: nothing flows until a new frame is counted. */
  stop(): void {
    this.flowing = false;
  }
}

/** Frames decoded by one receiver so far (0 before any inbound-rtp exists). */
export async function framesDecoded(receiver: RTCRtpReceiver): Promise<number> {
  let frames = 0;
  for (const s of (await receiver.getStats()).values() as IterableIterator<{ type: string; kind?: string; framesDecoded?: number }>) {
    if (s.type === 'inbound-rtp' && s.framesDecoded !== undefined) frames = Math.max(frames, s.framesDecoded);
  }
  return frames;
}

/**
 * Watches one receiver while the peer may send on it: calls `onChange` when
 * frames start or stop flowing. Readings are spaced out and never overlap.
 */
export class FrameWatch {
  readonly #flow = new FrameFlow();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #reading = false;
  #stopped = false;

  readonly #receiver: RTCRtpReceiver;
  readonly #read: (receiver: RTCRtpReceiver) => Promise<number>;

  constructor(
    receiver: RTCRtpReceiver,
    private readonly onChange: (flowing: boolean) => void,
    read: (receiver: RTCRtpReceiver) => Promise<number> = framesDecoded,
  ) {
    this.#receiver = receiver;
    this.#read = read;
    receiver.track.addEventListener('unmute', this.#onUnmute);
    receiver.track.addEventListener('mute', this.#onMute);
    void this.#tick();
  }

  get flowing(): boolean {
    return this.#flow.flowing;
  }

  dispose(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#receiver.track.removeEventListener('unmute', this.#onUnmute);
    this.#receiver.track.removeEventListener('mute', this.#onMute);
  }

  /** Read through a call: `stopped` changes while a reading is awaited. */
  #disposed(): boolean {
    return this.#stopped;
  }

  readonly #onUnmute = (): void => {
    if (this.#timer) clearTimeout(this.#timer);
    void this.#tick();
  };

  readonly #onMute = (): void => {
    if (!this.#flow.flowing) return;
    this.#flow.stop();
    this.onChange(false);
  };

  async #tick(): Promise<void> {
    if (this.#stopped || this.#reading) return;
    this.#reading = true;
    this.#timer = null;
    const was = this.#flow.flowing;
    try {
      this.#flow.sample(await this.#read(this.#receiver), performance.now());
    } catch {
      // A closed connection: the next reading, if any, says more.
    }
    this.#reading = false;
    if (this.#disposed()) return;
    if (this.#flow.flowing !== was) this.onChange(this.#flow.flowing);
    this.#timer = setTimeout(() => void this.#tick(), this.#flow.flowing ? FLOW_INTERVAL_MS : WAIT_INTERVAL_MS);
  }
}
