/**
 * The media of the call going on: this side's microphone (opened once per
 * call), its level meter, the mesh of peer sessions, and the call's camera,
 * screen and chat. The controller decides when; this does it, and undoes it
 * all in one teardown.
 */
import type { UserRef } from 'parley-server/protocol';
import { cameraConstraints } from '../settings/settings.js';
import type { CallDeps, Meter } from './call-deps.js';
import { CallIce } from './call-ice.js';
import type { Ahead, MediaState, Signal } from './call-session.js';
import { ChatLog } from './chat/chat.svelte.js';
import { fileRules } from './chat/file-consent.js';
import { CallMedia } from './media/call-media.svelte.js';
import { NoiseFloor } from './media/noise-floor.js';
import { ScreenShare } from './media/screen-share.svelte.js';
import { STATS_INTERVAL_MS } from './media-timeout.js';
import { Mesh } from './mesh.svelte.js';
import { CallRecording } from './recording/call-recording.svelte.js';
import { recordingSaver } from './recording/save-recording.js';
import { LEVEL_TICK_MS, SpeakingHold } from './speaking.js';

export interface LineHooks {
  /** The id of the call the peer sessions belong to ('' before the server gave one). */
  callId(): string;
  muted(): boolean;
  /** More than two people: signals name whom they are for. */
  group(): boolean;
  /** The call's name as shown. */
  title(): string;
  mediaState(username: string, state: MediaState): void;
}

export class CallLine {
  /** The microphone's level, 0..1, read every LEVEL_TICK_MS; no view shows it (your tile shows `inputSpeaking`). */
  inputLevel = 0;
  /**
   * You speak: the microphone was loud a moment ago (speaking.ts, as the mesh
   * decides for everyone else). A boolean that changes only when the ring
   * does, so the call view is not rendered again on each level reading.
   */
  inputSpeaking = $state(false);
  #speech = new SpeakingHold();
  readonly media: CallMedia;
  readonly chat: ChatLog;
  readonly screenShare: ScreenShare;
  /** Everyone else in the call, each with their own connection. */
  readonly mesh: Mesh;
  /** The call's STUN and TURN servers, renewed while it lasts. */
  readonly ice: CallIce;
  /** Recording the call, and who else does (recording/). */
  readonly recording: CallRecording;
  #stream: MediaStream | null = null;
  /** The call's session connects while it rings (prepare): the answer only starts its media. */
  early = false;
  /** The microphone being opened for the setup whose signal is `signal`. */
  #opening: { signal: AbortSignal; stream: Promise<MediaStream | null> } | null = null;
  #meter: Meter | null = null;
  /** Push-to-talk holds the microphone closed while its key is up (push-to-talk.svelte.ts); mute is apart from it. */
  #gateClosed = false;
  #timers: Partial<Record<'stats' | 'levels', ReturnType<typeof setInterval>>> = {};

  readonly #deps: CallDeps;
  readonly #hooks: LineHooks;

