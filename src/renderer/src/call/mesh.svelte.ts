/**
 * The media side of a call with any number of people: a full mesh, one peer
 * session per remote participant, each negotiated on its own (perfect
 * negotiation, with the role the server gave for that pair). A 1:1 call is a
 * mesh of one. This module keeps the books: who is there, their session,
 * signals that came before their session, mute and away state, the level of
 * their audio, a speaking indicator, connection quality per participant, and
 * whether audio still arrives over a path that says it is up (media-timeout.ts).
 * Sessions come from a factory (CallSession in the app, fakes in tests), so
 * nothing here touches WebRTC itself.
 */
import type { UserRef } from 'parley-server/protocol';
import type { Ahead, MediaState, Signal } from './call-session.js';
import { verificationCode } from './verification.js';
import { AudioWatch } from './media-timeout.js';
import { SpeakingHold } from './speaking.js';
import { sampleFromStats, scoreQuality, type LossCounters, type Quality, type QualitySample, type StatsEntry } from './quality.js';

/** What the mesh needs of a peer session (CallSession has it). */
export interface PeerSession {
  readonly polite: boolean;
  handleSignal(signal: Signal): Promise<void>;
  release(): void;
  signalingRestored(): void;
  setMuted(muted: boolean): void;
  /** The call's microphone is another track now (Auto noise suppression turned RNNoise on): sent from now on. */
  replaceMicrophone?(track: MediaStreamTrack): void;
  /** On hold: nothing is sent to this peer (the connection stays up). */
  setOnHold(onHold: boolean): void;
  /** The call's ICE servers changed (fresh TURN credentials): used from the next gathering on. */
  setIceServers(servers: RTCIceServer[]): void;
  getStats(): Promise<RTCStatsReport>;
  /** Whether the call has two peers or more: the camera sends each a grid's tile (video-ladders.ts). */
  setGroup?(group: boolean): void;
  /** The loss the peer reports on this side's audio, in percent, as each quality sample reads it: it steers the voice's redundancy (audio-redundancy.ts). */
  outgoingLoss?(pct: number | null): void;
  /** The negotiated descriptions' SDP, for the verification code; null while there is none. */
  descriptions(): { local: string | null; remote: string | null };
  /** The level of their audio as it arrives now, 0..1 (audio-level.ts). */
  receivedLevel(): number;
  /** Whether they talk, where the path says so itself (the SFU measures it: sfu-peer.ts); else their level decides. */
  speaking?(): boolean;
  close(): void;
}

export type PeerState = 'ringing' | MediaState;

/** One remote participant as the in-call view shows them. */
export interface Peer {
  user: UserRef;
  /** `ringing`: added to the call, not answered yet (no session). */
  state: PeerState;
  muted: boolean;
  /** Their device lost its connection to the server; the call waits for it. */
  away: boolean;
  stream: MediaStream | null;
  /** Live level of their audio, 0..1. */
  level: number;
  speaking: boolean;
  /** When they last started talking, where the path says who talks (the SFU): the stage puts them first (speakersFirst). */
  spokeAt?: number;
  quality: { quality: Quality; sample: QualitySample } | null;
  /** The code both sides read to check the connection's keys (verification.ts); null until it is connected. */
  verification: string | null;
}

export interface MeshOptions {
  /** Makes the session toward `user`; `ahead` while the call still rings (see CallSession). */
  session(user: UserRef, polite: boolean, ahead?: Ahead): PeerSession;
  now?: () => number;
}

/** Signals kept per participant whose session is not made yet (an offer and its candidates fit easily). */
const EARLY_SIGNALS_MAX = 64;

interface Link {
  session: PeerSession | null;
  counters: LossCounters | null;
  speech: SpeakingHold;
  audio: AudioWatch;
  /** No audio has arrived for the media timeout over a connected path. */
  silent: boolean;
}

export class Mesh {
  /** Everyone else in the call, in the order they came. */
  peers = $state<Peer[]>([]);
  // Bookkeeping, never rendered: `peers` is what the view reads.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #links = new Map<string, Link>();
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  readonly #early = new Map<string, Signal[]>();
  readonly #now: () => number;
  /** The call is on hold: every session sends nothing, and silence is expected. */
  #onHold = false;

