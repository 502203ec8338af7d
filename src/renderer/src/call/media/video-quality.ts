/**
 * Adaptive video for one peer connection: video gives way before audio.
 *
 * - Audio is sent with `priority` and `networkPriority` high, video low, so
 *   the sender's pacer and the network (DSCP) favour audio.
 * - Each video source climbs a ladder of levels (bitrate cap, resolution
 *   scale, frame rate cap). A camera keeps its frame rate and loses
 *   resolution (`maintain-framerate`); a shared screen keeps its resolution,
 *   so text stays readable, and loses frames (`maintain-resolution`).
 * - Every STATS_INTERVAL_MS a pure controller (`decide`) reads the sender's
 *   statistics: the loss the peer reports (remote-inbound-rtp), why the
 *   encoder is held back (qualityLimitationReason) and the bitrate the
 *   congestion controller gives the video (outbound-rtp targetBitrate). It
 *   steps down at once when the path struggles, and back up only after
 *   several good readings in a row, waiting longer each time a step up had
 *   to be taken back (so a thin path is not probed every few seconds).
 *
 * - Past the camera's last level, when the congestion controller still gives
 *   it less than that level needs, the camera pauses (its encoding inactive):
 *   on a thin uplink the voice keeps the link. It resumes on the same terms as
 *   a step up, after good readings of the audio's loss, backing off each time
 *   the path could not carry it. A shared screen never pauses.
 *
 * The target, not the candidate pair's availableOutgoingBitrate: Chromium
 * reports that once and never updates it (seen at 2.4 Mbit/s for a whole
 * call through a 400 kbit/s link). And 'bandwidth' alone does not mean the
 * path is thin: the encoder says so too when our own cap is what holds it.
 */
import { logger } from '../../lib/log.js';
import { CAMERA_LADDER, GROUP_CAMERA_LADDER, SCREEN_LADDER, type VideoLevel } from './video-ladders.js';

const log = logger('video-quality');

export const STATS_INTERVAL_MS = 2000;
/** Loss (0..1) from which video steps down one level, and two. */
export const LOSS_STEP = 0.03;
export const LOSS_SEVERE = 0.1;
/** Below this loss a reading counts as good. */
export const LOSS_GOOD = 0.01;
/** Good readings in a row before stepping back up, doubled for each step up taken back in a row. */
export const GOOD_STREAK_UP = 3;
/** At most this many doublings (3 readings × 2⁴: 48 readings, about 1.5 min between probes of a thin path). */
export const MAX_BACKOFF = 4;
/** Doublings added to a paused camera's wait before it is tried again (3 readings × 2²: 24 s at first). */
export const PAUSE_BACKOFF = 2;
/** A step down within this many readings of a step up takes that step back. */
export const PROBE_READINGS = 3;
/**
 * The voice's cap while the camera is paused for the path. RED's copies count
 * in it: 40 kbit/s leaves Opus about 20 (wideband speech, where 12 smeared
 * tones in a quarter of bench:quality's segments), and with the headers the
 * voice takes about 65 kbit/s of a 100 kbit/s path where 32 kbit/s Opus
 * would take about 90.
 */
export const THIN_PATH_AUDIO_BITRATE = 40_000;
/** The congestion controller gives the video less than this share of the cap: the path, not the cap, holds it. */
export const PATH_HELD = 0.75;

export interface VideoSample {
  /** Fraction of packets lost (0..1) as the peer last reported; null before its first report. */
  loss: number | null;
  /** Why the encoder is held back: 'none', 'bandwidth', 'cpu', 'other'; null when unknown. */
  limitation: string | null;
  /** Bits per second the congestion controller gives this video now (at most the cap); null when unknown. */
  target: number | null;
}

export interface ControllerState {
  level: number;
  goodStreak: number;
  /** Readings since the last step up (Infinity when there was none). */
  sinceUp: number;
  /** Steps up taken back in a row: each doubles the wait before the next. */
  backoff: number;
}

export const START: ControllerState = { level: 0, goodStreak: 0, sinceUp: Infinity, backoff: 0 };

/** The level past a ladder's last: the source is not sent at all (`pausable` only). */
export const pausedLevel = (ladder: readonly VideoLevel[]): number => ladder.length;

