/**
 * Group calls on the SFU. The server says when a call's media moves there
 * (`room:mode`, at PARLEY_SFU_FROM people); from then on this device
 * publishes to the SFU (one SfuSession) and keeps its mesh connections until
 * the SFU carries audio from every one of them, then closes them: each
 * person's place in the mesh keeps its tile, level and mute, now fed from the
 * SFU (sfu-peer.ts). Anyone who comes into the call afterwards, or whom this
 * device meets after joining a call on the SFU, is on it from the start: the
 * platform's peer sessions are made here instead (`platform`).
 */
import type { MediaMode, UserRef } from 'parley-server/protocol';
import type { SignalingLink } from '../../connection/link.js';
import type { CallPlatform, PeerRequest } from '../call-deps.js';
import type { MediaState } from '../call-session.js';
import type { CallController } from '../controller.svelte.js';
import type { PeerSession } from '../mesh.svelte.js';
import { layerFor } from './layers.js';
import { SfuPeer } from './sfu-peer.js';
import { SfuSession, type SfuSessionOptions } from './sfu-session.js';

/** How often the move from the mesh is checked, and the received tracks read, while a call here is on the SFU. */
const TICK_MS = 250;
/** A session that failed is made again after this long. */
const RETRY_MS = 2000;
/** What the chat panel says in a call on the SFU: chat rides the mesh's data channels. */
export const CHAT_NOT_ON_SFU = 'Chat and files are not available in calls this large yet.';
/** Call ids whose mode is remembered (a newcomer hears it before the answer that gives it the call). */
const MODES_KEPT = 8;

export class SfuCalls {
  #session: SfuSession | null = null;
  readonly #modes = new Map<string, MediaMode>();
  /** Everyone this device receives from the SFU, by username. */
  readonly #peers = new Map<string, SfuPeer>();
  #retryAt = 0;
  /** An sfu:leave under way: the next publish waits for it. */
  #leaving: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;

  readonly #link: SignalingLink;
  readonly #calls: () => CallController;
  readonly #makeSession: (options: SfuSessionOptions) => SfuSession;

