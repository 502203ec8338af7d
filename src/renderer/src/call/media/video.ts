/**
 * The video of one CallSession (one remote peer): two video slots on the
 * peer connection, `camera` then `screen` by m-line order (video-slots.ts),
 * so both sides know which remote track is which without any extra message.
 *
 * The impolite side makes both slots when the session is made (they ride in
 * its first offer, with the audio and the chat channel); the polite side finds
 * them in that offer. A peer that offers fewer video m-lines (audio only, or
 * one video) is accepted as it is: when this side has something to send
 * without a slot for it, it adds the transceivers missing and renegotiates.
 * A slot sends when it has a track and its direction includes `send`; turning
 * a source off replaces the track with null and makes the slot `recvonly`, so
 * no video bytes go out, and the direction change renegotiates through the
 * session's negotiationneeded path.
 *
 * What the peer sends: a slot whose negotiated direction lets the peer send
 * is watched (frame-flow.ts), and becomes a tile only while frames are
 * decoded, so a peer that offers `sendrecv` and sends nothing shows no tile.
 * A peer that rejects or refuses the video this side sends is reported
 * (`refused`), once per negotiation that says so.
 *
 * The slots' tracks are announced in the same MediaStream as the audio, so
 * an older Parley without video, which plays whatever stream its `ontrack`
 * hands it, still gets the one with the audio.
 */
import { logger } from '../../lib/log.js';
import { FrameWatch } from './frame-flow.js';
import { findSlots, peerReceives, peerSends, refusedIn, VIDEO_SOURCES, type Slots, type VideoSource } from './video-slots.js';
import { VideoQuality } from './video-quality.js';

const log = logger('video');

export { VIDEO_SOURCES, type VideoSource } from './video-slots.js';

/** What the peer sends now: one stream per source, the same object for as long as it sends. */
export type RemoteVideo = Record<VideoSource, MediaStream | null>;

interface Incoming {
  slot: RTCRtpTransceiver;
  stream: MediaStream;
  watch: FrameWatch;
}

export class VideoLink {
  #slots: Slots = {};
  readonly #local: Record<VideoSource, MediaStreamTrack | null> = { camera: null, screen: null };
  #remote: RemoteVideo = { camera: null, screen: null };
  readonly #incoming: Record<VideoSource, Incoming | null> = { camera: null, screen: null };
  readonly #listeners = new Set<(remote: RemoteVideo) => void>();
  readonly #refusalListeners = new Set<() => void>();
  readonly #pauseListeners = new Set<(paused: boolean) => void>();
  readonly #quality: VideoQuality;
  /** The peer turned down video this side sent: no more slots are added for it. */
  #refusedOnce = false;
  #closed = false;

  readonly #stream: MediaStream;

  constructor(
    private readonly pc: RTCPeerConnection,
    polite: boolean,
    /** The session's local (audio) stream. */
    stream: MediaStream,
  ) {
    this.#stream = stream;
    if (!polite) {
      const init: RTCRtpTransceiverInit = { direction: 'recvonly', streams: [stream] };
      this.#slots = { camera: pc.addTransceiver('video', init), screen: pc.addTransceiver('video', init) };
    }
    this.#quality = new VideoQuality(
      pc,
      (source) => this.#slots[source]?.sender ?? null,
      (paused) => this.#pauseListeners.forEach((fn) => fn(paused)),
    );
    pc.addEventListener('signalingstatechange', this.#onSignalingState);
  }

  /** What the peer sends now. */
  get remoteVideo(): RemoteVideo {
    return this.#remote;
  }

  /** Whether this side sends `source` now (a track on a slot that may send). */
  sending(source: VideoSource): boolean {
    return this.#local[source] !== null;
  }

