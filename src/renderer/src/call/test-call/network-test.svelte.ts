/**
 * Settings → Network: "Check my network" (gather with this account's STUN
 * and TURN) and "Test call" (the same, then an echo call with the server:
 * you speak, you hear yourself after a few seconds, and the report says
 * which path the media took and how it fared). One run at a time; a run
 * started during a real call is refused by the screen, not here.
 */
import type { CandidateType, IceCandidate, SessionDescription } from 'parley-server/protocol';
import type { SignalingLink } from '../../connection/link.js';
import { logger } from '../../lib/log.js';
import { microphoneConstraints, type Settings } from '../../settings/settings.js';
import { gather } from './network-check.js';
import type { EchoMeasures, NetworkReport } from './report-text.js';

const log = logger('network-test');
const CONNECT_TIMEOUT_MS = 15_000;
/** Talk, then hear it back: the echo plays for this long after the delay. */
const LISTEN_MS = 4000;

export type NetworkTestState =
  | { kind: 'idle' }
  | { kind: 'checking' }
  | { kind: 'connecting' }
  | { kind: 'talking'; delayMs: number; until: number }
  | { kind: 'done'; report: NetworkReport }
  | { kind: 'failed'; message: string };

export interface NetworkTestDeps {
  link: SignalingLink;
  settings: () => Settings;
  /** The server answers test calls (session:ready.testCall). */
  offered: () => boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class NetworkTest {
  state = $state<NetworkTestState>({ kind: 'idle' });

  readonly #deps: NetworkTestDeps;

  constructor(deps: NetworkTestDeps) {
    this.#deps = deps;
  }

  get offered(): boolean {
    return this.#deps.offered();
  }

  get running(): boolean {
    return ['checking', 'connecting', 'talking'].includes(this.state.kind);
  }

  /** Runs the network check, and with `echo` the test call after it. */
  async run(echo: boolean): Promise<void> {
    if (this.running) return;
    this.state = { kind: 'checking' };
    try {
      const ice = await this.#deps.link.request('network:ice', {});
      if (!ice.ok) throw new Error(ice.message);
      const gathered = await gather(ice.iceServers);
      const report: NetworkReport = { gather: gathered };
      if (echo) report.echo = await this.#echo().catch((err: unknown) => ({ error: (err as Error).message }));
      this.state = { kind: 'done', report };
    } catch (err) {
      this.state = { kind: 'failed', message: `The check could not run: ${(err as Error).message}` };
    }
  }

  reset(): void {
    if (!this.running) this.state = { kind: 'idle' };
  }

  async #echo(): Promise<NonNullable<NetworkReport['echo']>> {
    this.state = { kind: 'connecting' };
    const started = await this.#deps.link.request('testcall:start', {});
    if (!started.ok) throw new Error(started.message);
    const { testId } = started;
    const mic = await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(this.#deps.settings()) });
    const pc = new RTCPeerConnection({ iceServers: started.iceServers });
    const audio = new Audio();
    audio.autoplay = true;
    const pending: IceCandidate[] = [];
    const off = this.#deps.link.on('testcall:signal', (m) => {
      if (m.testId !== testId) return;
      void this.#remote(pc, m.description, m.candidate, pending).catch((err: unknown) => log.warn('test call signal failed:', (err as Error).message));
    });
    try {
      for (const track of mic.getAudioTracks()) pc.addTrack(track, mic);
      pc.ontrack = (e) => {
        audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
        const speaker = this.#deps.settings().speakerId;
        if (speaker) void audio.setSinkId(speaker).catch(() => undefined);
      };
      // Candidates follow the offer: the ones found before it is sent wait.
      let early: (IceCandidate | undefined)[] | undefined = [];
      const sendCandidate = (c: IceCandidate | undefined) => void this.#deps.link.request('testcall:signal', { testId, candidate: c ?? null });
      pc.onicecandidate = (e) => {
        const c = e.candidate ? (e.candidate.toJSON() as IceCandidate) : undefined;
        if (early) early.push(c);
        else sendCandidate(c);
      };
      await pc.setLocalDescription(await pc.createOffer());
      const offer = pc.localDescription;
      if (!offer) throw new Error('no offer');
      const sent = await this.#deps.link.request('testcall:signal', { testId, description: { type: 'offer', sdp: offer.sdp } });
      if (!sent.ok) throw new Error(sent.message);
      for (const c of early) sendCandidate(c);
      early = undefined;
      await connected(pc);
      this.state = { kind: 'talking', delayMs: started.delayMs, until: Date.now() + started.delayMs + LISTEN_MS };
      let level = 0;
      const end = Date.now() + started.delayMs + LISTEN_MS;
      while (Date.now() < end) {
        await sleep(250);
        level = Math.max(level, (await measures(pc)).level);
      }
      const client = { ...(await measures(pc)), level };
      const server = await this.#deps.link.request('testcall:stop', { testId });
      if (!server.ok) throw new Error(server.message);
      return { client, server: { received: server.received, ...(server.path && { path: server.path }), ...(server.rttMs !== undefined && { rttMs: server.rttMs }) } };
    } finally {
      off();
      pc.close();
      for (const t of mic.getTracks()) t.stop();
      audio.srcObject = null;
      void this.#deps.link.request('testcall:stop', { testId });
    }
  }

  async #remote(pc: RTCPeerConnection, description: SessionDescription | undefined, candidate: IceCandidate | undefined, pending: IceCandidate[]): Promise<void> {
    if (description?.type === 'answer' && description.sdp) {
      await pc.setRemoteDescription({ type: 'answer', sdp: description.sdp });
      for (const c of pending.splice(0)) await pc.addIceCandidate(c ?? undefined);
    }
    if (candidate !== undefined) {
      // Candidates before the answer wait for it.
      if (!pc.remoteDescription) pending.push(candidate);
      else await pc.addIceCandidate(candidate ?? undefined);
    }
  }
}

