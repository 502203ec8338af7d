/**
 * This device on the SFU for one call (PROTOCOL.md, "Meetings on the SFU"):
 * a `publish` connection that sends a copy of the microphone, the camera
 * while it is on and a shared screen while there is one, and a `subscribe`
 * connection that answers each `sfu:offer` and receives everyone else, each
 * track named by the offer's `streams` (mid → username, and a video's
 * source). Candidates trickle with `sfu:candidate` once the connection they
 * belong to is negotiated. One idempotent `close`.
 */
import type { SfuConnection, SfuDescription, SfuStream, SfuVideoLayer } from 'parley-server/protocol';
import type { SignalingLink } from '../../connection/link.js';
import { logger } from '../../lib/log.js';
import { levelFromSources } from '../media/audio-level.js';
import { protectMedia } from '../media/audio-protection.js';
import { SIMULCAST } from './layers.js';

const log = logger('sfu');

export interface SfuSessionOptions {
  link: SignalingLink;
  callId: string;
  iceServers: RTCIceServer[];
  /** The call's microphone: the session sends its own copy of the audio track (and stops only that). */
  microphone: MediaStream;
  muted: boolean;
  /** The camera's track while it is on. */
  camera: MediaStreamTrack | null;
  /** The shared screen's track while there is one. */
  screen: MediaStreamTrack | null;
  /** What is received changed: a publisher came or went, or a connection's state moved. */
  changed: () => void;
  /** The SFU refused, or a connection failed: this session is done (the owner makes another). */
  failed: () => void;
}

/** One publisher's tracks as this device receives them. */
export interface Received {
  audio: MediaStreamTrack | null;
  audioReceiver: RTCRtpReceiver | null;
  video: MediaStreamTrack | null;
  videoReceiver: RTCRtpReceiver | null;
  screen: MediaStreamTrack | null;
  screenReceiver: RTCRtpReceiver | null;
  mids: string[];
}

/** Frames decoded so far of one publisher's camera and screen. */
export interface Frames {
  camera: number;
  screen: number;
}

type StatsEntry = { type: string; mid?: string };

export class SfuSession {
  readonly #publisher: RTCPeerConnection;
  #subscriber: RTCPeerConnection | null = null;
  #audio: MediaStreamTrack | null;
  /** The call's microphone track that `#audio` copies. */
  #source: MediaStreamTrack | null;
  #cameraTrack: MediaStreamTrack | null;
  readonly #camera: RTCRtpTransceiver;
  #screenTrack: MediaStreamTrack | null = null;
  /** The screen's m-line: added, and published again, the first time this device shares (and kept, silent, after). */
  #screen: RTCRtpTransceiver | null = null;
  #streams: SfuStream[] = [];
  /** Publish negotiations, one at a time. */
  #publishes: Promise<void> = Promise.resolve();
  /** Subscription offers, answered one at a time in order. */
  #offers: Promise<void> = Promise.resolve();
  /** Candidates gathered before their connection was negotiated; null once it is (then they go at once). */
  readonly #pending: Record<SfuConnection, RTCIceCandidateInit[] | null> = { publish: [], subscribe: [] };
  #closed = false;
  /** Who talks now, as the server says from the SFU's measure (`sfu:talking`). */
  readonly #talkers = new Set<string>();
  /** The view the server has (as JSON), or null: none sent yet, or the last one failed. */
  #viewSent: string | null = null;

  readonly #o: SfuSessionOptions;