  constructor(
    link: SignalingLink,
    calls: () => CallController,
    /** A test's fake; otherwise the browser's WebRTC. */
    makeSession: (options: SfuSessionOptions) => SfuSession = (options) => new SfuSession(options),
  ) {
    this.#link = link;
    this.#calls = calls;
    this.#makeSession = makeSession;
    link.on('room:mode', ({ callId, mode }) => {
      this.#modes.delete(callId);
      this.#modes.set(callId, mode);
      for (const id of [...this.#modes.keys()].slice(0, Math.max(0, this.#modes.size - MODES_KEPT))) this.#modes.delete(id);
      this.#tick();
    });
    link.on('sfu:offer', ({ callId, description, streams }) => {
      if (this.#session?.callId === callId) this.#session.offer(description, streams);
    });
    // Who talks, from the SFU's measure of everyone's level: the speaking rings and who comes first on the stage.
    link.on('sfu:talking', ({ callId, username, talking }) => {
      if (this.#session?.callId === callId) this.#session.setTalking(username, talking);
    });
    // The SFU dropped this device (it restarted, or this device's connection to the server did): publish again.
    link.on('sfu:closed', ({ callId }) => {
      if (this.#session?.callId === callId) this.#drop(this.#session, false);
      this.#retryAt = 0;
      this.#tick();
    });
  }

  /** The platform with peer sessions on the SFU while the call is there. */
  platform(platform: CallPlatform): CallPlatform {
    return { ...platform, peerSession: (r) => (this.onSfu() ? this.#peer(r.user, r.onRemoteStream, r.onMediaState, r.media) : platform.peerSession(r)) };
  }

  /** Whether the call going on here is on the SFU. */
  onSfu(): boolean {
    const phase = this.#calls().phase;
    return phase.kind !== 'idle' && this.#isSfu(phase.callId);
  }

  #isSfu(callId: string | null | undefined): boolean {
    return callId != null && this.#modes.get(callId) === 'sfu';
  }

  dispose(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#session) this.#drop(this.#session, false);
  }

  #peer(user: UserRef, onRemoteStream: (s: MediaStream) => void, onMediaState: (s: MediaState) => void, media: PeerRequest['media']): PeerSession {
    const peer: SfuPeer = new SfuPeer(user, {
      onRemoteStream,
      onMediaState,
      media,
      session: () => this.#session,
      closed: () => {
        if (this.#peers.get(user.username) === peer) this.#peers.delete(user.username);
      },
    });
    this.#peers.set(user.username, peer);
    this.#calls().chat.unavailable = CHAT_NOT_ON_SFU;
    queueMicrotask(() => this.#tick());
    return peer;
  }

  /**
   * Every way into a call on the SFU ticks once (its `room:mode`, a peer made
   * here for it, `sfu:closed`); the tick then repeats only while it is needed,
   * so a page at rest or in a call on the mesh is never woken for it.
   */
  #tick(): void {
    this.#step();
    if (this.#needed()) this.#timer ??= setInterval(() => this.#tick(), TICK_MS);
    else {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  /** A session is open, or a call here (the one going on, or one on hold) is on the SFU and not over. */
  #needed(): boolean {
    const calls = this.#calls();
    return this.#session !== null || (calls.phase.kind !== 'ended' && this.onSfu()) || this.#isSfu(calls.aside?.callId);
  }

  #step(): void {
    const calls = this.#calls();
    const live = calls.live();
    if (this.#session && live?.callId !== this.#session.callId) this.#drop(this.#session, false);
    if (!live || !this.onSfu()) return;
    this.#ensureSession(live.callId);
    const session = this.#session;
    if (!session) return;
    const received = session.received();
    for (const entry of this.#peers.values()) entry.update(received.get(entry.user.username), session.connected());
    // Each person's camera at the layer their tile needs, none while it does not show; their screen while the window shows.
    const screens = calls.media.views.showing() ? {} : { screen: false };
    session.setView([...this.#peers.keys()].sort().map((username) => ({ username, video: layerFor(calls.media.views.shown(username)), ...screens })));
    void session.framesDecoded().then((frames) => {
      for (const [username, count] of frames) this.#peers.get(username)?.framesDecoded(count);
    });
    // The mesh goes once the SFU carries audio from every one of its people.
    const onMesh = calls.mesh.peers.filter((p) => p.state !== 'ringing' && !this.#peers.has(p.user.username));
    if (onMesh.length === 0 || !session.connected()) return;
    const flowing = (username: string) => {
      const audio = received.get(username)?.audio;
      return audio !== null && audio !== undefined && !audio.muted;
    };
    if (!onMesh.every((p) => flowing(p.user.username))) return;
    for (const p of onMesh) {
      const username = p.user.username;
      calls.mesh.replaceSession(
        username,
        this.#peer(p.user, (stream) => calls.mesh.setStream(username, stream), (state) => calls.mesh.setState(username, state), calls.media),
      );
    }
  }

  #ensureSession(callId: string): void {
    const calls = this.#calls();
    const microphone = calls.line.microphone;
    if (this.#session || !microphone || Date.now() < this.#retryAt) return;
    const session: SfuSession = this.#makeSession({
      link: this.#link,
      callId,
      iceServers: calls.line.ice.servers,
      microphone,
      muted: calls.line.microphoneClosed,
      camera: calls.media.camera?.getVideoTracks()[0] ?? null,
      screen: calls.media.screen?.getVideoTracks()[0] ?? null,
      changed: () => this.#tick(),
      failed: () => this.#drop(session, true),
    });
    this.#session = session;
    void this.#leaving.then(() => (this.#session === session ? session.start() : undefined));
  }

  /** The session is done; `leave`: the server still has it (a failure here), so it is told first. */
  #drop(session: SfuSession, leave: boolean): void {
    if (this.#session !== session) return;
    session.close();
    this.#session = null;
    this.#retryAt = Date.now() + RETRY_MS;
    if (leave) this.#leaving = this.#link.request('sfu:leave', { callId: session.callId });
    for (const entry of this.#peers.values()) entry.update(undefined, false);
  }
}