function connected(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the test call could not connect to the server: its media port may be blocked, and no TURN relay worked')), CONNECT_TIMEOUT_MS);
    const check = () => {
      if (pc.connectionState === 'connected') {
        clearTimeout(timer);
        resolve();
      } else if (pc.connectionState === 'failed') {
        clearTimeout(timer);
        reject(new Error('the test call could not connect to the server (ICE failed): no path worked, not even through TURN'));
      }
    };
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

type Stat = Record<string, unknown> & { type: string; id: string };

/** The echo as this side's getStats has it: the selected pair, its round trip, and the inbound audio. */
async function measures(pc: RTCPeerConnection): Promise<EchoMeasures> {
  const all = [...(await pc.getStats()).values()] as Stat[];
  const byId = new Map(all.map((s) => [s.id, s]));
  const transport = all.find((s) => s.type === 'transport');
  const pair = byId.get(String(transport?.selectedCandidatePairId)) ?? all.find((s) => s.type === 'candidate-pair' && s.nominated === true && s.state === 'succeeded');
  const inbound = all.find((s) => s.type === 'inbound-rtp' && s.kind === 'audio');
  const local = pair && byId.get(String(pair.localCandidateId));
  const remote = pair && byId.get(String(pair.remoteCandidateId));
  const rtt = pair?.currentRoundTripTime;
  return {
    ...(local && remote && { path: { local: local.candidateType as CandidateType, remote: remote.candidateType as CandidateType } }),
    ...(typeof rtt === 'number' && { rttMs: Math.round(rtt * 1000) }),
    packets: Number(inbound?.packetsReceived ?? 0),
    lost: Math.max(0, Number(inbound?.packetsLost ?? 0)),
    jitterMs: Math.round(Number(inbound?.jitter ?? 0) * 10_000) / 10,
    level: Number(inbound?.audioLevel ?? 0),
  };
}
