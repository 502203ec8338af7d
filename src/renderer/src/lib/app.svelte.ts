/**
 * The renderer's state and the one place that drives it: the signed-in
 * session, the team directory with live presence, the current call (through
 * the pure state machine, and a mesh of one CallSession per other person in
 * it: one for a 1:1 call, more for a group call), history and settings.
 * Components read this and call its methods; they hold no call logic.
 */
import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import type {
  Ack,
  ClientEvent,
  ClientPayload,
  ClientReplies,
  DirectoryEntry,
  EndReason,
  ErrorCode,
  HistoryEntry,
  SettableStatus,
  Status,
  UserRef,
} from 'parley-server/protocol';
import { desktopCommandSchema, type DesktopState } from '../../../shared/desktop-state.js';
import type { AppInfo, StoredSession } from '../../../shared/ipc.js';
import type { PreferencesPatch } from '../../../shared/preferences.js';
import * as api from '../connection/api.js';
import { LevelMeter, TonePlayer } from '../call/media/audio.js';
import { CallMedia } from '../call/media/call-media.svelte.js';
import { CallSession, type MediaState, type Signal } from '../call/call-session.js';
import { ChatLog } from '../call/chat/chat.svelte.js';
import { ScreenShare } from '../call/media/screen-share.svelte.js';
import { IDLE, inCall, transition, type CallEvent, type CallPhase } from '../call/call-state.js';
import { desktopState } from '../desktop/desktop-view.js';
import { deviceId, renewDeviceId } from '../connection/device-id.js';
import { Devices } from '../settings/devices.svelte.js';
import { prepareNameOrder } from '../directory/contacts-view.js';
import { endReasonText } from '../call/end-reasons.js';
import { mergeHistory } from '../directory/history-view.js';
import { logger } from './log.js';
import { Mesh, type PeerSession } from '../call/mesh.svelte.js';
import { loadRecentRooms, normalizeRoomName, rememberRoom, saveRecentRooms, type RecentRoom } from '../directory/recent-rooms.js';
import { preferencesStore } from '../settings/preferences-store.js';
import type { Quality, QualitySample } from '../call/quality.js';
import { sessionStore } from '../connection/session-store.js';
import { cameraConstraints, DEFAULT_SETTINGS, microphoneConstraints, missingDevices, type Settings } from '../settings/settings.js';
import { Signaling } from '../connection/signaling.js';

const log = logger('app');

export type Connection = 'signed-out' | 'connecting' | 'online' | 'offline';
export type Tab = 'contacts' | 'history' | 'settings';

/** How long the "call ended" view stays before returning to idle. */
const ENDED_VIEW_MS = 8000;

/** How long a call may take to connect, and to come back after an interruption. */
const CONNECT_LIMIT_MS = 30_000;
const RECONNECT_LIMIT_MS = 20_000;

const MICROPHONE_PROBLEM = 'Parley cannot use the microphone: check the permission and the device in Settings.';

function stopStream(stream: MediaStream): void {
  for (const t of stream.getTracks()) t.stop();
}

/**
 * Runs `fn` once the page has painted what just changed, or after 50 ms if no
 * frame comes (a hidden window). The first sound an app makes starts its audio
 * output, which can hold the page for a tenth of a second: a call shows first.
 */
function afterPaint(fn: () => void): void {
  let done = false;
  const run = () => {
    if (done) return;
    done = true;
    fn();
  };
  requestAnimationFrame(() => setTimeout(run, 0));
  setTimeout(run, 50);
}

/** Invite refusals that are end reasons in their own right. */
const REFUSAL_REASONS: Partial<Record<ErrorCode, EndReason>> = { offline: 'offline', busy: 'busy', dnd: 'dnd' };

export class ParleyApp {
  // Session
  session = $state<StoredSession | null>(null);
  connection = $state<Connection>('signed-out');
  /** Until start() has looked for a remembered session: neither sign-in nor contacts is shown yet. */
  restoring = $state(true);
  /** Why the app is signed out or offline, in words. */
  connectionMessage = $state<string | null>(null);
  /** The status this user chose; `busy` is the server's doing. */
  chosenStatus = $state<SettableStatus>('available');
  myStatus = $state<Status>('offline');
  readonly desktop = typeof window !== 'undefined' && window.parley !== undefined;
  /** Version, platform and storage of the desktop app; null in a browser. */
  desktopInfo = $state<AppInfo | null>(null);

  // Team
  readonly directory = new SvelteMap<string, DirectoryEntry>();
  /** Filled by start() from the stored preferences. */
  readonly favorites = new SvelteSet<string>();
  tab = $state<Tab>('contacts');

  // Call
  call = $state<CallPhase>(IDLE);
  /** This side placed the current (or last) call. */
  outgoing = $state(false);
  muted = $state(false);
  /** The current call was placed, or offered, as a video call. */
  videoCall = $state(false);
  /** Camera, shared screen and the peers' video tiles of the current call. */
  readonly media = new CallMedia({ cameraConstraints: () => cameraConstraints(this.settings), notice: (text) => (this.notice = text) });
  /** The current call's chat (peer to peer; the history notes only that it happened). */
  readonly chat = new ChatLog(() => this.noteChat());
  /** Starting a screen share (the desktop app's own picker, or the browser's). */
  readonly screenShare = new ScreenShare(this.media, typeof window === 'undefined' ? undefined : window.parley?.screen, (text) => (this.notice = text));
  inputLevel = $state(0);
  /** Everyone else in the call, each with their own connection. */
  readonly mesh = new Mesh({
    session: (user, polite, held) => this.newCallSession(user, polite, held),
  });
  /** The named room this call is, if it is one. */
  room = $state<string | null>(null);
  /** Named rooms joined lately, newest first. */
  recentRooms = $state<RecentRoom[]>([]);