/** The next level for one video source after one reading: pure. `pausable`: past the last level, the source pauses (see above). */
export function decide(state: ControllerState, reading: VideoSample, ladder: readonly VideoLevel[], pausable = false): ControllerState {
  const paused = state.level >= pausedLevel(ladder);
  // Paused, the sender sends nothing to read: only the audio's loss, which the path shares, says how it is.
  const sample: VideoSample = paused ? { loss: reading.loss, limitation: null, target: null } : reading;
  const last = ladder.length - 1;
  const loss = sample.loss ?? 0;
  const cap = ladder[state.level]?.maxBitrate ?? 0;
  const pathHeld = sample.target !== null && sample.target < cap * PATH_HELD;
  // Held by the path: the best level whose cap fits what the congestion controller gives.
  const fits = pathHeld && sample.target !== null ? firstFitting(ladder, sample.target) : 0;
  let steps = 0;
  if (loss >= LOSS_SEVERE) steps = 2;
  else if (loss >= LOSS_STEP || pathHeld || sample.limitation === 'cpu' || (sample.limitation === 'bandwidth' && sample.target === null)) steps = 1;
  // Loss alone never pauses: a lossy path may still carry the last level; one too thin for it cannot.
  const down = pausable && state.level === last && pathHeld ? pausedLevel(ladder) : Math.min(last, Math.max(state.level + steps, fits));
  const sinceUp = state.sinceUp + 1;
  if (down > state.level) {
    const tookBack = sinceUp <= PROBE_READINGS;
    return { level: down, goodStreak: 0, sinceUp: Infinity, backoff: tookBack ? Math.min(MAX_BACKOFF, state.backoff + 1) : 0 };
  }

  // 'bandwidth' with a target at the cap is our cap holding the encoder: raising it is the cure.
  const limitationGood = sample.limitation === null || sample.limitation === 'none' || (sample.limitation === 'bandwidth' && sample.target !== null);
  const good = loss < LOSS_GOOD && limitationGood && state.level > 0;
  if (!good) return { ...state, goodStreak: 0, sinceUp };
  const streak = state.goodStreak + 1;
  // A pause is left later than a level: trying the camera again costs the voice the link while it lasts.
  const backoff = paused ? Math.min(MAX_BACKOFF, state.backoff + PAUSE_BACKOFF) : state.backoff;
  if (streak < GOOD_STREAK_UP * 2 ** backoff) return { ...state, goodStreak: streak, sinceUp };
  return { level: state.level - 1, goodStreak: 0, sinceUp: 0, backoff: state.backoff };
}

function firstFitting(ladder: readonly VideoLevel[], bitrate: number): number {
  const i = ladder.findIndex((l) => l.maxBitrate <= bitrate);
  return i === -1 ? ladder.length - 1 : i;
}

/** The subset of a sender's RTCStatsReport entries that `videoSample` reads. */
export interface SenderStatsEntry {
  type: string;
  kind?: string;
  fractionLost?: number;
  qualityLimitationReason?: string;
  targetBitrate?: number;
}

/** One reading from a video sender's statistics (RTCRtpSender.getStats), plus the audio sender's loss. */
export function videoSample(video: Iterable<SenderStatsEntry>, audio: Iterable<SenderStatsEntry> = []): VideoSample {
  let loss: number | null = null;
  let limitation: string | null = null;
  let target: number | null = null;
  const seeLoss = (e: SenderStatsEntry) => {
    if (e.type === 'remote-inbound-rtp' && e.fractionLost !== undefined) loss = Math.max(loss ?? 0, e.fractionLost);
  };
  for (const e of video) {
    seeLoss(e);
    if (e.type === 'outbound-rtp' && e.qualityLimitationReason !== undefined) limitation = e.qualityLimitationReason;
    if (e.type === 'outbound-rtp' && e.targetBitrate !== undefined) target = e.targetBitrate;
  }
  // Audio shares the path: its loss is the path's loss too.
  for (const e of audio) seeLoss(e);
  return { loss, limitation, target };
}

export type VideoKind = 'camera' | 'screen';

/** A shared screen is what the call is about: it never pauses, where a camera gives way to the voice. */
const PAUSABLE: Record<VideoKind, boolean> = { camera: true, screen: false };

const LADDERS: Record<VideoKind, readonly VideoLevel[]> = { camera: CAMERA_LADDER, screen: SCREEN_LADDER };
const DEGRADATION: Record<VideoKind, 'maintain-framerate' | 'maintain-resolution'> = {
  camera: 'maintain-framerate',
  screen: 'maintain-resolution',
};