  /** Calls `fn` with what the peer sends, now and whenever it changes; returns an unsubscribe. */
  subscribe(fn: (remote: RemoteVideo) => void): () => void {
    this.#listeners.add(fn);
    fn(this.#remote);
    return () => this.#listeners.delete(fn);
  }

  /** Calls `fn` when the peer turns down the video this side sends; returns an unsubscribe. */
  onRefused(fn: () => void): () => void {
    this.#refusalListeners.add(fn);
    return () => this.#refusalListeners.delete(fn);
  }

  /**
   * Sends `track` as `source`, or stops sending it (null). Before the polite
   * side has its slots (the first offer has not come yet), the track is kept
   * and goes into the answer.
   */
  async setTrack(source: VideoSource, track: MediaStreamTrack | null): Promise<void> {
    if (this.#closed || this.#local[source] === track) return;
    this.#local[source] = track;
    this.#addMissingSlots();
    await this.#apply(source);
  }

  /** Whether this link is one of a group call's: its camera then climbs the group's ladder (video-ladders.ts). */
  setGroup(group: boolean): void {
    this.#quality.setGroup(group);
  }

  /** Calls `fn` when the camera pauses for a path too thin for it, and when it resumes (video-quality.ts); returns an unsubscribe. */
  onPaused(fn: (paused: boolean) => void): () => void {
    this.#pauseListeners.add(fn);
    return () => this.#pauseListeners.delete(fn);
  }

  dispose(): void {
    this.#closed = true;
    this.#quality.dispose();
    this.pc.removeEventListener('signalingstatechange', this.#onSignalingState);
    for (const source of VIDEO_SOURCES) this.#unwatch(source);
    this.#listeners.clear();
    this.#refusalListeners.clear();
    this.#pauseListeners.clear();
  }

  async #apply(source: VideoSource): Promise<void> {
    const slot = this.#slots[source];
    if (!slot || this.#closed || slot.currentDirection === 'stopped') return;
    const track = this.#local[source];
    // The direction first: set synchronously, it is what the next offer or answer says.
    slot.direction = track ? 'sendrecv' : 'recvonly';
    // A slot negotiated not to send has no send stream, but its sender may keep the SSRC it sent on: a track given
    // to it then aborts the renderer (WebRTC's CHECK in SetVideoSend). The track goes once the negotiation its
    // direction brings has made the stream again (#onSignalingState); no track (stopping) goes at once.
    if (track && (slot.currentDirection === 'recvonly' || slot.currentDirection === 'inactive')) return;
    try {
      await slot.sender.replaceTrack(track);
    } catch (err) {
      log.warn(`cannot send the ${source}`, err);
    }
    this.#quality.setSource(source, track !== null);
  }

  /**
   * A source to send without a slot (the peer offered fewer video m-lines):
   * add transceivers up to that slot (a camera one before a screen one, to
   * keep the order) and let negotiationneeded offer them. Only once the
   * connection has a remote description and is stable; a polite side still
   * waiting for the first offer finds its slots there.
   */
  #addMissingSlots(): void {
    if (this.#closed || this.#refusedOnce || !this.pc.remoteDescription || this.pc.signalingState !== 'stable') return;
    const needed = VIDEO_SOURCES.findLastIndex((s) => this.#local[s] !== null && !this.#slots[s]);
    if (needed === -1) return;
    for (const source of VIDEO_SOURCES.slice(0, needed + 1)) {
      if (this.#slots[source]) continue;
      log.info(`the peer offered no ${source} slot: adding one`);
      this.#slots[source] = this.pc.addTransceiver('video', { direction: 'recvonly', streams: [this.#stream] });
    }
  }

  readonly #onSignalingState = (): void => {
    const state = this.pc.signalingState;
    if (state === 'have-remote-offer') this.#takeSlots();
    if (state === 'stable') {
      this.#takeSlots();
      this.#sendWaiting();
      this.#checkRefusal();
      this.#readRemote();
      this.#quality.negotiated();
      this.#addMissingSlots();
    }
  };

  /** The tracks held back by #apply, now that their slots send. */
  #sendWaiting(): void {
    for (const source of VIDEO_SOURCES) {
      const slot = this.#slots[source];
      const track = this.#local[source];
      if (slot && track && slot.sender.track !== track && peerReceives(slot)) void this.#apply(source);
    }
  }

  /**
   * The slots as the session's m-lines now say. Called while an offer is
   * applied, before the answer is made: what is waiting to be sent goes in it.
   */
  #takeSlots(): void {
    const found = findSlots(this.pc);
    for (const source of VIDEO_SOURCES) {
      const slot = found[source];
      if (!slot || slot === this.#slots[source]) continue;
      this.#slots[source] = slot;
      slot.sender.setStreams(this.#stream);
      if (this.#local[source]) void this.#apply(source);
    }
  }

  /**
   * After an offer of ours: a slot that offered to send, and that the answer
   * rejected or refused, means the peer takes no video. The track may have
   * come after the offer went (the camera opens while the call is set up):
   * what the offer said is what the answer answers.
   */
  #checkRefusal(): void {
    const offer = this.pc.localDescription;
    const answer = this.pc.remoteDescription;
    if (offer?.type !== 'offer' || answer?.type !== 'answer') return;
    const refused = VIDEO_SOURCES.some((s) => {
      const slot = this.#slots[s];
      return this.#local[s] !== null && slot !== undefined && (slot.currentDirection === 'stopped' || refusedIn(offer.sdp, answer.sdp, slot.mid));
    });
    if (!refused) return;
    log.warn('the peer does not take the video this side sends');
    this.#refusedOnce = true;
    for (const fn of this.#refusalListeners) fn();
  }

  /** Starts or stops watching each slot the peer may send on; tiles follow the frames. */
  #readRemote(): void {
    for (const source of VIDEO_SOURCES) {
      const slot = this.#slots[source];
      const may = slot !== undefined && peerSends(slot);
      const current = this.#incoming[source];
      if (may && current?.slot !== slot) {
        this.#unwatch(source);
        const stream = new MediaStream([slot.receiver.track]);
        const watch = new FrameWatch(slot.receiver, (flowing) => this.#show(source, flowing ? stream : null));
        this.#incoming[source] = { slot, stream, watch };
      } else if (!may && current) {
        this.#unwatch(source);
      }
    }
  }

  #unwatch(source: VideoSource): void {
    const current = this.#incoming[source];
    if (!current) return;
    current.watch.dispose();
    this.#incoming[source] = null;
    this.#show(source, null);
  }

  #show(source: VideoSource, stream: MediaStream | null): void {
    if (this.#closed && stream) return;
    if (this.#remote[source] === stream) return;
    this.#remote = { ...this.#remote, [source]: stream };
    for (const fn of this.#listeners) fn(this.#remote);
  }
}