  // History
  history = $state<HistoryEntry[]>([]);
  missedCalls = $state(0);

  // Settings and devices
  /** Replaced by start() with the stored preferences. */
  settings = $state<Settings>({ ...DEFAULT_SETTINGS });
  notice = $state<string | null>(null);
  /** Read by screen readers through an aria-live region. */
  announcement = $state('');
  readonly devices = new Devices(() => this.checkDevices());

  private signaling: Signaling | null = null;
  private localStream: MediaStream | null = null;
  /** Who was in a call this side was added to, from call:incoming: connected to once answered. */
  private addedTo: UserRef[] = [];
  /** Whether the app may use the microphone, kept current by the browser; null where unknown. */
  private microphonePermission: PermissionStatus | null = null;
  /** The microphone being opened for call number `seq` (see warmMicrophone). */
  private microphone: { seq: number; stream: Promise<MediaStream | null> } | null = null;
  private readonly tones = new TonePlayer();
  /** The call's microphone level (each peer's level is read from their connection: Mesh.readLevels). */
  private inputMeter: LevelMeter | null = null;
  private timers: Partial<Record<'stats' | 'levels' | 'ended' | 'connect' | 'retry' | 'testTone', ReturnType<typeof setTimeout>>> = {};
  private retryDelayMs = 1000;
  /** Counts calls begun here; an await that finds another number has outlived its call. */
  private callSeq = 0;
  private answering = false;
  /** Calls this side left while their answer was in flight. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private readonly abandoned = new Set<string>();
  /** Hang-ups made while offline, sent once the connection is back. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private readonly pendingHangups = new Map<string, ClientPayload<'call:hangup'>>();
  private readonly store = sessionStore();
  private readonly preferences = preferencesStore();

  // The other person of a 1:1 call (the first one of a group call), for the views made for one.
  get peerMuted(): boolean {
    return this.mesh.peers[0]?.muted ?? false;
  }
  /** The peer's device lost its connection to the server (the call waits for it). */
  get peerAway(): boolean {
    return this.mesh.peers[0]?.away ?? false;
  }
  get remoteStream(): MediaStream | null {
    return this.mesh.peers[0]?.stream ?? null;
  }
  get quality(): { quality: Quality; sample: QualitySample } | null {
    return this.mesh.peers[0]?.quality ?? null;
  }
  get outputLevel(): number {
    return this.mesh.peers[0]?.level ?? 0;
  }
  /** More than two people, or a named room: each connection is one person's, not the call's. */
  get group(): boolean {
    return this.room !== null || this.mesh.size > 1;
  }

  // ------------------------------------------------------------ session

  async start(): Promise<void> {
    this.recentRooms = loadRecentRooms();
    // The network is back (new Wi-Fi, cable): reconnect now, not at the next backoff step.
    window.addEventListener('online', this.onOnline);
    const preferences = this.loadPreferences().then(() => {
      this.tones.setVolume(this.settings.ringtoneVolume);
      void this.tones.setSink(this.settings.ringtoneId);
    });
    void this.watchMicrophonePermission();
    try {
      // Read together: each is an IPC round trip in the desktop app, and the contact list waits for them.
      const [info, saved] = await Promise.all([
        window.parley?.app.info().catch(() => null),
        this.store.load().catch(() => null),
        preferences,
      ]);
      this.desktopInfo = info ?? null;
      if (saved && saved.expiresAt > Date.now()) this.connect(saved);
    } finally {
      this.restoring = false;
    }
  }

  /** Audio settings and favorites: in the desktop app from main's settings file, in a browser from localStorage. */
  private async loadPreferences(): Promise<void> {
    const saved = await this.preferences.load().catch((err: unknown) => {
      log.warn('reading the preferences failed: using the defaults', err);
      return null;
    });
    if (!saved) return;
    this.settings = saved.audio;
    for (const username of saved.favorites) this.favorites.add(username);
    // The device list may have come first: check the chosen devices against it now.
    this.checkDevices();
  }

  private savePreferences(patch: PreferencesPatch): void {
    this.preferences.save(patch).catch((err: unknown) => log.warn('saving the preferences failed', err));
  }

  defaultServerUrl(): string {
    const origin = location.origin;
    return !this.desktop && origin.startsWith('http') ? origin : 'http://127.0.0.1:7070';
  }

  async signIn(serverUrl: string, username: string, password: string): Promise<void> {
    const url = api.normalizeServerUrl(serverUrl);
    const res = await api.login(url, username, password);
    await this.begin({ serverUrl: url, ...res });
  }

  async register(serverUrl: string, input: { username: string; password: string; displayName: string; inviteCode?: string }): Promise<void> {
    const url = api.normalizeServerUrl(serverUrl);
    const res = await api.register(url, input);
    await this.begin({ serverUrl: url, ...res });
  }

  async signOut(message: string | null = null): Promise<void> {
    if (inCall(this.call)) this.hangupOrEnd();
    this.signaling?.close();
    this.signaling = null;
    this.session = null;
    this.connection = 'signed-out';
    this.connectionMessage = message;
    this.directory.clear();
    this.tab = 'contacts';
    this.history = [];
    this.missedCalls = 0;
    this.myStatus = 'offline';
    await this.store.clear().catch((err: unknown) => log.warn('forgetting the session failed', err));
  }