/** RTCRtpSendParameters as Chromium takes them (the DOM typings lack some members). */
type SendParameters = RTCRtpSendParameters & { degradationPreference?: string };
type SendEncoding = RTCRtpEncodingParameters & { priority?: RTCPriorityType; networkPriority?: RTCPriorityType; maxFramerate?: number };
type RTCPriorityType = 'very-low' | 'low' | 'medium' | 'high';

/** Runs the controller on a peer connection's video senders, and gives audio the priority. */
export class VideoQuality {
  readonly #state: Record<VideoKind, ControllerState & { on: boolean }> = {
    camera: { ...START, on: false },
    screen: { ...START, on: false },
  };
  #timer: ReturnType<typeof setInterval> | null = null;
  #busy = false;
  /** One connection of a group call's: the camera climbs GROUP_CAMERA_LADDER. */
  #group = false;

  readonly #pc: RTCPeerConnection;
  readonly #senderOf: (kind: VideoKind) => RTCRtpSender | null;
  readonly #onPaused: (paused: boolean) => void;

  constructor(
    pc: RTCPeerConnection,
    senderOf: (kind: VideoKind) => RTCRtpSender | null,
    /** The camera paused for a path too thin for it, or resumed. */
    onPaused: (paused: boolean) => void = () => undefined,
  ) {
    this.#pc = pc;
    this.#senderOf = senderOf;
    this.#onPaused = onPaused;
  }

  /** Whether `kind` is paused for the path (see above). */
  paused(kind: VideoKind = 'camera'): boolean {
    return this.#state[kind].on && this.#state[kind].level >= pausedLevel(this.#ladder(kind));
  }

  /** Whether this is one connection of a group call's: the camera starts again at its ladder's best level. */
  setGroup(group: boolean): void {
    if (group === this.#group) return;
    // Paused or not on the ladder it was on: the group's is another.
    const wasPaused = this.paused('camera');
    this.#group = group;
    this.#restart('camera', this.#state.camera.on, wasPaused);
  }

  /** `kind` from its ladder's best level again (or off), its pause lifted first. */
  #restart(kind: VideoKind, on: boolean, wasPaused: boolean): void {
    Object.assign(this.#state[kind], { ...START, on });
    if (wasPaused) this.#resume(kind);
    if (on) void this.#applyVideo(kind);
  }

  #ladder(kind: VideoKind): readonly VideoLevel[] {
    return kind === 'camera' && this.#group ? GROUP_CAMERA_LADDER : LADDERS[kind];
  }

  /** Reading levels for a source: a source turned on starts at the best level. */
  level(kind: VideoKind): number {
    return this.#state[kind].level;
  }

  setSource(kind: VideoKind, on: boolean): void {
    this.#restart(kind, on, this.paused(kind));
    const any = this.#state.camera.on || this.#state.screen.on;
    if (any && !this.#timer) this.#timer = setInterval(() => void this.#tick(), STATS_INTERVAL_MS);
    if (!any && this.#timer) this.#stopTimer();
  }

  /** A negotiation completed: senders may have new encodings to set up. */
  negotiated(): void {
    void this.#applyAudio();
    for (const kind of ['camera', 'screen'] as const) if (this.#state[kind].on) void this.#applyVideo(kind);
  }

  dispose(): void {
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /**
   * A slot turned on is not sending until the negotiation its new direction
   * starts completes: until then its parameters are the unnegotiated ones
   * (no RTCP cname), and Chromium rejects setting them once that negotiation
   * has filled them in meanwhile ("modified RTCP parameters"). `negotiated()`
   * applies the level then.
   */
  #negotiatedToSend(sender: RTCRtpSender): boolean {
    const direction = this.#pc.getTransceivers().find((t) => t.sender === sender)?.currentDirection;
    return direction === 'sendrecv' || direction === 'sendonly';
  }

  #audioSender(): RTCRtpSender | undefined {
    return this.#pc.getSenders().find((s) => s.track?.kind === 'audio');
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#pc.connectionState !== 'connected') return;
    this.#busy = true;
    try {
      const audio = this.#audioSender();
      const audioStats = audio ? [...(await audio.getStats()).values()] : [];
      for (const kind of ['camera', 'screen'] as const) {
        const sender = this.#senderOf(kind);
        const state = this.#state[kind];
        if (!state.on || !sender) continue;
        const sample = videoSample((await sender.getStats()).values() as Iterable<SenderStatsEntry>, audioStats as SenderStatsEntry[]);
        const wasPaused = this.paused(kind);
        const next = decide(state, sample, this.#ladder(kind), PAUSABLE[kind]);
        const changed = next.level !== state.level;
        Object.assign(state, next);
        if (changed) {
          log.info(`${kind} video to level ${next.level}`, sample);
          if (wasPaused) this.#resume(kind);
          await this.#applyVideo(kind);
          if (this.paused(kind) && !wasPaused) {
            await this.#applyAudio();
            this.#onPaused(true);
          }
        }
      }
    } catch (err) {
      log.warn('reading the video statistics failed', err);
    } finally {
      this.#busy = false;
    }
  }

  /** Sends the source again after a pause: the encoding active, as far as the path is concerned. */
  #resume(kind: VideoKind): void {
    const sender = this.#senderOf(kind);
    if (sender) void setSending(sender, true, 'path');
    void this.#applyAudio();
    this.#onPaused(false);
  }

  async #applyVideo(kind: VideoKind): Promise<void> {
    const sender = this.#senderOf(kind);
    if (!sender?.track || !this.#negotiatedToSend(sender)) return;
    if (this.#state[kind].level >= pausedLevel(this.#ladder(kind))) return setSending(sender, false, 'path');
    const level = this.#ladder(kind)[this.#state[kind].level];
    if (!level) return;
    sender.track.contentHint = kind === 'screen' ? 'detail' : 'motion';
    await update(sender, (p) => {
      p.degradationPreference = DEGRADATION[kind];
      return {
        maxBitrate: level.maxBitrate,
        scaleResolutionDownBy: level.scaleResolutionDownBy,
        ...(level.maxFramerate !== undefined && { maxFramerate: level.maxFramerate }),
        priority: 'low',
        networkPriority: 'low',
      };
    });
  }

  async #applyAudio(): Promise<void> {
    const sender = this.#audioSender();
    // A path too thin for the camera's last level is too thin for the voice at full rate with RED's copies too.
    const maxBitrate = this.paused('camera') ? THIN_PATH_AUDIO_BITRATE : undefined;
    if (sender) await update(sender, () => ({ priority: 'high', networkPriority: 'high', maxBitrate }));
  }
}

/** Who holds a sender off: the call (on hold, or not answered yet: call-session.ts) or the path (too thin for the camera). */
export type SendingHolder = 'call' | 'path';
const holders = new WeakMap<RTCRtpSender, Set<SendingHolder>>();

/**
 * The sender's encodings inactive (no RTP at all) while anyone holds it off,
 * active again once nobody does; queued with the other changes.
 */
export function setSending(sender: RTCRtpSender, active: boolean, by: SendingHolder = 'call'): Promise<void> {
  const held = holders.get(sender) ?? new Set<SendingHolder>();
  holders.set(sender, held);
  if (active) held.delete(by);
  else held.add(by);
  return update(sender, () => ({ active: held.size === 0 }));
}

/**
 * One change at a time per sender: Chromium applies setParameters on its
 * signaling thread, and a second getParameters/setParameters pair overlapping
 * a pending one (a tick, a negotiation and a source turned on can meet in a
 * four-person call) is refused ("getParameters() has never been called").
 */
const pending = new WeakMap<RTCRtpSender, Promise<void>>();

/** Sets the first encoding's fields, after the sender's earlier changes; a sender not negotiated yet (no encodings) is left alone. */
function update(sender: RTCRtpSender, fields: (p: SendParameters) => Partial<SendEncoding>): Promise<void> {
  const next = (pending.get(sender) ?? Promise.resolve()).then(() => apply(sender, fields));
  pending.set(sender, next);
  return next;
}

async function apply(sender: RTCRtpSender, fields: (p: SendParameters) => Partial<SendEncoding>, retried = false): Promise<void> {
  const params = sender.getParameters() as SendParameters;
  const first = params.encodings[0];
  if (!first) return;
  const preference = params.degradationPreference;
  const changes = fields(params);
  // Nothing to change (a hold state applied again after a negotiation): no setParameters round trip.
  const same = (Object.keys(changes) as (keyof SendEncoding)[]).every((k) => first[k] === changes[k]);
  if (same && params.degradationPreference === preference) return;
  params.encodings[0] = { ...first, ...changes };
  try {
    await sender.setParameters(params);
  } catch (err) {
    // A negotiation completing in between invalidates what getParameters returned: read them again, once.
    if (!retried && err instanceof DOMException && err.name === 'InvalidStateError') return apply(sender, fields, true);
    log.warn('setting the sender parameters failed', err);
  }
}
