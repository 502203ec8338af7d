/**
 * One call's media path: a single RTCPeerConnection negotiated with the
 * "perfect negotiation" pattern (the server says who is polite), trickle
 * ICE with candidates held back until the remote description is set, Opus
 * first, ICE restarts when the path breaks (when: media-recovery.ts), and
 * one idempotent `close`.
 *
 * A session can be made while the call still rings (`ahead`):
 * - `early`, when the server relays the ringing call's signals (it rings on
 *   one device, and that device's user lets it connect before answering):
 *   the two sides negotiate and connect while it rings, every sender
 *   inactive (no RTP at all), and `release()`, at the answer, only starts
 *   the media. The answer then costs no negotiation, no ICE checks and no
 *   DTLS handshake.
 * - `held`: the caller's offer is made and its candidates gathered, the
 *   callee's connection and certificate are ready, but nothing is sent until
 *   `release()`. A signal that comes before it (the caller's early offer, or
 *   one overtaking the ack of the callee's accept) waits for it, so that it
 *   is answered with the call's ICE servers, which that ack brings.
 */
import type { IceCandidate, SessionDescription } from 'parley-server/protocol';
import { levelFromSources } from './media/audio-level.js';
import { WORD_CONFIRM_MS } from './answer-word.js';
import { ChatChannel } from './chat/chat.js';
import { logger } from '../lib/log.js';
import { MediaRecovery } from './media-recovery.js';
import { VideoLink } from './media/video.js';
import { protectMedia } from './media/audio-protection.js';
import { MicrophoneSender, type SenderRedundancy } from './media/microphone-sender.js';
import { setSending } from './media/video-quality.js';

const log = logger('call');

export interface Signal {
  description?: SessionDescription;
  candidate?: IceCandidate;
}

/** How a session made while the call rings waits for the answer (see above). */
export type Ahead = 'held' | 'early';

/** `silent`: connected, but no audio has arrived for the media timeout (media-timeout.ts; told by the call line, from statistics). */
export type MediaState = 'connecting' | 'connected' | 'interrupted' | 'silent' | 'failed';

export interface CallSessionOptions {
  polite: boolean;
  iceServers: RTCIceServer[];
  localStream: MediaStream;
  send: (signal: Signal) => void;
  /** Whether a signal sent now can reach the peer (both sides connected to the server). */
  canSignal: () => boolean;
  onRemoteStream: (stream: MediaStream) => void;
  onMediaState: (state: MediaState) => void;
  /** Made ahead, while the call rings: wait for `release()` as `held` or `early` (see above). */
  ahead?: Ahead;
  /** More earlier frames in the voice's packets (audio-redundancy.ts), where the platform has them on. */
  redundancy?: (sender: RTCRtpSender) => SenderRedundancy;
}

/**
 * Candidates the callee's connection gathers while the call rings, before it
 * has an offer to answer: they are in its answer, so checks start at once.
 */
const PREGATHERED_CANDIDATES = 1;

export class CallSession {
  readonly pc: RTCPeerConnection;
  /** Camera and screen to and from this peer (video.ts). */
  readonly video: VideoLink;
  /** Text chat with this peer, on a data channel of this connection (chat.ts). */
  readonly chat: ChatChannel;
  #makingOffer = false;
  #ignoreOffer = false;
  #settingRemoteAnswer = false;
  #pendingCandidates: RTCIceCandidateInit[] = [];
  /** Signals are applied one at a time, in order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  readonly #recovery: MediaRecovery;
  /** What was to be sent while held; null once released. */
  #held: Signal[] | null;
  /** What the peer sent before the release, applied at the release. */
  #early: Signal[] = [];
  /** Where the peer's audio arrives; null until its track does. */
  #audioReceiver: RTCRtpReceiver | null = null;
  #onHold = false;
  /** Connected ahead of the answer: no sender sends until `release()`. */
  #unanswered: boolean;
  /** The microphone's sender: held off its track (replaceTrack(null)) while unanswered. */
  #audio: MicrophoneSender | null = null;
  /** The caller's side: the callee's answered word came, and the microphone runs until the server confirms (answer-word.ts). */
  #wordHeard: ReturnType<typeof setTimeout> | null = null;