  constructor(
    deps: CallDeps,
    hooks: LineHooks,
  ) {
    this.#deps = deps;
    this.#hooks = hooks;
    const notice = (text: string) => deps.notices.show(text, 'call');
    this.media = new CallMedia({ cameraConstraints: () => cameraConstraints(deps.settings()), notice, withdraw: (text) => deps.notices.withdraw(text) });
    this.chat = new ChatLog(
      () => this.noteChat(),
      fileRules(() => deps.settings()),
    );
    this.screenShare = new ScreenShare(this.media, deps.desktopScreen, notice);
    this.mesh = new Mesh({ session: (user, polite, ahead) => this.#session(user, polite, ahead) });
    this.recording = new CallRecording({
      link: deps.link,
      notices: deps.notices,
      callId: () => this.#hooks.callId(),
      title: () => this.#hooks.title(),
      sources: () => [
        ...(this.#stream ? [{ key: 'me', stream: this.#stream, silent: this.microphoneClosed }] : []),
        ...this.mesh.peers.flatMap((p) => (p.stream ? [{ key: p.user.username, stream: p.stream, silent: false }] : [])),
      ],
      mainVideo: () => this.media.screenTile?.stream ?? this.media.tiles[0]?.stream ?? this.media.screen ?? this.media.camera,
      name: (username) => this.mesh.peer(username)?.user.displayName ?? deps.lookup(username).displayName,
      save: recordingSaver(deps.desktopRecording, deps.notices),
    });
    this.ice = new CallIce({
      renew: (callId) => deps.link.request('call:ice', { callId }),
      apply: (servers) => this.mesh.setIceServers(servers),
    });
  }

  get hasMicrophone(): boolean {
    return this.#stream !== null;
  }

  /** The call's microphone (each connection sends its own copy of it). */
  get microphone(): MediaStream | null {
    return this.#stream;
  }

  /** Muted, or push-to-talk's key is up: nothing goes out. */
  get microphoneClosed(): boolean {
    return this.#hooks.muted() || this.#gateClosed;
  }

  /** The user's mute: the gate still holds the microphone closed while push-to-talk's key is up. */
  setMuted(muted: boolean): void {
    this.#applyClosed(muted || this.#gateClosed);
  }

  /** Push-to-talk: closed while its key is up, open while it is held (or push-to-talk is off). */
  setGate(closed: boolean): void {
    if (closed === this.#gateClosed) return;
    this.#gateClosed = closed;
    this.#applyClosed(this.microphoneClosed);
  }

  /** Nothing goes out of a closed microphone, and its noise suppression rests. */
  #applyClosed(closed: boolean): void {
    this.mesh.setMuted(closed);
    if (this.#stream) this.#deps.platform.restMicrophone(this.#stream, closed);
  }

  /**
   * Opens the microphone for the setup `signal`, once: a second caller gets the
   * same promise (a failure is tried again). If the call is over by the time it
   * opens (`wanted` says no), it is stopped at once and the promise gives null.
   */
  openMicrophone(signal: AbortSignal, wanted: () => boolean): Promise<MediaStream | null> {
    if (this.#opening?.signal === signal) return this.#opening.stream;
    const stream = this.#deps.platform.openMicrophone(this.#deps.settings(), (text) => this.#deps.notices.show(text, 'device')).then((opened) => {
      if (!opened) {
        if (this.#opening?.signal === signal) this.#opening = null;
        return null;
      }
      if (!wanted()) {
        this.#deps.platform.stopStream(opened);
        return null;
      }
      this.#adopt(opened);
      return opened;
    });
    this.#opening = { signal, stream };
    return stream;
  }

  /** A microphone opened elsewhere (a room's, before its join) becomes the call's. */
  useMicrophone(signal: AbortSignal, stream: MediaStream): void {
    this.#adopt(stream);
    this.#opening = { signal, stream: Promise.resolve(stream) };
  }

  /** The line's microphone from now on: a microphone already closed (muted, or the key up) rests from the start. */
  #adopt(stream: MediaStream): void {
    this.#stream = stream;
    if (this.microphoneClosed) this.#deps.platform.restMicrophone(stream, true);
  }

  /** The peer session toward `peer`, made while the call rings: held, or connecting early, until it is answered (CallSession). */
  prepare(peer: UserRef, polite: boolean, ahead: Ahead): void {
    if (this.mesh.size > 0 || !this.#stream) return;
    this.early = ahead === 'early';
    this.mesh.add(peer, polite, ahead);
    // The microphone's meter too: it takes milliseconds to start, which the answer need not wait for.
    this.#meter ??= this.#deps.platform.levelMeter(this.#stream);
  }

  /** The level meters and quality samples, from the moment the media starts. */
  startMeters(): void {
    if (!this.#stream) return;
    this.#meter ??= this.#deps.platform.levelMeter(this.#stream);
    clearInterval(this.#timers.levels);
    clearInterval(this.#timers.stats);
    // Auto noise suppression listens to the room (noise-floor.ts) on the same tick, until it proves noisy.
    let floor = this.#deps.settings().noiseSuppression === 'auto' ? new NoiseFloor() : null;
    this.#timers.levels = setInterval(() => {
      const closed = this.microphoneClosed;
      const level = closed ? 0 : (this.#meter?.level() ?? 0);
      if (floor?.read(level, closed)) {
        floor = null;
        void this.#denoise();
      }
      // Each tick redraws every meter: not for a window nobody sees.
      if (!this.#deps.platform.shown()) return;
      this.#showInputLevel(level, closed);
      this.mesh.readLevels();
    }, LEVEL_TICK_MS);
    this.#timers.stats = setInterval(() => void this.#sampleStats(), STATS_INTERVAL_MS);
  }

  /**
   * Opens the microphone again, raw, with RNNoise on it, and moves everything that used the one open to it: each
   * connection's copy, the meter, the recording (which reads `microphone` again), then stops the one it replaced.
   * Where RNNoise cannot run the browser's suppression stays, said in the log only: Auto promised nothing more.
   */
  async #denoise(): Promise<void> {
    const old = this.#stream;
    const stream = old && (await this.#deps.platform.denoisedMicrophone(this.#deps.settings()));
    const track = stream?.getAudioTracks()[0];
    if (!stream || !track) return;
    if (this.#stream !== old) {
      this.#deps.platform.stopStream(stream); // the call ended while it opened
      return;
    }
    this.#adopt(stream);
    if (this.#opening) this.#opening = { signal: this.#opening.signal, stream: Promise.resolve(stream) };
    this.#meter?.close();
    this.#meter = this.#deps.platform.levelMeter(stream);
    this.mesh.replaceMicrophone(track);
    this.#deps.platform.stopStream(old);
  }

  #showInputLevel(level: number, closed: boolean): void {
    this.inputLevel = level;
    // Assigning the same boolean wakes nothing: the view hears of transitions only.
    this.inputSpeaking = this.#speech.read(level, Date.now(), closed);
  }

  /** Quality, and the media timeout of a call of two (in a group one silent person's path is theirs, not the call's). */
  async #sampleStats(): Promise<void> {
    await this.mesh.sampleQuality();
    if (!this.#hooks.group()) for (const username of this.mesh.silent()) this.#hooks.mediaState(username, 'silent');
  }

  #session(user: UserRef, polite: boolean, ahead: Ahead | undefined) {
    const callId = this.#hooks.callId();
    const { link } = this.#deps;
    return this.#deps.platform.peerSession({
      user,
      polite,
      ...(ahead && { ahead }),
      iceServers: this.ice.servers,
      localStream: this.#stream ?? new MediaStream(),
      muted: this.microphoneClosed,
      media: this.media,
      chat: this.chat,
      send: (signal: Signal) => void link.request('call:signal', { callId, ...(this.#hooks.group() && { to: user.username }), ...signal }),
      canSignal: () => link.connected && this.mesh.peer(user.username)?.away !== true,
      onRemoteStream: (stream) => this.mesh.setStream(user.username, stream),
      onMediaState: (state) => this.#hooks.mediaState(user.username, state),
    });
  }

  /** Stops and closes everything of the call. */
  teardown(): void {
    // First: the recording takes its last moments from the media about to stop.
    this.recording.reset();
    this.media.reset();
    this.chat.reset();
    this.screenShare.reset();
    this.mesh.close();
    this.ice.stop();
    if (this.#stream) this.#deps.platform.stopStream(this.#stream);
    this.#stream = null;
    this.#opening = null;
    this.early = false;
    for (const timer of Object.values(this.#timers)) clearInterval(timer);
    this.#meter?.close();
    this.#meter = null;
    this.inputLevel = 0;
    this.inputSpeaking = false;
    this.#speech = new SpeakingHold();
  }

  /** Chat happened in this call: its history entry says so (only that). */
  noteChat(): void {
    const callId = this.#hooks.callId();
    if (callId) void this.#deps.link.request('call:note', { callId, chat: true });
  }
}