  readonly #options: MeshOptions;

  constructor(options: MeshOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.peers.length;
  }

  peer(username: string): Peer | undefined {
    return this.peers.find((p) => p.user.username === username);
  }

  session(username: string): PeerSession | null {
    return this.#links.get(username)?.session ?? null;
  }

  /** Someone was added and rings: shown, with no session until they answer. */
  ringing(user: UserRef): void {
    if (!this.peer(user.username)) this.peers.push(this.#blank(user, 'ringing'));
  }

  /**
   * Starts the session toward `user` (once: a second add keeps the first) and
   * applies what they sent before it existed.
   */
  add(user: UserRef, polite: boolean, ahead?: Ahead): PeerSession {
    const existing = this.#links.get(user.username)?.session;
    if (existing) return existing;
    const peer = this.peer(user.username);
    if (peer) {
      peer.state = 'connecting';
      peer.user = user;
    } else {
      this.peers.push(this.#blank(user, 'connecting'));
    }
    const session = this.#options.session(user, polite, ahead);
    this.#links.set(user.username, { session, counters: null, speech: new SpeakingHold(), audio: new AudioWatch(), silent: false });
    this.#regroup();
    if (this.#onHold) session.setOnHold(true);
    for (const s of this.#early.get(user.username) ?? []) void session.handleSignal(s);
    this.#early.delete(user.username);
    return session;
  }

  /** Their side lost its session (a reload): theirs closes and a new one starts, impolite, which offers. */
  renew(username: string): void {
    const peer = this.peer(username);
    const link = this.#links.get(username);
    if (!peer || !link?.session) return;
    link.session.close();
    this.#links.delete(username);
    this.#early.delete(username);
    peer.verification = null;
    this.add(peer.user, false);
  }

  /**
   * Their media moves to another path (the SFU, sfu/): the old session
   * closes, and they stay as shown (state, mute, level) with the new one.
   */
  replaceSession(username: string, session: PeerSession): void {
    const link = this.#links.get(username);
    if (!link?.session) return;
    link.session.close();
    this.#links.set(username, { session, counters: null, speech: link.speech, audio: new AudioWatch(), silent: false });
    this.#regroup();
  }

  /** They left (or their invitation ended): their session closes, the others are untouched. */
  remove(username: string): void {
    const link = this.#links.get(username);
    link?.session?.close();
    this.#links.delete(username);
    this.#regroup();
    this.#early.delete(username);
    this.peers = this.peers.filter((p) => p.user.username !== username);
  }

  /** Tells every session whether the call is a group's (two peers or more): idempotent. */
  #regroup(): void {
    const group = this.#links.size >= 2;
    for (const { session } of this.#links.values()) session?.setGroup?.(group);
  }

  /** A signal from `from`: to their session, or kept until it exists. */
  signal(from: string, signal: Signal): void {
    const session = this.#links.get(from)?.session;
    if (session) {
      void session.handleSignal(signal);
      return;
    }
    const kept = this.#early.get(from) ?? [];
    if (kept.length < EARLY_SIGNALS_MAX) this.#early.set(from, [...kept, signal]);
  }

  /** The call is answered: sessions made while it rang send what they prepared. */
  release(): void {
    for (const link of this.#links.values()) link.session?.release();
  }

  setMuted(muted: boolean): void {
    for (const link of this.#links.values()) link.session?.setMuted(muted);
  }

  replaceMicrophone(track: MediaStreamTrack): void {
    for (const link of this.#links.values()) link.session?.replaceMicrophone?.(track);
  }

  /** Hold (either side's): no session sends, and no audio is due until it is taken off. */
  setOnHold(onHold: boolean): void {
    this.#onHold = onHold;
    for (const link of this.#links.values()) {
      link.session?.setOnHold(onHold);
      link.silent = false;
    }
  }

  /** Fresh ICE servers for every session of the call. */
  setIceServers(servers: RTCIceServer[]): void {
    for (const link of this.#links.values()) link.session?.setIceServers(servers);
  }

  /** Signaling works again: each session mends its path if it needs to. */
  signalingRestored(username?: string): void {
    for (const [name, link] of this.#links) if (username === undefined || name === username) link.session?.signalingRestored();
  }

  setState(username: string, state: MediaState): void {
    const peer = this.peer(username);
    if (peer) peer.state = state;
    if (peer && state === 'connected' && peer.verification === null) void this.#verify(username);
  }

  /** The verification code of a connection that came up (its keys are final). */
  async #verify(username: string): Promise<void> {
    const session = this.#links.get(username)?.session;
    const { local, remote } = session?.descriptions() ?? { local: null, remote: null };
    if (local === null || remote === null) return;
    const code = await verificationCode(local, remote);
    const peer = this.peer(username);
    // Still the same session (not renewed or gone meanwhile).
    if (peer && this.#links.get(username)?.session === session) peer.verification = code;
  }

  setMutedBy(username: string, muted: boolean): void {
    const peer = this.peer(username);
    if (peer) peer.muted = muted;
  }

  setAway(username: string, away: boolean): void {
    const peer = this.peer(username);
    if (peer) peer.away = away;
  }

  /** Everyone's path is up (or nobody is there to connect to). */
  allConnected(): boolean {
    return this.peers.every((p) => p.state === 'connected' || p.state === 'ringing');
  }

  setStream(username: string, stream: MediaStream): void {
    const peer = this.peer(username);
    if (peer && this.#links.has(username)) peer.stream = stream;
  }

  /**
   * Reads each participant's level; speaking while loud, and for a moment
   * after, or as their path says (on the SFU, which measures everyone's
   * level for everyone). Someone who says they muted is not speaking,
   * whatever their level still reads (the last packets before the mute, the hold).
   */
  readLevels(): void {
    const now = this.#now();
    for (const peer of this.peers) {
      const link = this.#links.get(peer.user.username);
      if (!link?.session) continue;
      const level = link.session.receivedLevel();
      peer.level = level;
      const told = link.session.speaking?.();
      const speaking = told === undefined ? link.speech.read(level, now, peer.muted) : told && !peer.muted;
      // Already speaking when their media moved to the SFU counts as starting now.
      if (told !== undefined && speaking && (!peer.speaking || peer.spokeAt === undefined)) peer.spokeAt = now;
      peer.speaking = speaking;
    }
  }

  /**
   * Scores each connection from its statistics over the last interval, and
   * counts the audio packets of each connected one whose audio track came
   * (no inbound statistics yet is none received).
   */
  async sampleQuality(): Promise<void> {
    await Promise.all(
      [...this.#links].map(async ([username, link]) => {
        const session = link.session;
        if (!session) return;
        const report = await session.getStats();
        // Left meanwhile, or a new session took the place.
        if (this.#links.get(username)?.session !== session) return;
        const { sample, counters } = sampleFromStats(report.values() as Iterable<StatsEntry>, link.counters);
        link.counters = counters;
        session.outgoingLoss?.(sample.outLossPct ?? null);
        const peer = this.peer(username);
        if (peer) peer.quality = { quality: scoreQuality(sample), sample };
        // On hold the peer sends nothing by agreement: no audio is due.
        const due = !this.#onHold && peer?.state === 'connected' && peer.stream !== null;
        link.silent = link.audio.sample(this.#now(), due ? (counters?.packetsReceived ?? 0) : null);
      }),
    );
  }

  /** Whoever's connected path has carried no audio for the media timeout (as of the last sample). */
  silent(): string[] {
    return [...this.#links].flatMap(([username, link]) => (link.silent ? [username] : []));
  }

  /** The statistics of every session there is. */
  async reports(): Promise<RTCStatsReport[]> {
    const sessions = [...this.#links.values()].flatMap((l) => (l.session ? [l.session] : []));
    return Promise.all(sessions.map((s) => s.getStats()));
  }

  /** Ends every session (the call is over): the next call starts off hold, whatever this one ended in. */
  close(): void {
    this.#onHold = false;
    for (const link of this.#links.values()) link.session?.close();
    this.#links.clear();
    this.#early.clear();
    this.peers = [];
  }

  #blank(user: UserRef, state: PeerState): Peer {
    return { user, state, muted: false, away: false, stream: null, level: 0, speaking: false, quality: null, verification: null };
  }
}