  private async begin(session: StoredSession): Promise<void> {
    await this.store.save(session).catch((err: unknown) => log.warn('remembering the session failed', err));
    this.askNotificationPermission();
    this.connect(session);
  }

  private connect(session: StoredSession): void {
    this.signaling?.close();
    this.session = session;
    this.connection = 'connecting';
    this.connectionMessage = null;
    const s = new Signaling(session.serverUrl, session.token, () => this.chosenStatus, deviceId);
    this.signaling = s;
    // While the connection is on its way: the contact list's first sort then runs at once.
    setTimeout(prepareNameOrder, 0);

    s.socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (code === 'unauthorized' || code === 'account_disabled') {
        void this.signOut(err.message);
        return;
      }
      this.connection = 'offline';
      this.connectionMessage = `Cannot reach the server: ${err.message}`;
      // Socket.IO retries transport errors itself, but not a refusal by the server.
      if (code !== undefined || !s.socket.active) {
        clearTimeout(this.timers.retry);
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 30_000);
        this.timers.retry = setTimeout(() => {
          if (this.signaling === s && !s.socket.connected) s.socket.connect();
        }, this.retryDelayMs * (0.5 + Math.random()));
      }
    });
    s.socket.on('disconnect', () => {
      if (this.signaling !== s) return;
      this.connection = 'offline';
      this.connectionMessage = 'Reconnecting to the server…';
      // An answered call goes on: its media is peer to peer, and it is resumed
      // on reconnect. A ringing one cannot be (the server ends it).
      const call = this.call;
      if (call.kind === 'outgoing' || call.kind === 'incoming') {
        if (call.callId) this.sendHangup(call.callId);
        this.endCall('failed', false, 'The connection to the server was lost, so the call ended.');
      } else if (inCall(call)) {
        this.announce('Connection to the server lost. The call goes on while Parley reconnects.');
      }
    });
    s.on('session:ready', (ready) => {
      this.retryDelayMs = 1000;
      this.connection = 'online';
      this.connectionMessage = null;
      this.myStatus = ready.status;
      this.missedCalls = ready.missedCalls;
      this.iceServers = ready.iceServers;
      this.session = { ...session, user: ready.user };
      void this.resumeAfterReconnect();
      void this.loadDirectory();
      void this.loadHistory();
    });
    s.on('session:replaced', () => {
      // This window was copied (a duplicated tab) and the copy took the device
      // id: become a device of its own. A call in progress stays with the copy.
      renewDeviceId();
      if (inCall(this.call)) this.endCall('failed', false, 'This call was taken over by another window.');
      s.socket.connect();
    });
    s.on('session:revoked', ({ reason }) => {
      const why = { disabled: 'Your account was disabled.', removed: 'Your account was removed.', 'password-changed': 'Your password was changed.' }[reason];
      void this.signOut(`${why} Sign in again.`);
    });
    s.on('server:closing', () => {
      this.connectionMessage = 'The server is restarting…';
    });
    s.on('presence:changed', ({ username, displayName, status }) => {
      if (username === this.session?.user.username) {
        this.myStatus = status;
        return;
      }
      // Deltas come for the users listed (watched); one still in flight for a
      // user a newer listing dropped is not added back.
      if (this.directory.has(username)) this.directory.set(username, { username, displayName, status });
    });
    this.onRoomEvents(s);
    s.on('call:incoming', ({ callId, from, polite, media, participants }) => this.onIncoming(callId, from, polite, media.video, participants ?? []));
    s.on('call:ringing', ({ callId }) => {
      if (!this.apply({ type: 'ringing', callId })) return;
      afterPaint(() => {
        if (this.call.kind === 'outgoing' && this.call.callId === callId) this.tones.play('ringback');
      });
    });
    s.on('call:accepted', ({ callId, polite }) => {
      if (this.apply({ type: 'accepted', callId, polite, at: Date.now() })) this.startMedia(polite);
      // Answered just as this side gave up on it: end it for the callee too.
      else if (this.abandoned.has(callId)) void this.request('call:hangup', { callId });
    });
    s.on('call:ended', ({ callId, reason }) => {
      if (this.call.kind !== 'idle' && this.call.callId === callId) this.endCall(reason, false);
    });
    s.on('call:signal', ({ callId, from, description, candidate }) => {
      if (!this.inThisCall(callId)) return;
      const signal: Signal = { ...(description && { description }), ...(candidate !== undefined && { candidate }) };
      this.mesh.signal(from, signal);
    });
    s.on('call:muted', ({ callId, username, muted }) => {
      if (this.call.kind !== 'idle' && this.call.callId === callId) this.mesh.setMutedBy(username, muted);
    });
    s.on('call:peer-connection', ({ callId, connected, username }) => {
      if (!this.inThisCall(callId) || this.call.kind === 'idle') return;
      const who = username ?? this.call.peer.username;
      if (connected) {
        this.callResumed(who);
      } else {
        this.mesh.setAway(who, true);
        this.announce(`${this.mesh.peer(who)?.user.displayName ?? this.peerName()} lost the connection to the server. Waiting for them…`);
      }
    });
  }

  private iceServers: RTCIceServer[] = [];

  /** Group call events: people joining, leaving, and being rung in. */
  private onRoomEvents(s: Signaling): void {
    s.on('room:joined', ({ callId, user, polite }) => {
      if (!this.inThisCall(callId) || !this.localStream) return;
      this.mesh.add(user, polite);
      this.announce(`${user.displayName} joined the call`);
    });
    s.on('room:left', ({ callId, username, reason }) => {
      if (!this.inThisCall(callId)) return;
      const name = this.mesh.peer(username)?.user.displayName ?? username;
      this.mesh.remove(username);
      const peer = { username, displayName: name };
      this.announce(reason === 'hangup' || reason === 'failed' ? `${name} left the call` : endReasonText({ reason, local: false, peer }, true));
    });
    s.on('room:ringing', ({ callId, user }) => {
      if (this.inThisCall(callId)) this.mesh.ringing(user);
    });
  }

  /** Whether `callId` is the call going on here (not ringing, not over). */
  private inThisCall(callId: string): boolean {
    return inCall(this.call) && this.call.kind !== 'idle' && this.call.callId === callId;
  }

  /**
   * After a reconnect: hang-ups made while offline are sent, and an answered
   * call is announced again (`call:resume`). Nothing else sent while offline
   * is replayed: the call session restarts ICE if the path is down.
   */
  private async resumeAfterReconnect(): Promise<void> {
    for (const [callId, payload] of [...this.pendingHangups]) {
      this.pendingHangups.delete(callId);
      this.sendHangup(payload.callId, payload.reason === 'failed');
    }
    const call = this.call;
    if (call.kind !== 'connecting' && call.kind !== 'active' && call.kind !== 'reconnecting') return;
    const signaling = this.signaling;
    if (!signaling) return;
    const res = await signaling.request('call:resume', { callId: call.callId });
    const now = this.phase();
    if (!inCall(now) || now.kind === 'idle' || now.callId !== call.callId) return;
    if (!res.ok) {
      // Lost again before the answer: the next session:ready tries again.
      if (res.code !== 'unavailable') this.endCall('failed', false, 'The call ended while you were offline.');
      return;
    }
    if (res.state === 'ended') this.endCall(res.reason, false);
    else if (res.state === 'waiting') this.mesh.setAway(call.peer.username, true); // until call:peer-connection says the peer is back
    else this.callResumed();
  }

  /**
   * This side (no `username`) or another participant reaches the server
   * again: send what they may have missed, and mend the media paths.
   */
  private callResumed(username?: string): void {
    const call = this.call;
    if (call.kind !== 'connecting' && call.kind !== 'active' && call.kind !== 'reconnecting') return;
    if (username) this.mesh.setAway(username, false);
    else if (!this.group) for (const p of this.mesh.peers) this.mesh.setAway(p.user.username, false);
    void this.request('call:mute', { callId: call.callId, muted: this.muted });
    if (this.chat.chatted) this.noteChat(); // the note may have been lost while offline
    this.mesh.signalingRestored(username);
  }

  /** Chat happened in the current call: its history entry says so (only that). */
  private noteChat(): void {
    const call = this.call;
    if (call.kind === 'connecting' || call.kind === 'active' || call.kind === 'reconnecting') void this.request('call:note', { callId: call.callId, chat: true });
  }

  /** Ends a call at the server: now if connected, else once the connection is back. */
  private sendHangup(callId: string, failed = false): void {
    const payload: ClientPayload<'call:hangup'> = failed ? { callId, reason: 'failed' } : { callId };
    const signaling = this.signaling;
    if (!signaling?.connected) {
      this.pendingHangups.set(callId, payload);
      return;
    }
    void signaling.request('call:hangup', payload).then((res) => {
      if (!res.ok && res.code === 'unavailable' && this.signaling === signaling) this.pendingHangups.set(callId, payload);
    });
  }

  private async loadDirectory(): Promise<void> {
    // What is listed is what the server watches for this device: it sends
    // presence:changed for these users (and this user) only.
    const res = await this.request('directory:list', { limit: 500 });
    if (!res) return;
    // The list carries each user's status as of its answer; deltas that follow update it.
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local lookup, never rendered
    const listed = new Set(res.users.map((u) => u.username));
    for (const name of [...this.directory.keys()]) if (!listed.has(name)) this.directory.delete(name);
    for (const u of res.users) this.directory.set(u.username, u);
  }

  async loadHistory(): Promise<void> {
    const res = await this.request('history:list', { limit: 50 });
    if (res) this.history = mergeHistory([], res.calls);
  }

  async setStatus(status: SettableStatus): Promise<void> {
    this.chosenStatus = status;
    const res = await this.request('presence:set', { status });
    if (res) this.myStatus = res.status;
  }

  toggleFavorite(username: string): void {
    if (this.favorites.has(username)) this.favorites.delete(username);
    else this.favorites.add(username);
    this.savePreferences({ favorites: [...this.favorites] });
  }

  async openHistory(): Promise<void> {
    this.tab = 'history';
    await this.loadHistory();
    if (this.missedCalls > 0 && (await this.request('history:seen', {}))) this.missedCalls = 0;
  }

  // --------------------------------------------------------------- calls

  /** Calls a contact by username; a video call starts with the camera on. */
  async dial(username: string, video = false): Promise<void> {
    const signaling = this.signaling;
    if (inCall(this.call) || !signaling) return;
    const entry = this.directory.get(username);
    const peer: UserRef = { username, displayName: entry?.displayName ?? username };
    clearTimeout(this.timers.ended);
    if (!this.apply({ type: 'dial', peer, at: Date.now() })) return;
    const seq = ++this.callSeq;
    this.outgoing = true;
    this.videoCall = video;
    this.announce(`Calling ${peer.displayName}`);
    // Every await may outlive this attempt (cancel, sign-out, an incoming call taking over).
    const current = () => this.callSeq === seq && this.phase().kind === 'outgoing';
    // A microphone this app may not use fails the call before it rings anyone.
    if (this.microphonePermission?.state === 'denied') {
      this.endCall('failed', true, MICROPHONE_PROBLEM);
      return;
    }
    // The microphone opens while the invite travels: getUserMedia is in neither
    // the time to ring nor the time to audio.
    const microphone = this.warmMicrophone(seq);
    if (video) void this.media.setCamera(true);
    const res = await signaling.request('call:invite', { to: username, media: { audio: true, video } });
    if (!current()) {
      // Given up while the invite was on its way: end it at the callee too.
      if (res.ok) this.abandon(res.callId);
      return;
    }
    if (!res.ok) {
      this.endCall(REFUSAL_REASONS[res.code] ?? 'failed', false, res.code in REFUSAL_REASONS ? null : res.message);
      return;
    }
    this.apply({ type: 'invited', callId: res.callId });
    const stream = await microphone;
    const now = this.phase();
    if (this.callSeq !== seq || (now.kind !== 'outgoing' && now.kind !== 'connecting')) return;
    if (!stream) {
      this.abandon(res.callId);
      this.endCall('failed', true, MICROPHONE_PROBLEM);
      return;
    }
    // Still ringing: make the offer now, sent when the call is answered. Answered already: start.
    if (now.kind === 'outgoing') this.prepareMedia(false);
    else this.startMedia(now.polite);
  }

  /** Answers the ringing call; with `video`, the camera turns on too. */
  async answer(video = false): Promise<void> {
    const signaling = this.signaling;
    if (this.call.kind !== 'incoming' || !signaling || this.answering) return;
    this.answering = true;
    if (video) void this.media.setCamera(true);
    try {
      const { callId } = this.call;
      const seq = this.callSeq;
      const current = () => {
        const now = this.phase();
        return this.callSeq === seq && now.kind === 'incoming' && now.callId === callId;
      };
      this.tones.stop();
      // Usually open already: it opened when the call began to ring. Whatever
      // ends the call stops it (endCall, or warmMicrophone if it opens later).
      const stream = await this.warmMicrophone(seq);
      if (!current()) return;
      if (!stream) {
        this.notice = MICROPHONE_PROBLEM;
        this.decline();
        return;
      }
      const res = await signaling.request('call:accept', { callId });
      if (!current()) {
        if (res.ok) this.abandon(callId);
        return;
      }
      if (!res.ok) {
        this.endCall('answered-elsewhere', false, res.message);
        return;
      }
      // Added to a call going on: the answer says who is in it now.
      if (res.participants) this.addedTo = res.participants;
      if (this.apply({ type: 'answer', at: Date.now() })) this.startMedia(res.polite);
    } finally {
      this.answering = false;
    }
  }

  /**
   * Opens the named room, or joins it with whoever is there: this side is
   * the newcomer, polite toward each of them, who offer to it. A refusal
   * (a full room, a wrong code) is shown as the server words it.
   */
  async joinRoom(input: string, code?: string): Promise<void> {
    const signaling = this.signaling;
    const name = normalizeRoomName(input);
    const me = this.session?.user;
    if (!name) {
      this.notice = 'A room name is 1 to 64 letters, digits, ".", "_" or "-".';
      return;
    }
    if (inCall(this.call) || !signaling || !me) return;
    if (this.microphonePermission?.state === 'denied') {
      this.notice = MICROPHONE_PROBLEM;
      return;
    }
    const seq = ++this.callSeq;
    this.announce(`Joining room ${name}`);
    const stream = await this.openMicrophone();
    if (!stream) {
      this.notice = MICROPHONE_PROBLEM;
      return;
    }
    const res = await signaling.request('room:join', { name, ...(code && { code }) });
    // Another call came in meanwhile (or this one was given up): that one wins.
    if (this.callSeq !== seq || inCall(this.call)) {
      stopStream(stream);
      if (res.ok) this.sendHangup(res.callId);
      return;
    }
    if (!res.ok) {
      stopStream(stream);
      this.notice = res.message;
      this.announce(res.message);
      return;
    }
    clearTimeout(this.timers.ended);
    if (!this.apply({ type: 'room', callId: res.callId, peer: { username: me.username, displayName: `Room ${res.room}` }, at: Date.now() })) {
      stopStream(stream);
      this.sendHangup(res.callId);
      return;
    }
    this.outgoing = true;
    this.room = res.room;
    this.localStream = stream;
    this.recentRooms = rememberRoom(this.recentRooms, { name: res.room, ...(code && { code }) });
    saveRecentRooms(this.recentRooms);
    for (const p of res.participants) this.mesh.add(p, true);
    this.startMeters();
    const others = res.participants.map((p) => p.displayName).join(', ');
    this.announce(others ? `In room ${res.room} with ${others}` : `In room ${res.room}. Nobody else is here yet.`);
  }

  /** Add person: rings a contact into the call going on; they show as ringing until they answer. */
  async addPerson(username: string): Promise<void> {
    const call = this.call;
    const signaling = this.signaling;
    if ((call.kind !== 'active' && call.kind !== 'reconnecting') || !signaling) return;
    const user: UserRef = { username, displayName: this.directory.get(username)?.displayName ?? username };
    this.mesh.ringing(user);
    const res = await signaling.request('call:add', { callId: call.callId, to: username });
    if (res.ok) {
      this.announce(`Calling ${user.displayName} into the call`);
      return;
    }
    if (this.mesh.peer(username)?.state === 'ringing') this.mesh.remove(username);
    this.notice = res.message;
    this.announce(res.message);
  }

  decline(): void {
    if (this.call.kind !== 'incoming') return;
    // Offline, the hang-up sent on reconnect declines a call still ringing.
    if (this.signaling?.connected) void this.request('call:decline', { callId: this.call.callId });
    else this.sendHangup(this.call.callId);
    this.endCall('declined', true);
  }

  cancel(): void {
    if (this.call.kind !== 'outgoing') return;
    // Without a call id yet, dial() hangs the call up when the invite's answer comes.
    if (this.call.callId) this.abandon(this.call.callId);
    this.endCall('cancelled', true);
  }

  /**
   * Ends a call this side has left. call:hangup, not call:cancel: the callee
   * may be answering at this very moment, and the server treats a hang-up on a
   * ringing call as a cancel.
   */
  private abandon(callId: string): void {
    this.abandoned.add(callId);
    this.sendHangup(callId);
  }

  hangup(): void {
    if (this.call.kind !== 'connecting' && this.call.kind !== 'active' && this.call.kind !== 'reconnecting') return;
    this.sendHangup(this.call.callId);
    this.endCall('hangup', true);
  }

  /** Whatever ends the current call from this side: cancel, decline or hang up. */
  hangupOrEnd(): void {
    if (this.call.kind === 'outgoing') this.cancel();
    else if (this.call.kind === 'incoming') this.decline();
    else this.hangup();
  }

  toggleMute(): void {
    if (this.call.kind !== 'active' && this.call.kind !== 'connecting' && this.call.kind !== 'reconnecting') return;
    this.muted = !this.muted;
    this.mesh.setMuted(this.muted);
    void this.request('call:mute', { callId: this.call.callId, muted: this.muted });
    this.announce(this.muted ? 'Microphone muted' : 'Microphone on');
  }

  dismissEnded(): void {
    clearTimeout(this.timers.ended);
    this.apply({ type: 'reset' });
  }

  /** Words for the current ended call. */
  endedText(): string {
    return this.call.kind === 'ended' ? endReasonText(this.call, this.outgoing) : '';
  }

  /** `participants`: who is in the call already, when `from` adds this user to one going on. */
  private onIncoming(callId: string, from: UserRef, polite: boolean, video: boolean, participants: UserRef[]): void {
    clearTimeout(this.timers.ended);
    // Two people calling each other at once: the call that reached this side wins
    // over a dial the server has not taken yet (it would be refused as busy).
    if (this.call.kind === 'outgoing' && this.call.callId === null) this.endCall('cancelled', true);
    if (!this.apply({ type: 'incoming', callId, peer: from, at: Date.now() })) return;
    const seq = ++this.callSeq;
    this.outgoing = false;
    this.videoCall = video;
    this.addedTo = participants;
    const others = participants.length > 1 ? ` and ${participants.length - 1} more` : '';
    this.announce(`Incoming ${video ? 'video ' : ''}call from ${from.displayName}${others}. Press Enter to answer, Escape to decline.`);
    this.notifyIncoming(from);
    afterPaint(() => {
      if (this.callSeq !== seq || this.call.kind !== 'incoming') return;
      this.tones.play('ringtone');
      // Ready to answer at once: the microphone opens and the connection is made
      // while it rings. Nothing is sent before the answer, and a call that ends
      // unanswered releases both.
      void this.warmMicrophone(seq).then((stream) => {
        if (stream) this.prepareMedia(polite);
      });
    });
  }

  /** Looked up once: a call checks it before it rings anyone, without waiting. */
  private async watchMicrophonePermission(): Promise<void> {
    try {
      this.microphonePermission = await navigator.permissions.query({ name: 'microphone' });
    } catch {
      // Unknown here: getUserMedia will say.
    }
  }

  /** The microphone as set, or null (the caller tells the user). */
  private async openMicrophone(): Promise<MediaStream | null> {
    try {
      return await navigator.mediaDevices.getUserMedia({ audio: microphoneConstraints(this.settings), video: false });
    } catch (err) {
      log.warn('microphone unavailable', err);
      return null;
    }
  }

  /**
   * Opens the microphone for call number `seq`, once: a second caller gets the
   * same promise (a failure is tried again). The stream becomes the call's
   * localStream, which endCall stops; if the call is over by the time it
   * opens, it is stopped at once and the promise gives null.
   */
  private warmMicrophone(seq: number): Promise<MediaStream | null> {
    if (this.microphone?.seq === seq) return this.microphone.stream;
    const stream = this.openMicrophone().then((opened) => {
      if (!opened) {
        if (this.microphone?.seq === seq) this.microphone = null;
        return null;
      }
      if (this.callSeq !== seq || !inCall(this.call)) {
        stopStream(opened);
        return null;
      }
      this.localStream = opened;
      return opened;
    });
    this.microphone = { seq, stream };
    return stream;
  }

  /**
   * Makes the call's CallSession while it still rings, held until it is
   * answered: the caller's offer is made and its candidates gathered, the
   * callee's connection (and its certificate) are ready for the offer.
   */
  private prepareMedia(polite: boolean): void {
    const call = this.call;
    if (this.mesh.size > 0 || !this.localStream || (call.kind !== 'outgoing' && call.kind !== 'incoming') || !call.callId) return;
    this.mesh.add(call.peer, polite, true);
    // The microphone's meter too: its AudioContext takes milliseconds to start, which the answer need not wait for.
    this.inputMeter ??= new LevelMeter(this.localStream);
  }

  /**
   * The session toward one other person, on copies of the microphone's
   * tracks: each session stops its own when it closes, and the others keep
   * theirs. The server needs `to` once the call has more than two people.
   */
  private newCallSession(user: UserRef, polite: boolean, held: boolean): PeerSession {
    const callId = this.call.kind === 'idle' ? '' : (this.call.callId ?? '');
    const tracks = (this.localStream?.getTracks() ?? []).map((t) => t.clone());
    const session = new CallSession({
      polite,
      held,
      iceServers: this.iceServers,
      localStream: new MediaStream(tracks),
      send: (signal) => void this.request('call:signal', { callId, ...(this.group && { to: user.username }), ...signal }),
      canSignal: () => this.signaling?.connected === true && this.mesh.peer(user.username)?.away !== true,
      onRemoteStream: (stream) => this.mesh.setStream(user.username, stream),
      onMediaState: (state) => this.onMediaState(user.username, state),
    });
    session.setMuted(this.muted);
    // This side's camera and screen go to every person, and each person's video and chat join the call's.
    this.media.attach(session.video, user.username, user.displayName);
    this.chat.attach(session.chat, user.displayName);
    return {
      polite: session.polite,
      handleSignal: (signal) => session.handleSignal(signal),
      release: () => session.release(),
      signalingRestored: () => session.signalingRestored(),
      setMuted: (muted) => session.setMuted(muted),
      getStats: () => session.getStats(),
      receivedLevel: () => session.receivedLevel(),
      close: () => {
        this.media.detach(session.video);
        this.chat.detach(session.chat);
        session.close();
      },
    };
  }

  /** The call is answered: send what was prepared while it rang (or make it now), and watch it connect. */
  private startMedia(polite: boolean): void {
    this.tones.stop();
    if (this.call.kind !== 'connecting') return;
    this.watchConnection(CONNECT_LIMIT_MS);
    // The caller's microphone may still be opening: dial() starts the media when it is.
    if (!this.localStream) return;
    const { peer } = this.call;
    const prepared = this.mesh.session(peer.username);
    if (prepared && prepared.polite !== polite) {
      // Prepared for the other role than the server gave (it never does): start over.
      log.warn('call role changed after the connection was prepared');
      this.mesh.remove(peer.username);
    }
    if (this.mesh.session(peer.username)) this.mesh.release();
    else this.mesh.add(peer, polite);
    // Added to a call going on: this side is the newcomer, polite toward everyone there.
    for (const other of this.addedTo.splice(0)) this.mesh.add(other, true);
    this.startMeters();
  }

  /** The call's level meters and quality samples, from the moment its media starts. */
  private startMeters(): void {
    if (!this.localStream) return;
    this.inputMeter ??= new LevelMeter(this.localStream);
    clearInterval(this.timers.levels);
    clearInterval(this.timers.stats);
    this.timers.levels = setInterval(() => {
      this.inputLevel = this.muted ? 0 : (this.inputMeter?.level() ?? 0);
      this.mesh.readLevels();
    }, 100);
    this.timers.stats = setInterval(() => void this.mesh.sampleQuality(), 2000);
  }

  private onMediaState(username: string, state: MediaState): void {
    this.mesh.setState(username, state);
    if (this.group) {
      // One person's path is theirs, not the call's: the call is up once one path is.
      if (state === 'connected' && this.call.kind === 'connecting') {
        clearTimeout(this.timers.connect);
        if (this.apply({ type: 'connected', at: Date.now() })) this.announce('In the call');
      }
      return;
    }
    if (state === 'connected') {
      clearTimeout(this.timers.connect);
      if (this.apply({ type: 'connected', at: Date.now() })) this.announce(`In call with ${this.peerName()}`);
    } else if (state === 'interrupted') {
      if (this.apply({ type: 'interrupted' })) this.watchConnection(RECONNECT_LIMIT_MS);
    } else {
      this.giveUpConnecting();
    }
  }

  /** A media path that does not come up (again) in time ends the call as failed. */
  private watchConnection(limitMs: number): void {
    clearTimeout(this.timers.connect);
    this.timers.connect = setTimeout(() => this.giveUpConnecting(), limitMs);
  }

  private giveUpConnecting(): void {
    const call = this.call;
    if (call.kind !== 'connecting' && call.kind !== 'reconnecting') return;
    this.sendHangup(call.callId, true);
    this.endCall('failed', false, 'The call could not connect: your network may block calls. A TURN server helps (ask your admin).');
  }

  /** The one teardown of a call: idempotent. */
  private endCall(reason: EndReason, local: boolean, message: string | null = null): void {
    if (!this.apply({ type: 'end', reason, local, at: Date.now() })) return;
    this.tones.stop();
    this.media.reset();
    this.chat.reset();
    this.screenShare.reset();
    this.mesh.close();
    this.addedTo = [];
    this.room = null;
    for (const t of this.localStream?.getTracks() ?? []) t.stop();
    this.localStream = null;
    clearInterval(this.timers.stats);
    clearInterval(this.timers.levels);
    clearTimeout(this.timers.connect);
    this.inputMeter?.close();
    this.inputMeter = null;
    this.muted = false;
    this.inputLevel = 0;
    if (!this.outgoing && !local && (reason === 'cancelled' || reason === 'no-answer')) this.missedCalls += 1;
    if (message) this.notice = message;
    this.announce(this.endedText());
    this.timers.ended = setTimeout(() => this.dismissEnded(), ENDED_VIEW_MS);
    void this.loadHistory();
  }

  private apply(event: CallEvent): boolean {
    const result = transition(this.call, event);
    if (!result.ok) {
      log.warn('ignored call event:', result.error);
      return false;
    }
    this.call = result.phase;
    return true;
  }

  /** The phase as it is now: read after an await, when it may have changed. */
  private phase(): CallPhase {
    return this.call;
  }

  private peerName(): string {
    return this.call.kind === 'idle' ? '' : this.call.peer.displayName;
  }

  // ------------------------------------------------------------ settings

  updateSettings(patch: Partial<Settings>): void {
    this.settings = { ...this.settings, ...patch };
    this.savePreferences({ audio: this.settings });
    this.tones.setVolume(this.settings.ringtoneVolume);
    if (patch.ringtoneId !== undefined) void this.tones.setSink(this.settings.ringtoneId);
  }

  playTestRingtone(): void {
    if (inCall(this.call)) return; // never over a real ring or call
    this.tones.play('ringtone');
    clearTimeout(this.timers.testTone);
    this.timers.testTone = setTimeout(() => {
      if (!inCall(this.call)) this.tones.stop();
    }, 3000);
  }

  /** A chosen device that disappeared falls back to the default, and the user is told. */
  private checkDevices(): void {
    const { patch, lost } = missingDevices(this.settings, {
      inputs: this.devices.inputs.map((d) => d.deviceId),
      outputs: this.devices.outputs.map((d) => d.deviceId),
      cameras: this.devices.cameras.map((d) => d.deviceId),
    });
    if (lost.length === 0) return;
    this.updateSettings(patch);
    this.notice = `Your ${lost.join(' and ')} is no longer available: using the default.`;
  }

  /** Reconnects at once (the computer woke up) instead of waiting for the next retry. */
  reconnect(): void {
    const s = this.signaling;
    if (!s || s.connected) return;
    clearTimeout(this.timers.retry);
    s.reconnectNow();
  }

  // ------------------------------------------------------------- desktop

  /** What the desktop's main process mirrors: tray, shortcuts, notifications, popup. */
  desktopSnapshot(): DesktopState {
    return desktopState({
      connection: this.connection,
      me: this.session?.user ?? null,
      myStatus: this.myStatus,
      chosenStatus: this.chosenStatus,
      call: this.call,
      muted: this.muted,
      missedCalls: this.missedCalls,
      directory: this.directory.values(),
      favorites: this.favorites,
      history: this.history,
      rooms: this.recentRooms.map((r) => r.name),
    });
  }

  /** A command from outside the window (tray, global shortcut, notification, popup). */
  handleDesktopCommand(input: unknown): void {
    const parsed = desktopCommandSchema.safeParse(input);
    if (!parsed.success) {
      log.warn('ignored a malformed desktop command');
      return;
    }
    const command = parsed.data;
    // A command meant for one ringing call does nothing to another.
    const ringing = this.call.kind === 'incoming' ? this.call.callId : null;
    const forThisCall = (callId: string | undefined) => callId === undefined || callId === ringing;
    switch (command.type) {
      case 'dial':
        void this.dial(command.username);
        break;
      case 'join-room':
        // With the join code it was last joined with; one it needs and lacks is asked for by the server's refusal.
        void this.joinRoom(command.name, this.recentRooms.find((r) => r.name === command.name)?.code);
        break;
      case 'answer':
        if (forThisCall(command.callId)) void this.answer();
        break;
      case 'decline':
        if (forThisCall(command.callId)) this.decline();
        break;
      case 'reconnect':
        this.reconnect();
        break;
      case 'hangup':
        this.hangupOrEnd();
        break;
      case 'toggle-mute':
        this.toggleMute();
        // Heard, since the user may be looking at another app.
        this.tones.cue(!this.muted);
        break;
      case 'set-status':
        void this.setStatus(command.status);
        break;
      case 'show':
        if (command.tab === 'history') void this.openHistory();
        else if (command.tab) this.tab = command.tab;
        break;
    }
  }

  // ---------------------------------------------------------------- misc

  announce(text: string): void {
    // Reassigning the same text would not be read again.
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
  }

  private askNotificationPermission(): void {
    if (this.desktop || typeof Notification === 'undefined' || Notification.permission !== 'default') return;
    void Notification.requestPermission().catch(() => undefined);
  }

  private notifyIncoming(from: UserRef): void {
    if (this.desktop || typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    if (document.hasFocus()) return;
    const n = new Notification(`Incoming call from ${from.displayName}`, { body: 'Open Parley to answer', tag: 'parley-incoming' });
    n.onclick = () => window.focus();
  }

  /** A request whose refusal is only logged; resolves to the reply, or null. */
  private async request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<(Ack<ClientReplies[E]> & { ok: true }) | null> {
    if (!this.signaling) return null;
    const res = await this.signaling.request(event, payload);
    if (!res.ok) {
      log.warn(`${event} refused:`, res.code, res.message);
      return null;
    }
    return res;
  }

  private readonly onOnline = (): void => this.reconnect();

  dispose(): void {
    window.removeEventListener('online', this.onOnline);
    this.hangupOrEnd();
    this.signaling?.close();
    this.tones.dispose();
    this.devices.dispose();
  }
}
