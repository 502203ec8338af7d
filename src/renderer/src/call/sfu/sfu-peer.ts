/**
 * One other person of a call on the SFU, as the mesh sees them: a
 * PeerSession whose audio, level, statistics and video come from this
 * device's SFU subscription (their tracks, by the mids the server named for
 * them), and whose mute and camera go to this device's one publication.
 * Nothing is negotiated per person: that is the SfuSession's.
 */
import type { UserRef } from 'parley-server/protocol';
import type { Signal } from '../call-session.js';
import type { MediaState } from '../call-session.js';
import type { CallMedia } from '../media/call-media.svelte.js';
import type { RemoteVideo, VideoSource } from '../media/video.js';
import type { PeerSession } from '../mesh.svelte.js';
import type { Received, SfuSession } from './sfu-session.js';

export interface SfuPeerOptions {
  onRemoteStream: (stream: MediaStream) => void;
  onMediaState: (state: MediaState) => void;
  media: CallMedia;
  /** This device's SFU session now (made again after a failure); null while there is none. */
  session: () => SfuSession | null;
  closed: () => void;
  /** This side shared its screen, which the SFU does not carry yet: the user is told. */
  screenRefused: () => void;
}

const NO_VIDEO: RemoteVideo = { camera: null, screen: null };
/** Their camera's tile goes when no frame has come for this long (it was turned off: its track stays, silent). */
const VIDEO_STALL_MS = 1500;

export class SfuPeer implements PeerSession {
  readonly polite = true;
  private audio: MediaStreamTrack | null = null;
  private video: MediaStreamTrack | null = null;
  private frames = 0;
  private framesAt = -Infinity;
  private state: MediaState = 'connecting';
  private remote: RemoteVideo = NO_VIDEO;
  private readonly listeners = new Set<(remote: RemoteVideo) => void>();
  /** What CallMedia attaches: this person's camera tile, and this side's camera to send (to everyone at once). */
  private readonly videoLink = {
    subscribe: (fn: (remote: RemoteVideo) => void): (() => void) => {
      this.listeners.add(fn);
      fn(this.remote);
      return () => this.listeners.delete(fn);
    },
    onRefused: (): (() => void) => () => undefined,
    setTrack: (source: VideoSource, track: MediaStreamTrack | null): Promise<void> => {
      if (source === 'camera') this.options.session()?.setCamera(track);
      else if (track) this.options.screenRefused();
      return Promise.resolve();
    },
  };

  constructor(
    readonly user: UserRef,
    private readonly options: SfuPeerOptions,
  ) {
    options.media.attach(this.videoLink, user.username, user.displayName);
  }

  /** Their tracks as now received (none: the session is gone or they do not publish). */
  update(received: Received | undefined, connected: boolean): void {
    const audio = received?.audio ?? null;
    if (audio && audio !== this.audio) this.options.onRemoteStream(new MediaStream([audio]));
    this.audio = audio;
    if ((received?.video ?? null) !== this.video) {
      this.video = received?.video ?? null;
      this.frames = 0;
      this.framesAt = -Infinity;
    }
    this.showVideo();
    const state: MediaState = connected && audio && !audio.muted ? 'connected' : this.state === 'connected' ? 'interrupted' : this.state;
    if (state !== this.state) {
      this.state = state;
      this.options.onMediaState(state);
    }
  }

  /** Frames decoded so far of their video: a tile while they keep coming. */
  framesDecoded(frames: number, now = performance.now()): void {
    if (frames > this.frames) this.framesAt = now;
    this.frames = frames;
    this.showVideo(now);
  }

  private showVideo(now = performance.now()): void {
    const video = this.video && now - this.framesAt < VIDEO_STALL_MS ? this.video : null;
    const shown = this.remote.camera?.getVideoTracks()[0] ?? null;
    if (video === shown) return;
    this.remote = video ? { camera: new MediaStream([video]), screen: null } : NO_VIDEO;
    for (const fn of this.listeners) fn(this.remote);
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
    this.options.media.detach(this.videoLink);
    this.listeners.clear();
    this.options.closed();
  }
}
