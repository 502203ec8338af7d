/**
 * The video of one CallSession (one remote peer): two fixed video slots on
 * the peer connection, `camera` then `screen`, so both sides know which
 * remote track is which without any extra message.
 *
 * The impolite side makes the slots when the session is made (they ride in
 * its first offer, with the audio and the chat channel); the polite side finds
 * them in that offer, in m-line order. A slot sends when it has a track and
 * its direction includes `send`; turning a source off replaces the track with
 * null and makes the slot `recvonly`, so no video bytes go out, and the
 * direction change renegotiates through the session's negotiationneeded path.
 * What the peer sends is read from each slot's `currentDirection` whenever a
 * negotiation completes: there is no event to miss.
 *
 * The slots' tracks are announced in the same MediaStream as the audio, so
 * an older Parley without video, which plays whatever stream its `ontrack`
 * hands it, still gets the one with the audio.
 */
import { logger } from '../../lib/log.js';
import { VideoQuality } from './video-quality.js';

const log = logger('video');

export type VideoSource = 'camera' | 'screen';
export const VIDEO_SOURCES: readonly VideoSource[] = ['camera', 'screen'];

/** What the peer sends now: one stream per source, the same object for as long as it sends. */
export type RemoteVideo = Record<VideoSource, MediaStream | null>;

type Slots = Record<VideoSource, RTCRtpTransceiver>;

export class VideoLink {
  private slots: Slots | null = null;
  private readonly local: Record<VideoSource, MediaStreamTrack | null> = { camera: null, screen: null };
  private remote: RemoteVideo = { camera: null, screen: null };
  private readonly listeners = new Set<(remote: RemoteVideo) => void>();
  private readonly quality: VideoQuality;
  private closed = false;

  constructor(
    private readonly pc: RTCPeerConnection,
    polite: boolean,
    /** The session's local (audio) stream. */
    private readonly stream: MediaStream,
  ) {
    if (!polite) {
      const init: RTCRtpTransceiverInit = { direction: 'recvonly', streams: [stream] };
      this.slots = { camera: pc.addTransceiver('video', init), screen: pc.addTransceiver('video', init) };
    }
    this.quality = new VideoQuality(pc, (source) => this.slots?.[source].sender ?? null);
    pc.addEventListener('signalingstatechange', this.onSignalingState);
  }

  /** What the peer sends now. */
  get remoteVideo(): RemoteVideo {
    return this.remote;
  }

  /** Whether this side sends `source` now (a track on a slot that may send). */
  sending(source: VideoSource): boolean {
    return this.local[source] !== null;
  }

  /** Calls `fn` with what the peer sends, now and whenever it changes; returns an unsubscribe. */
  subscribe(fn: (remote: RemoteVideo) => void): () => void {
    this.listeners.add(fn);
    fn(this.remote);
    return () => this.listeners.delete(fn);
  }

  /**
   * Sends `track` as `source`, or stops sending it (null). Before the polite
   * side has its slots (the first offer has not come yet), the track is kept
   * and goes into the answer.
   */
  async setTrack(source: VideoSource, track: MediaStreamTrack | null): Promise<void> {
    if (this.closed || this.local[source] === track) return;
    this.local[source] = track;
    await this.apply(source);
  }

  dispose(): void {
    this.closed = true;
    this.quality.dispose();
    this.pc.removeEventListener('signalingstatechange', this.onSignalingState);
    this.listeners.clear();
  }

  private async apply(source: VideoSource): Promise<void> {
    const slot = this.slots?.[source];
    if (!slot || this.closed || slot.currentDirection === 'stopped') return;
    const track = this.local[source];
    // The direction first: set synchronously, it is what the next offer or answer says.
    slot.direction = track ? 'sendrecv' : 'recvonly';
    try {
      await slot.sender.replaceTrack(track);
    } catch (err) {
      log.warn(`cannot send the ${source}`, err);
    }
    this.quality.setSource(source, track !== null);
  }

  private readonly onSignalingState = (): void => {
    const state = this.pc.signalingState;
    if (state === 'have-remote-offer' && !this.slots) this.findSlots();
    if (state === 'stable') {
      this.readRemote();
      this.quality.negotiated();
    }
  };

  /** The polite side: the first offer made the slots; take them in m-line order and send what is waiting. */
  private findSlots(): void {
    const sdp = this.pc.remoteDescription?.sdp ?? '';
    const mids = [...sdp.matchAll(/^a=mid:(\S+)/gm)].map((m) => m[1]);
    const video = this.pc
      .getTransceivers()
      .filter((t) => t.receiver.track.kind === 'video' && t.mid !== null)
      .sort((a, b) => mids.indexOf(a.mid ?? '') - mids.indexOf(b.mid ?? ''));
    const [camera, screen] = video;
    if (!camera || !screen) {
      log.warn('the offer has no video slots: this call has no video');
      return;
    }
    this.slots = { camera, screen };
    for (const slot of [camera, screen]) slot.sender.setStreams(this.stream);
    // Called while the offer is being applied, before the answer is made: the answer carries these.
    for (const source of VIDEO_SOURCES) if (this.local[source]) void this.apply(source);
  }

  private readRemote(): void {
    if (!this.slots) return;
    let changed = false;
    const next: RemoteVideo = { ...this.remote };
    for (const source of VIDEO_SOURCES) {
      const slot = this.slots[source];
      const peerSends = slot.currentDirection === 'sendrecv' || slot.currentDirection === 'recvonly';
      if (peerSends && !next[source]) next[source] = new MediaStream([slot.receiver.track]);
      else if (!peerSends && next[source]) next[source] = null;
      else continue;
      changed = true;
    }
    if (!changed) return;
    this.remote = next;
    for (const fn of this.listeners) fn(next);
  }
}
