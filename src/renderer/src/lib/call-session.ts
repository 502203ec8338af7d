/**
 * One call's media path: a single RTCPeerConnection negotiated with the
 * "perfect negotiation" pattern (the server says who is polite), trickle
 * ICE with candidates held back until the remote description is set, Opus
 * first, an ICE restart when the path fails, and one idempotent `close`.
 */
import type { IceCandidate, SessionDescription } from 'parley-server/protocol';
import { logger } from './log.js';

const log = logger('call');

export interface Signal {
  description?: SessionDescription;
  candidate?: IceCandidate;
}

export type MediaState = 'connecting' | 'connected' | 'interrupted' | 'failed';

export interface CallSessionOptions {
  polite: boolean;
  iceServers: RTCIceServer[];
  localStream: MediaStream;
  send: (signal: Signal) => void;
  onRemoteStream: (stream: MediaStream) => void;
  onMediaState: (state: MediaState) => void;
}

export class CallSession {
  readonly pc: RTCPeerConnection;
  private makingOffer = false;
  private ignoreOffer = false;
  private settingRemoteAnswer = false;
  private pendingCandidates: RTCIceCandidateInit[] = [];
  /** Signals are applied one at a time, in order. */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: CallSessionOptions) {
    this.pc = new RTCPeerConnection({ iceServers: options.iceServers });
    for (const track of options.localStream.getTracks()) {
      const sender = this.pc.addTrack(track, options.localStream);
      preferOpus(this.pc.getTransceivers().find((t) => t.sender === sender));
    }
    this.pc.ontrack = ({ streams, track }) => {
      options.onRemoteStream(streams[0] ?? new MediaStream([track]));
    };
    this.pc.onicecandidate = ({ candidate }) => {
      // The end-of-candidates marker is implied by the SDP; only real candidates travel.
      if (candidate && candidate.candidate) options.send({ candidate: candidate.toJSON() as IceCandidate });
    };
    this.pc.onnegotiationneeded = () => void this.offer();
    this.pc.onconnectionstatechange = () => this.onConnectionState();
  }

  /** Applies a description or candidate from the peer. */
  handleSignal(signal: Signal): Promise<void> {
    this.queue = this.queue.then(() => this.apply(signal)).catch((err: unknown) => log.warn('signal failed', err));
    return this.queue;
  }

  setMuted(muted: boolean): void {
    for (const t of this.options.localStream.getAudioTracks()) t.enabled = !muted;
  }

  getStats(): Promise<RTCStatsReport> {
    return this.pc.getStats();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pc.onnegotiationneeded = null;
    this.pc.onicecandidate = null;
    this.pc.ontrack = null;
    this.pc.onconnectionstatechange = null;
    for (const t of this.options.localStream.getTracks()) t.stop();
    this.pc.close();
  }

  private async offer(): Promise<void> {
    if (this.closed) return;
    // The caller makes the first offer; the callee's tracks ride in its answer
    // (addTrack transceivers are reused by the remote offer). Offering from both
    // ends at once is legal under perfect negotiation, but the rollback it forces
    // on the callee has left Chromium's ICE gathering stalled.
    if (this.options.polite && !this.pc.remoteDescription) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      this.sendLocalDescription();
    } catch (err) {
      log.warn('making an offer failed', err);
    } finally {
      this.makingOffer = false;
    }
  }

  private sendLocalDescription(): void {
    const d = this.pc.localDescription;
    if (d) this.options.send({ description: { type: d.type, sdp: d.sdp } });
  }

  private async apply({ description, candidate }: Signal): Promise<void> {
    if (this.closed) return;
    if (description) {
      const readyForOffer = !this.makingOffer && (this.pc.signalingState === 'stable' || this.settingRemoteAnswer);
      const collision = description.type === 'offer' && !readyForOffer;
      this.ignoreOffer = !this.options.polite && collision;
      if (this.ignoreOffer) return;
      this.settingRemoteAnswer = description.type === 'answer';
      await this.pc.setRemoteDescription(description);
      this.settingRemoteAnswer = false;
      await this.flushCandidates();
      if (description.type === 'offer') {
        await this.pc.setLocalDescription();
        this.sendLocalDescription();
      }
    } else if (candidate) {
      if (!this.pc.remoteDescription) {
        this.pendingCandidates.push(candidate);
        return;
      }
      await this.addCandidate(candidate);
    }
  }

  private async flushCandidates(): Promise<void> {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const c of pending) await this.addCandidate(c);
  }

  private async addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (err) {
      if (!this.ignoreOffer) throw err;
    }
  }

  private onConnectionState(): void {
    switch (this.pc.connectionState) {
      case 'connected':
        this.options.onMediaState('connected');
        break;
      case 'disconnected':
        this.options.onMediaState('interrupted');
        break;
      case 'failed':
        this.options.onMediaState('interrupted');
        // The impolite side restarts, so the two never restart over each other.
        if (!this.options.polite) this.pc.restartIce();
        break;
      default:
        break;
    }
  }
}

function preferOpus(transceiver: RTCRtpTransceiver | undefined): void {
  const codecs = RTCRtpReceiver.getCapabilities('audio')?.codecs;
  if (!transceiver || !codecs) return;
  const opus = codecs.filter((c) => c.mimeType.toLowerCase() === 'audio/opus');
  if (opus.length === 0) return;
  transceiver.setCodecPreferences([...opus, ...codecs.filter((c) => !opus.includes(c))]);
}
