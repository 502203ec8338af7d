/**
 * One other person of a call on the SFU, as the mesh sees them: a
 * PeerSession whose audio, level, statistics and video come from this
 * device's SFU subscription (their tracks, by the mids the server named for
 * them), and whose mute, camera and screen go to this device's one publication.
 * Nothing is negotiated per person: that is the SfuSession's.
 */
import type { UserRef } from 'parley-server/protocol';
import type { Signal } from '../call-session.js';
import type { MediaState } from '../call-session.js';
import type { CallMedia } from '../media/call-media.svelte.js';
import type { RemoteVideo, VideoSource } from '../media/video.js';
import type { PeerSession } from '../mesh.svelte.js';
import type { Frames, Received, SfuSession } from './sfu-session.js';

export interface SfuPeerOptions {
  onRemoteStream: (stream: MediaStream) => void;
  onMediaState: (state: MediaState) => void;
  media: CallMedia;
  /** This device's SFU session now (made again after a failure); null while there is none. */
  session: () => SfuSession | null;
  closed: () => void;
}

const NO_VIDEO: RemoteVideo = { camera: null, screen: null };
/** Their camera's or screen's tile goes when no frame has come for this long (it was turned off: its track stays, silent). */
const VIDEO_STALL_MS = 1500;

/** One of their video tracks, and when its last new frame was seen. */
interface Feed {
  track: MediaStreamTrack | null;
  frames: number;
  framesAt: number;
}

const noFeed = (): Feed => ({ track: null, frames: 0, framesAt: -Infinity });

export class SfuPeer implements PeerSession {
  readonly polite = true;
  #audio: MediaStreamTrack | null = null;
  readonly #feeds: Record<VideoSource, Feed> = { camera: noFeed(), screen: noFeed() };
  #state: MediaState = 'connecting';
  #remote: RemoteVideo = NO_VIDEO;
  readonly #listeners = new Set<(remote: RemoteVideo) => void>();
  /** What CallMedia attaches: this person's camera tile, and this side's camera to send (to everyone at once). */
  readonly #videoLink = {
    subscribe: (fn: (remote: RemoteVideo) => void): (() => void) => {
      this.#listeners.add(fn);
      fn(this.#remote);
      return () => this.#listeners.delete(fn);
    },
    onRefused: (): (() => void) => () => undefined,
    setTrack: (source: VideoSource, track: MediaStreamTrack | null): Promise<void> => {
      const session = this.options.session();
      if (source === 'camera') session?.setCamera(track);
      else session?.setScreen(track);
      return Promise.resolve();
    },
  };

  constructor(
    readonly user: UserRef,
    private readonly options: SfuPeerOptions,
  ) {
    options.media.attach(this.#videoLink, user.username, user.displayName);
  }

  /** Their tracks as now received (none: the session is gone or they do not publish). */
  update(received: Received | undefined, connected: boolean): void {
    const audio = received?.audio ?? null;
    if (audio && audio !== this.#audio) this.options.onRemoteStream(new MediaStream([audio]));
    this.#audio = audio;
    for (const [source, track] of [['camera', received?.video ?? null], ['screen', received?.screen ?? null]] as const) {
      if (track !== this.#feeds[source].track) this.#feeds[source] = { ...noFeed(), track };
    }
    this.#showVideo();
    const state: MediaState = connected && audio && !audio.muted ? 'connected' : this.#state === 'connected' ? 'interrupted' : this.#state;
    if (state !== this.#state) {
      this.#state = state;
      this.options.onMediaState(state);
    }
  }

  /** Frames decoded so far of their camera and screen: a tile for each while they keep coming. */
  framesDecoded(frames: Frames, now = performance.now()): void {
    for (const source of ['camera', 'screen'] as const) {
      const feed = this.#feeds[source];
      if (frames[source] > feed.frames) feed.framesAt = now;
      feed.frames = frames[source];
    }
    this.#showVideo(now);
  }

  #showVideo(now = performance.now()): void {
    const live = (source: VideoSource) => {
      const { track, framesAt } = this.#feeds[source];
      return track && now - framesAt < VIDEO_STALL_MS ? track : null;
    };
    const shown = (source: VideoSource) => this.#remote[source]?.getVideoTracks()[0] ?? null;
    const [camera, screen] = [live('camera'), live('screen')];
    if (camera === shown('camera') && screen === shown('screen')) return;
    const stream = (track: MediaStreamTrack | null, source: VideoSource) => (track === shown(source) ? this.#remote[source] : track && new MediaStream([track]));
    this.#remote = camera || screen ? { camera: stream(camera, 'camera'), screen: stream(screen, 'screen') } : NO_VIDEO;
    for (const fn of this.#listeners) fn(this.#remote);
  }

  // Nothing of the mesh's negotiation applies to a person on the SFU.
  handleSignal(_signal: Signal): Promise<void> {
    return Promise.resolve();
  }
  release(): void {}
  signalingRestored(): void {}
  setOnHold(_onHold: boolean): void {}
  setIceServers(_servers: RTCIceServer[]): void {}

  setMuted(muted: boolean): void {
    this.options.session()?.setMuted(muted);
  }

  replaceMicrophone(track: MediaStreamTrack): void {
    this.options.session()?.replaceMicrophone(track);
  }

  getStats(): Promise<RTCStatsReport> {
    return this.options.session()?.stats(this.user.username) ?? Promise.resolve(new Map() as unknown as RTCStatsReport);
  }

  /** No verification code: the keys are the SFU's, not theirs. */
  descriptions(): { local: string | null; remote: string | null } {
    return { local: null, remote: null };
  }

  receivedLevel(): number {
    return this.options.session()?.level(this.user.username) ?? 0;
  }

  /** The SFU measures who talks (the server relays it: sfu:talking); their level only feeds the tile's meter. */
  speaking(): boolean {
    return this.options.session()?.talking(this.user.username) ?? false;
  }

  close(): void {
    this.options.media.detach(this.#videoLink);
    this.#listeners.clear();
    this.options.closed();
  }
}
