/**
 * The video of the current call as the app sees it: this side's camera and
 * shared screen (one track each, sent to every peer), and the tiles of what
 * the peers send. Made for any number of peers: each CallSession's VideoLink
 * is attached with the peer's name, the local tracks go to every link, and
 * each link's remote camera and screen become tiles.
 */
import { logger } from '../../lib/log.js';
import { TileViews } from './tile-views.js';
import type { RemoteVideo, VideoLink, VideoSource } from './video.js';

const log = logger('call-media');

export interface VideoTile {
  /** Unique per peer and source, stable while it is shown. */
  key: string;
  peer: string;
  source: VideoSource;
  stream: MediaStream;
}

/** What a peer's video is attached through: a CallSession's VideoLink, or a person on the SFU (sfu/sfu-peer.ts). */
export type VideoPeer = Pick<VideoLink, 'subscribe' | 'onRefused' | 'setTrack'> & Partial<Pick<VideoLink, 'onPaused'>>;

export interface CallMediaDeps {
  /** getUserMedia constraints for the camera as set. */
  cameraConstraints: () => MediaTrackConstraints;
  /** Tells the user something went wrong (a camera that cannot open). */
  notice: (text: string) => void;
  /** Takes back a notice whose cause is gone (the peer it was about left the call). */
  withdraw: (text: string) => void;
}

interface Attached {
  key: string;
  peer: string;
  remote: RemoteVideo;
  unsubscribe: () => void;
}

/** What the user is told when a peer turns down the video this side sends. */
export const videoRefused = (peer: string): string => `${peer} cannot receive video: they do not see your camera or screen.`;

/** The camera paused toward `peer`: the path cannot carry it beside the voice (video-quality.ts). */
export const videoPaused = (peer: string): string => `Your camera is paused for ${peer}: the connection is too slow for video.`;
export const CAMERA_PROBLEM = 'Parley cannot use the camera: check the permission and the device in Settings.';

export class CallMedia {
  /** This side's camera, for the local preview; null while off. */
  camera = $state<MediaStream | null>(null);
  /** This side's shared screen; null while not sharing. */
  screen = $state<MediaStream | null>(null);
  /** The camera is opening. */
  opening = $state(false);
  tiles = $state<VideoTile[]>([]);
  /** Where each person's tile is on screen (the stage measures it): what their video is received at on the SFU. */
  readonly views = new TileViews();

  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping; `tiles` is what is rendered
  readonly #links = new Map<VideoPeer, Attached>();
  /** Bumped by every camera change and by reset: an opening camera that finds another number is stopped. */
  #cameraSeq = 0;

  readonly #deps: CallMediaDeps;

  constructor(deps: CallMediaDeps) {
    this.#deps = deps;
  }

  /** A peer shares a screen: the layout gives it the large tile. */
  get screenTile(): VideoTile | undefined {
    return this.tiles.find((t) => t.source === 'screen');
  }

  get cameraOn(): boolean {
    return this.camera !== null;
  }

  /** A peer's session joins the call: it gets this side's camera and screen, and its video becomes tiles. */
  attach(link: VideoPeer, key: string, peer: string): void {
    this.detach(link);
    const attached: Attached = { key, peer, remote: { camera: null, screen: null }, unsubscribe: () => undefined };
    this.#links.set(link, attached);
    const unsubscribe = link.subscribe((remote) => {
      attached.remote = remote;
      this.#updateTiles();
    });
    const unsubscribeRefused = link.onRefused(() => this.#deps.notice(videoRefused(peer)));
    const unsubscribePaused = link.onPaused?.((paused) => (paused ? this.#deps.notice(videoPaused(peer)) : this.#deps.withdraw(videoPaused(peer))));
    attached.unsubscribe = () => {
      unsubscribe();
      unsubscribeRefused();
      unsubscribePaused?.();
      this.#deps.withdraw(videoRefused(peer));
      this.#deps.withdraw(videoPaused(peer));
    };
    void link.setTrack('camera', this.#track(this.camera));
    void link.setTrack('screen', this.#track(this.screen));
  }

  detach(link: VideoPeer): void {
    const attached = this.#links.get(link);
    if (!attached) return;
    attached.unsubscribe();
    this.#links.delete(link);
    this.#updateTiles();
  }

  /** Turns the camera on (opening it) or off (closing it: no video is sent). */
  async setCamera(on: boolean): Promise<void> {
    const seq = ++this.#cameraSeq;
    if (!on) {
      this.opening = false;
      this.#replaceCamera(null);
      return;
    }
    if (this.camera) return;
    this.opening = true;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: this.#deps.cameraConstraints(), audio: false });
    } catch (err) {
      log.warn('camera unavailable', err);
      if (seq === this.#cameraSeq) {
        this.opening = false;
        this.#deps.notice(CAMERA_PROBLEM);
      }
      return;
    }
    if (seq !== this.#cameraSeq) {
      stop(stream); // turned off, or the call ended, while it opened
      return;
    }
    this.opening = false;
    const track = stream.getVideoTracks()[0];
    track?.addEventListener('ended', () => {
      // Unplugged, or taken by the system.
      if (this.camera === stream) {
        this.#replaceCamera(null);
        this.#deps.notice('The camera stopped.');
      }
    });
    this.#replaceCamera(stream);
  }

  toggleCamera(): Promise<void> {
    return this.setCamera(!this.camera && !this.opening);
  }

  /** Sends `stream` (from getDisplayMedia) as the shared screen, until stopShare or the stream ends. */
  share(stream: MediaStream): void {
    const track = stream.getVideoTracks()[0];
    if (!track) {
      stop(stream);
      return;
    }
    const previous = this.screen;
    this.screen = stream;
    // The browser's own "Stop sharing", or the shared window closed.
    track.addEventListener('ended', () => {
      if (this.screen === stream) this.stopShare();
    });
    this.#sendToAll('screen', track);
    if (previous) stop(previous);
  }

  stopShare(): void {
    const stream = this.screen;
    if (!stream) return;
    this.screen = null;
    this.#sendToAll('screen', null);
    stop(stream);
  }

  /** The call is over: every local track is stopped and every peer forgotten. */
  reset(): void {
    this.#cameraSeq++;
    this.opening = false;
    for (const attached of this.#links.values()) attached.unsubscribe();
    this.#links.clear();
    if (this.camera) stop(this.camera);
    if (this.screen) stop(this.screen);
    this.camera = null;
    this.screen = null;
    this.tiles = [];
  }

  #replaceCamera(stream: MediaStream | null): void {
    const previous = this.camera;
    this.camera = stream;
    this.#sendToAll('camera', this.#track(stream));
    if (previous && previous !== stream) stop(previous);
  }

  #sendToAll(source: VideoSource, track: MediaStreamTrack | null): void {
    for (const link of this.#links.keys()) void link.setTrack(source, track);
    // Nothing sent now, so nothing refused: a "cannot receive video" has lost its cause.
    if (!this.camera && !this.screen) for (const { peer } of this.#links.values()) this.#deps.withdraw(videoRefused(peer));
  }

  #track(stream: MediaStream | null): MediaStreamTrack | null {
    return stream?.getVideoTracks()[0] ?? null;
  }

  #updateTiles(): void {
    const tiles: VideoTile[] = [];
    for (const { key, peer, remote } of this.#links.values()) {
      for (const source of ['screen', 'camera'] as const) {
        const stream = remote[source];
        if (stream) tiles.push({ key: `${key}:${source}`, peer, source, stream });
      }
    }
    this.tiles = tiles;
  }
}

function stop(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}
