/**
 * The server's side of a test call: a WebRTC peer (werift, pure TypeScript,
 * loaded only when a test call starts, so a server without the optional
 * package runs as before) that answers the caller's offer and sends each
 * audio packet it receives back after `delayMs`, so the caller hears their
 * own voice. It counts what arrived (loss, jitter) and reads the pair its
 * ICE agent selected: the server's half of the diagnosis. It takes one
 * offer, checked (offer-checks.ts); werift sees only the candidates the
 * call's policy admits (candidate-policy.ts), and the echo is policed and
 * capped (echo-queue.ts).
 */
import type { RtpPacket, RTCPeerConnection as WeriftPeer } from 'werift';
import type { Logger } from '../logger.js';
import type { EchoSignal, CandidateType, IceCandidate, IceServer, MediaPath, SessionDescription, TestCallReport } from '../protocol/index.js';
import { CANDIDATE_TYPES } from '../protocol/index.js';
import type { CandidateDrop, CandidatePolicy } from './candidate-policy.js';
import { EchoQueue, type EchoDrop } from './echo-queue.js';
import { checkOffer, filterOffer } from './offer-checks.js';
import { RtpStats } from './rtp-stats.js';

type Werift = typeof import('werift');

export interface EchoPeerOptions {
  /** STUN and TURN for the server's own gathering. */
  iceServers: IceServer[];
  delayMs: number;
  /** The answer and the server's candidates, for the caller. */
  send: (signal: EchoSignal) => void;
  /** ICE or DTLS failed. */
  onFailed: () => void;
  /** Which of the caller's candidates werift may check (candidate-policy.ts). */
  policy: CandidatePolicy;
  /** A packet the echo dropped, a candidate refused. */
  onDropped: (what: { packet: EchoDrop } | { candidate: CandidateDrop }) => void;
  log: Logger;
}

let loading: Promise<Werift> | undefined;

/** werift, imported once; rejects with a sentence when the optional package is missing. */
export function loadWerift(): Promise<Werift> {
  loading ??= import('werift').catch((err: unknown) => {
    loading = undefined;
    throw new Error(`the optional package "werift" could not be loaded (${(err as Error).message})`);
  });
  return loading;
}

/** werift takes one URL per entry and cannot do TURN over TLS or TCP: keep what it can use. */
function weriftServers(servers: IceServer[]): { urls: string; username?: string; credential?: string }[] {
  return servers.flatMap((s) =>
    (Array.isArray(s.urls) ? s.urls : [s.urls])
      .filter((url) => url.startsWith('stun:') || (url.startsWith('turn:') && !/transport=tcp/i.test(url)))
      .map((urls) => ({ urls, ...(s.username !== undefined && { username: s.username }), ...(s.credential !== undefined && { credential: s.credential }) })),
  );
}

const isCandidateType = (t: unknown): t is CandidateType => CANDIDATE_TYPES.includes(t as CandidateType);

export class EchoPeer {
  private readonly pc: WeriftPeer;
  private readonly stats = new RtpStats(48_000);
  readonly queue: EchoQueue<RtpPacket>;
  private readonly pump: NodeJS.Timeout;
  private closed = false;
  private offered = false;