  constructor(o: SfuSessionOptions) {
    this.#o = o;
    this.#publisher = new RTCPeerConnection({ iceServers: o.iceServers, bundlePolicy: 'max-bundle' });
    this.#source = o.microphone.getAudioTracks()[0] ?? null;
    this.#audio = this.#source?.clone() ?? null;
    if (this.#audio) {
      this.#audio.enabled = !o.muted;
      protectMedia(this.#publisher.addTransceiver(this.#audio, { direction: 'sendonly' }));
    }
    this.#cameraTrack = o.camera;
    // Three layers of the camera: each of the others receives the one its tile needs (layers.ts).
    this.#camera = this.#publisher.addTransceiver(o.camera ?? 'video', { direction: 'sendonly', sendEncodings: SIMULCAST });
    if (o.screen) this.#addScreen(o.screen);
    this.#watch(this.#publisher, 'publish');
  }

  get callId(): string {
    return this.#o.callId;
  }

  /** Both connections are up (the subscription once there is one). */
  connected(): boolean {
    return this.#publisher.connectionState === 'connected' && this.#subscriber?.connectionState === 'connected';
  }

  /** Publishes (the first `sfu:publish` puts this device on the SFU). */
  start(): Promise<void> {
    return this.#negotiate();
  }

  setMuted(muted: boolean): void {
    if (this.#audio) this.#audio.enabled = !muted;
  }

  /** The call's microphone is another now (Auto noise suppression): a copy of it is sent, muted as before. Said once per person on the SFU. */
  replaceMicrophone(track: MediaStreamTrack): void {
    const old = this.#audio;
    if (this.#closed || !old || track === this.#source) return;
    const sender = this.#publisher.getSenders().find((s) => s.track === old);
    this.#source = track;
    const copy = (this.#audio = track.clone());
    copy.enabled = old.enabled;
    this.#publishes = this.#publishes
      .then(() => sender?.replaceTrack(copy))
      .catch((err: unknown) => log.warn('microphone not replaced', err))
      .finally(() => old.stop());
  }

  /**
   * The camera on (its track) or off (null). Its m-line is published from the
   * start, so turning it on or off negotiates nothing: the SFU forwards what
   * comes, and the others show a tile while its frames arrive (sfu-peer.ts).
   */
  setCamera(track: MediaStreamTrack | null): void {
    if (track === this.#cameraTrack || this.#closed) return;
    this.#cameraTrack = track;
    this.#publishes = this.#publishes.then(() => this.#camera.sender.replaceTrack(track)).catch((err: unknown) => log.warn('camera not sent', err));
  }

  /**
   * The shared screen (its track) or none. Its m-line is added the first time,
   * which publishes again (the server describes it to the SFU as the screen,
   * and the others' subscriptions gain it); after that, as the camera.
   */
  setScreen(track: MediaStreamTrack | null): void {
    if (track === this.#screenTrack || this.#closed) return;
    if (!this.#screen) {
      if (track) {
        this.#addScreen(track);
        void this.#negotiate();
      }
      return;
    }
    const screen = this.#screen;
    this.#screenTrack = track;
    this.#publishes = this.#publishes.then(() => screen.sender.replaceTrack(track)).catch((err: unknown) => log.warn('screen not sent', err));
  }

  /**
   * The video wanted of each publisher (layers.ts), sent as `sfu:view` when
   * it changed and once this device publishes; a refused one goes again with
   * the next.
   */
  setView(feeds: { username: string; video: SfuVideoLayer; screen?: boolean }[]): void {
    const view = JSON.stringify(feeds);
    // Only once published (its candidates flushed): before that the server has no view to set.
    if (this.#pending.publish !== null || this.#closed || view === this.#viewSent) return;
    this.#viewSent = view;
    void this.#o.link.request('sfu:view', { callId: this.#o.callId, feeds }).then((res) => {
      if (!res.ok && this.#viewSent === view) this.#viewSent = null;
    });
  }

  /** A new description of the subscription: applied and answered in order. */
  offer(description: SfuDescription<'offer'>, streams: SfuStream[]): void {
    this.#offers = this.#offers.then(() => this.#answer(description, streams)).catch((err: unknown) => this.#fail('answering the SFU failed', err));
  }

  /** Each publisher's tracks, by username (active ones only). */
  received(): Map<string, Received> {
    const out = new Map<string, Received>();
    for (const t of this.#subscriber?.getTransceivers() ?? []) {
      const stream = this.#streams.find((s) => s.mid === t.mid);
      if (!stream || t.currentDirection === 'inactive' || t.currentDirection === 'stopped') continue;
      const r = out.get(stream.username) ?? { audio: null, audioReceiver: null, video: null, videoReceiver: null, screen: null, screenReceiver: null, mids: [] };
      r.mids.push(stream.mid);
      if (stream.kind === 'audio') {
        r.audio = t.receiver.track;
        r.audioReceiver = t.receiver;
      } else if (stream.source === 'screen') {
        r.screen = t.receiver.track;
        r.screenReceiver = t.receiver;
      } else {
        r.video = t.receiver.track;
        r.videoReceiver = t.receiver;
      }
      out.set(stream.username, r);
    }
    return out;
  }

  /** `sfu:talking`: `username` started or stopped talking. */
  setTalking(username: string, talking: boolean): void {
    if (talking) this.#talkers.add(username);
    else this.#talkers.delete(username);
  }

  /** Whether `username` talks, as the SFU measures it (nobody does on a session just made, until told). */
  talking(username: string): boolean {
    return this.#talkers.has(username);
  }

  /** The level of `username`'s audio as it arrives now, 0..1 (as CallSession.receivedLevel). */
  level(username: string): number {
    const sources = this.received().get(username)?.audioReceiver?.getSynchronizationSources() ?? [];
    return levelFromSources(sources, performance.timeOrigin + performance.now());
  }

  /** Video frames decoded so far from each publisher's camera and screen, by username. */
  async framesDecoded(): Promise<Map<string, Frames>> {
    const decoded = async (receiver: RTCRtpReceiver | null): Promise<number> => {
      let frames = 0;
      (await receiver?.getStats())?.forEach((s: { type: string; framesDecoded?: number }) => {
        if (s.type === 'inbound-rtp') frames = s.framesDecoded ?? 0;
      });
      return frames;
    };
    const counts = await Promise.all(
      [...this.received()]
        .filter(([, r]) => r.videoReceiver || r.screenReceiver)
        .map(async ([username, r]) => [username, { camera: await decoded(r.videoReceiver), screen: await decoded(r.screenReceiver) }] as const),
    );
    return new Map(counts);
  }

  /** The subscription's statistics, with only `username`'s inbound streams (so quality and the media timeout are theirs). */
  async stats(username: string): Promise<RTCStatsReport> {
    const mids = this.received().get(username)?.mids ?? [];
    const report = await (this.#subscriber ?? this.#publisher).getStats();
    const kept = new Map<string, unknown>();
    report.forEach((value: StatsEntry, key: string) => {
      if (value.type !== 'inbound-rtp' || (value.mid !== undefined && mids.includes(value.mid))) kept.set(key, value);
    });
    return kept;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#audio?.stop();
    for (const pc of [this.#publisher, this.#subscriber]) {
      if (!pc) continue;
      pc.onicecandidate = null;
      pc.onconnectionstatechange = null;
      pc.close();
    }
  }

  #negotiate(): Promise<void> {
    this.#publishes = this.#publishes.then(() => this.#publish()).catch((err: unknown) => this.#fail('publishing to the SFU failed', err));
    return this.#publishes;
  }

  #addScreen(track: MediaStreamTrack): void {
    this.#screenTrack = track;
    this.#screen = this.#publisher.addTransceiver(track, { direction: 'sendonly' });
  }

  async #publish(): Promise<void> {
    if (this.#closed) return;
    await this.#publisher.setLocalDescription(await this.#publisher.createOffer());
    const sdp = this.#publisher.localDescription?.sdp ?? '';
    const screenMid = this.#screen?.mid;
    const res = await this.#o.link.request('sfu:publish', { callId: this.#o.callId, description: { type: 'offer', sdp }, ...(screenMid ? { screenMid } : {}) });
    if (this.#gone()) return;
    if (!res.ok) throw new Error(`${res.code}: ${res.message}`);
    await this.#publisher.setRemoteDescription(res.description);
    this.#flush('publish');
  }

  async #answer(description: SfuDescription<'offer'>, streams: SfuStream[]): Promise<void> {
    if (this.#closed) return;
    const pc = this.#subscriber ?? this.#subscribe();
    await pc.setRemoteDescription(description);
    await pc.setLocalDescription(await pc.createAnswer());
    this.#streams = streams;
    const sdp = pc.localDescription?.sdp ?? '';
    const res = await this.#o.link.request('sfu:answer', { callId: this.#o.callId, description: { type: 'answer', sdp } });
    if (this.#gone()) return;
    if (!res.ok) throw new Error(`${res.code}: ${res.message}`);
    this.#flush('subscribe');
    this.#o.changed();
  }

  #subscribe(): RTCPeerConnection {
    const pc = new RTCPeerConnection({ iceServers: this.#o.iceServers, bundlePolicy: 'max-bundle' });
    this.#subscriber = pc;
    pc.ontrack = () => this.#o.changed();
    this.#watch(pc, 'subscribe');
    return pc;
  }

  #watch(pc: RTCPeerConnection, connection: SfuConnection): void {
    pc.onicecandidate = ({ candidate }) => {
      const init = candidate && candidate.candidate ? (candidate.toJSON()) : null;
      const kept = this.#pending[connection];
      if (kept && init) kept.push(init);
      else if (!kept) this.#sendCandidate(connection, init);
    };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === 'failed') this.#fail(`the SFU's ${connection} connection failed`);
      else this.#o.changed();
    };
  }

  /** The connection is negotiated: what it gathered meanwhile goes now, and the rest as it comes. */
  #flush(connection: SfuConnection): void {
    const kept = this.#pending[connection];
    if (!kept) return;
    this.#pending[connection] = null;
    for (const c of kept) this.#sendCandidate(connection, c);
  }

  #sendCandidate(connection: SfuConnection, candidate: RTCIceCandidateInit | null): void {
    const c = candidate && { candidate: candidate.candidate ?? '', sdpMid: candidate.sdpMid ?? null, sdpMLineIndex: candidate.sdpMLineIndex ?? null };
    void this.#o.link.request('sfu:candidate', { callId: this.#o.callId, connection, candidate: c });
  }

  /** Read after an await: close() may have run meanwhile. */
  #gone(): boolean {
    return this.#closed;
  }

  #fail(what: string, err?: unknown): void {
    if (this.#closed) return;
    log.warn(what, err);
    this.#o.failed();
  }
}