  readonly #options: CallSessionOptions;

  constructor(options: CallSessionOptions) {
    this.#options = options;
    this.#held = options.ahead === 'held' ? [] : null;
    this.#unanswered = options.ahead === 'early';
    this.pc = new RTCPeerConnection({
      iceServers: options.iceServers,
      // Audio, video and chat share one transport: candidates are gathered once, not per media type.
      bundlePolicy: 'max-bundle',
      // The caller gathers from its offer on; the callee has no offer to answer yet.
      ...(options.ahead === 'held' && options.polite && { iceCandidatePoolSize: PREGATHERED_CANDIDATES }),
    });
    this.#recovery = new MediaRecovery({
      impolite: !options.polite,
      canSignal: options.canSignal,
      restart: () => void this.#restartIce(),
    });
    for (const track of options.localStream.getTracks()) {
      const sender = this.pc.addTrack(track, options.localStream);
      if (track.kind === 'audio') this.#audio ??= new MicrophoneSender(sender, track, options.redundancy?.(sender) ?? null);
      protectMedia(this.pc.getTransceivers().find((t) => t.sender === sender));
    }
    this.video = new VideoLink(this.pc, options.polite, options.localStream);
    this.video.onPaused((paused) => this.#audio?.redundancy?.thinPath(paused));
    this.chat = new ChatChannel(this.pc);
    // A call connected while it rings is one person calling another, and the server makes the caller the impolite
    // side: only it heeds the callee's answered word, so a caller's word never opens a callee's microphone.
    if (this.#unanswered && !options.polite) this.chat.onAnswered(() => this.#peerAnswered());
    // Nothing sent from the start: the microphone's sender has no track, the others (camera, screen) their encodings
    // inactive (a sender has its encoding before any negotiation), so no packet can leave early.
    if (this.#unanswered) {
      this.#audio?.send(false);
      this.#applySending(false);
    }
    this.pc.ontrack = ({ streams, track, receiver }) => {
      if (track.kind !== 'audio') return; // video is the VideoLink's
      this.#audioReceiver = receiver;
      options.onRemoteStream(streams[0] ?? new MediaStream([track]));
    };
    this.pc.onicecandidate = ({ candidate }) => {
      // The end-of-candidates marker is implied by the SDP; only real candidates travel.
      if (candidate && candidate.candidate) this.#send({ candidate: candidate.toJSON() as IceCandidate });
    };
    this.pc.onnegotiationneeded = () => void this.#offer();
    this.pc.onconnectionstatechange = () => this.#onConnectionState();
    // After each negotiation, every sender as hold and the answer say: one negotiated meanwhile (the camera turned
    // on) sends nothing while held, and a change a negotiation invalidated (setParameters refused) is made again.
    this.pc.onsignalingstatechange = () => {
      if (this.pc.signalingState !== 'stable') return;
      this.#applySending();
      this.#audio?.negotiated();
    };
  }

  get polite(): boolean {
    return this.#options.polite;
  }

  /**
   * The call is answered: send what was made while it rang. A held offer goes
   * as the connection's current description, which by now carries every
   * candidate gathered, in one message instead of one per candidate.
   */
  release(): void {
    if (this.#options.ahead === 'early') {
      if (this.#unanswered) {
        // The callee's user answered: the caller hears it here before the server's word can reach it.
        if (this.#options.polite) this.chat.sendAnswered();
        this.#unanswered = false;
        this.#forgetWord();
        // The sound first: replaceTrack does not wait on WebRTC's thread as getParameters does (busy with the
        // peer's first packets, it held the caller's main thread for up to 35 ms here). Then only the senders with
        // something to send: one without a track (a camera still off) sends nothing either way, and turning its
        // source on renegotiates, after which every sender is set again (onsignalingstatechange).
        this.#audio?.send(true);
        this.#applySending(false, true);
      }
      // Connected while it rang: no state change is left to say so. Said at each release, as the
      // callee's side starts its media at its click, before its call is answered (controller.svelte.ts).
      if (this.pc.connectionState === 'connected') this.#options.onMediaState('connected');
    }
    const held = this.#held;
    if (!held) return;
    this.#held = null;
    const local = this.pc.localDescription;
    if (held.some((s) => s.description) && local && this.pc.signalingState === 'have-local-offer') {
      this.#options.send({ description: { type: local.type, sdp: local.sdp } });
    } else {
      for (const signal of held) this.#options.send(signal);
    }
    for (const signal of this.#early.splice(0)) void this.handleSignal(signal);
  }

  /**
   * The callee said it answered, over this connection: the caller's microphone starts now (its call is answered
   * at the server's word), and stops again if that word does not come in time. Heeded once.
   */
  #peerAnswered(): void {
    if (!this.#unanswered || this.#wordHeard !== null || this.#closed) return;
    this.#audio?.send(true);
    this.#wordHeard = setTimeout(() => {
      if (this.#unanswered && !this.#closed) this.#audio?.send(false);
    }, WORD_CONFIRM_MS);
  }

  #forgetWord(): void {
    if (this.#wordHeard !== null) clearTimeout(this.#wordHeard);
  }

  /** Applies a description or candidate from the peer (once released). */
  handleSignal(signal: Signal): Promise<void> {
    if (this.#held) {
      this.#early.push(signal);
      return Promise.resolve();
    }
    this.#queue = this.#queue.then(() => this.#apply(signal)).catch((err: unknown) => log.warn('signal failed', err));
    return this.#queue;
  }

  /**
   * Signaling works again (this side reconnected, or the peer did): what was
   * sent meanwhile is lost, so a path still down is restarted from scratch.
   */
  signalingRestored(): void {
    this.#recovery.onSignalingRestored();
  }

  setMuted(muted: boolean): void {
    for (const t of this.#options.localStream.getAudioTracks()) t.enabled = !muted;
  }

  /** The call's microphone is another now (Auto noise suppression): this connection sends its own copy of `track`, muted as before. */
  replaceMicrophone(track: MediaStreamTrack): void {
    const stream = this.#options.localStream;
    const old = stream.getAudioTracks()[0];
    if (this.#closed || !old || !this.#audio) return;
    const copy = track.clone();
    copy.enabled = old.enabled;
    stream.removeTrack(old);
    stream.addTrack(copy);
    this.#audio.replace(copy);
    old.stop();
  }

  /**
   * Hold: every sender stops sending RTP (its encodings inactive), with no
   * renegotiation; the path, its ICE checks and the data channel stay up.
   * (A disabled track would still send packets of silence; mute does that.)
   */
  setOnHold(onHold: boolean): void {
    this.#onHold = onHold;
    this.#applySending();
  }

  /** Whether the senders send (the microphone's, before the answer, by having no track): not on hold, and the call answered. */
  get #sending(): boolean {
    return !this.#onHold && !this.#unanswered;
  }

  /**
   * `audio`: the microphone's sender too (its encoding is left alone while the answer only gives it its track back);
   * `tracked`: only senders that have a track.
   */
  #applySending(audio = true, tracked = false): void {
    for (const sender of this.pc.getSenders()) {
      const microphone = sender === this.#audio?.sender;
      if ((!microphone || audio) && (!tracked || sender.track)) void setSending(sender, microphone ? !this.#onHold : this.#sending);
    }
  }

  /** Fresh ICE servers (TURN credentials renewed in a long call): the path stays; the next gathering (an ICE restart) uses them. */
  setIceServers(iceServers: RTCIceServer[]): void {
    if (this.#closed) return;
    try {
      this.pc.setConfiguration({ ...this.pc.getConfiguration(), iceServers });
    } catch (err) {
      log.warn('could not apply fresh ICE servers', err);
    }
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  /** The loss the peer reports on this side's audio, in percent (null before its first report). */
  outgoingLoss(pct: number | null): void {
    this.#audio?.redundancy?.read(pct);
  }

  descriptions(): { local: string | null; remote: string | null } {
    return { local: this.pc.localDescription?.sdp ?? null, remote: this.pc.remoteDescription?.sdp ?? null };
  }

  /** The peer's audio level as it arrives (0..1, the meters' scale), from the RTP audio level of the packets played out:
   * cheap enough to read every tick for every peer, and independent of which stream the track is in. */
  receivedLevel(): number {
    const sources = this.#audioReceiver?.getSynchronizationSources() ?? [];
    return levelFromSources(sources, performance.timeOrigin + performance.now());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#forgetWord();
    this.#recovery.dispose();
    this.#audio?.close();
    this.video.dispose();
    this.chat.close();
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    this.pc.onsignalingstatechange = null;
    for (const t of this.#options.localStream.getTracks()) t.stop();
    this.pc.close();
  }

  async #offer(): Promise<void> {
    if (this.#closed) return;
    // The caller makes the first offer; the callee's tracks ride in its answer
    // (addTrack transceivers are reused by the remote offer). Offering from both
    // ends at once is legal under perfect negotiation, but the rollback it forces
    // on the callee has left Chromium's ICE gathering stalled.
    if (this.#options.polite && !this.pc.remoteDescription) return;
    try {
      this.#makingOffer = true;
      await this.pc.setLocalDescription();
      this.#sendLocalDescription();
    } catch (err) {
      log.warn('making an offer failed', err);
    } finally {
      this.#makingOffer = false;
    }
  }

  #sendLocalDescription(): void {
    const d = this.pc.localDescription;
    if (d) this.#send({ description: { type: d.type, sdp: d.sdp } });
  }

  #send(signal: Signal): void {
    if (this.#held) this.#held.push(signal);
    else this.#options.send(signal);
  }

  async #apply({ description, candidate }: Signal): Promise<void> {
    if (this.#closed) return;
    if (description) {
      const readyForOffer = !this.#makingOffer && (this.pc.signalingState === 'stable' || this.#settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.#ignoreOffer = !this.#options.polite && collision;
      if (this.#ignoreOffer) return;
      this.#settingRemoteAnswer = description.type === 'answer';
      await this.pc.setRemoteDescription(description);
      this.#settingRemoteAnswer = false;
      await this.#flushCandidates();
      if (description.type === 'offer') {
        await this.pc.setLocalDescription();
        this.#sendLocalDescription();
      }
    } else if (candidate) {
      if (!this.pc.remoteDescription) {
        this.#pendingCandidates.push(candidate);
        return;
      }
      await this.#addCandidate(candidate);
    }
  }

  async #flushCandidates(): Promise<void> {
    const pending = this.#pendingCandidates;
    this.#pendingCandidates = [];
    for (const c of pending) await this.#addCandidate(c);
  }

  async #addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      if (!this.#ignoreOffer) throw err;
    }
  }

  /** An ICE restart, dropping first an offer of ours that may never have reached the peer. */
  async #restartIce(): Promise<void> {
    if (this.#closed) return;
    try {
      if (this.pc.signalingState === 'have-local-offer' && !this.#makingOffer) {
        await this.pc.setLocalDescription({ type: 'rollback' });
      }
      log.info('restarting ICE');
      this.pc.restartIce(); // fires negotiationneeded: a new offer with new credentials
    } catch (err) {
      log.warn('ICE restart failed', err);
    }
  }

  #onConnectionState(): void {
    const state = this.pc.connectionState;
    this.#recovery.onPathState(state);
    if (state === 'connected') this.#options.onMediaState('connected');
    else if (state === 'disconnected' || state === 'failed') this.#options.onMediaState('interrupted');
  }
}