  constructor(werift: Werift, private readonly options: EchoPeerOptions) {
    const { RTCPeerConnection, RTCRtpCodecParameters } = werift;
    this.queue = new EchoQueue(options.delayMs);
    this.pc = new RTCPeerConnection({
      iceServers: weriftServers(options.iceServers),
      // One transport for the whole call (offer-checks.ts refuses an offer that is not bundled).
      bundlePolicy: 'max-bundle',
      codecs: { audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48_000, channels: 2 })], video: [] },
    });
    this.pc.onIceCandidate.subscribe((c) => {
      if (!this.closed && c) options.send({ candidate: c.toJSON() });
    });
    this.pc.connectionStateChange.subscribe((state) => {
      if (state === 'failed' && !this.closed) options.onFailed();
    });
    this.pc.onTransceiverAdded.subscribe((transceiver) => {
      if (transceiver.kind !== 'audio') return;
      // Send as well as receive: the answer must say sendrecv or the caller would not play the echo.
      transceiver.setDirection('sendrecv');
      transceiver.onTrack.subscribe((track) => {
        track.onReceiveRtp.subscribe((rtp) => {
          const now = Date.now();
          this.stats.add(rtp.header.sequenceNumber, rtp.header.timestamp, now);
          // A flood is dropped here, not queued (echo-queue.ts).
          const dropped = this.queue.push(rtp, rtp.serializeSize, now);
          if (dropped) options.onDropped({ packet: dropped });
        });
      });
      this.sendTo = (rtp) => void transceiver.sender.sendRtp(rtp);
    });
    // One timer for the whole queue: packets leave in order, each delayMs after it came.
    this.pump = setInterval(() => {
      for (const rtp of this.queue.due()) this.sendTo?.(rtp);
    }, 10);
  }

  private sendTo: ((rtp: RtpPacket) => void) | undefined;

  /** Signals are applied one after another: a candidate must not overtake the offer it belongs to. */
  private chain: Promise<void> = Promise.resolve();

  /** An offer (answered at once) or a candidate from the caller. */
  signal(signal: { description?: SessionDescription; candidate?: IceCandidate }): Promise<void> {
    const run = this.chain.then(() => this.apply(signal));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async apply({ description, candidate }: { description?: SessionDescription; candidate?: IceCandidate }): Promise<void> {
    if (this.closed) return;
    if (description) {
      if (description.type !== 'offer' || description.sdp === undefined) throw new Error('the test call takes an offer');
      if (this.offered) throw new Error('the test call takes one offer');
      checkOffer(description.sdp);
      this.offered = true;
      // Only the candidates the policy admits reach werift (candidate-policy.ts).
      const offer = filterOffer(description.sdp, this.options.policy);
      this.refused(offer.dropped);
      await this.pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
      await this.pc.setLocalDescription(await this.pc.createAnswer());
      const sdp = this.pc.localDescription?.sdp;
      if (sdp !== undefined) this.options.send({ description: { type: 'answer', sdp } });
    }
    if (candidate) await this.trickled(candidate);
  }

  /** A trickled candidate reaches werift only when the policy admits it; the end of candidates always does. */
  private async trickled(candidate: NonNullable<IceCandidate>): Promise<void> {
    if (candidate.candidate.trim() === '') {
      await this.pc.addIceCandidate(candidate);
      return;
    }
    const admitted = this.options.policy.admit(candidate.candidate);
    if (!admitted.ok) {
      this.refused([{ reason: admitted.reason, address: admitted.address }]);
      return;
    }
    await this.pc.addIceCandidate({ ...candidate, candidate: admitted.candidate });
  }

  private refused(dropped: { reason: CandidateDrop; address: string }[]): void {
    if (dropped.length === 0) return;
    for (const d of dropped) this.options.onDropped({ candidate: d.reason });
    this.options.log.debug({ dropped }, 'test call: candidates dropped');
  }

  async report(): Promise<TestCallReport> {
    const { path, rttMs } = await this.selectedPair();
    return { received: this.stats.summary, ...(path && { path }), ...(rttMs !== undefined && { rttMs }) };
  }

  /** The nominated, succeeded pair that carried packets (or the first nominated one). */
  private async selectedPair(): Promise<{ path?: MediaPath; rttMs?: number }> {
    const report = await this.pc.getStats();
    const all = [...report.values()] as unknown as Record<string, unknown>[];
    const byId = new Map(all.map((s) => [s.id, s]));
    const pairs = all.filter((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
    const pair = pairs.find((p) => Number(p.packetsSent) > 0 || Number(p.packetsReceived) > 0) ?? pairs[0];
    if (!pair) return {};
    const local = byId.get(pair.localCandidateId);
    const remote = byId.get(pair.remoteCandidateId);
    const rtt = typeof pair.currentRoundTripTime === 'number' ? Math.round(pair.currentRoundTripTime * 1000) : undefined;
    if (!local || !remote || !isCandidateType(local.candidateType) || !isCandidateType(remote.candidateType)) return { rttMs: rtt };
    const path: MediaPath = { local: local.candidateType, remote: remote.candidateType, protocol: local.protocol === 'tcp' ? 'tcp' : 'udp' };
    return { path, ...(rtt !== undefined && { rttMs: rtt }) };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pump);
    this.queue.clear();
    void this.pc.close().catch(() => undefined);
  }
}

/** Loads werift and makes the peer. */
export async function createEchoPeer(options: EchoPeerOptions): Promise<EchoPeer> {
  return new EchoPeer(await loadWerift(), options);
}
