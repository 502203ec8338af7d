/**
 * What the call controller needs from the rest of the app and from the
 * browser, passed in so that its logic runs (and is unit-tested) without
 * WebRTC, audio or the DOM.
 */
import type { RoomOwnership, UserRef } from 'parley-server/protocol';
import type { ParleyDesktopApi } from '../../../shared/ipc.js';
import type { SignalingLink } from '../connection/link.js';
import type { Notices } from '../lib/notices.svelte.js';
import type { Settings } from '../settings/settings.js';
import type { ChatLog } from './chat/chat.svelte.js';
import type { Ahead, Signal, MediaState } from './call-session.js';
import type { CallMedia } from './media/call-media.svelte.js';
import type { PeerSession } from './mesh.svelte.js';

/** What a call's audio cues need (TonePlayer has it). */
export interface Tones {
  play(tone: 'ringtone' | 'ringback' | 'waiting'): void;
  stop(): void;
  /** The short sound of muting (false) or unmuting (true). */
  cue(on: boolean): void;
}

export interface Meter {
  level(): number;
  close(): void;
}

/** One peer connection to make, toward `user`. */
export interface PeerRequest {
  user: UserRef;
  polite: boolean;
  /** Made while the call rings: how it waits for release() (CallSession). */
  ahead?: Ahead;
  iceServers: RTCIceServer[];
  /** The microphone; the session works on its own copies of the tracks. */
  localStream: MediaStream;
  muted: boolean;
  media: CallMedia;
  chat: ChatLog;
  send: (signal: Signal) => void;
  canSignal: () => boolean;
  onRemoteStream: (stream: MediaStream) => void;
  onMediaState: (state: MediaState) => void;
}

export interface CallPlatform {
  /**
   * The microphone as set, or null (the controller tells the user). `notice`
   * says what the user should know about it (strong noise suppression could
   * not run, say).
   */
  openMicrophone: (settings: Settings, notice: (text: string) => void) => Promise<MediaStream | null>;
  /**
   * Auto noise suppression in a noisy room: the microphone again, raw, with RNNoise on it (a capture beside the
   * open one), or null where RNNoise or the device cannot run. The caller moves every user of the old one to it.
   */
  denoisedMicrophone: (settings: Settings) => Promise<MediaStream | null>;
  /** The user refused this app the microphone (known without asking again). */
  microphoneDenied: () => boolean;
  levelMeter: (stream: MediaStream) => Meter;
  peerSession: (request: PeerRequest) => PeerSession;
  /** Runs `fn` once what just changed is on screen (the first sound can hold the page). */
  afterPaint: (fn: () => void) => void;
  /** Runs `fn` once a call just placed has had its moment to ring (browser-platform.ts: RINGING_MS): the caller's microphone waits for it. */
  afterRinging: (fn: () => void) => void;
  /** The window is on screen (not minimised, not a background tab): meters drawn for nobody are not read. */
  shown: () => boolean;
  /** A microphone it opened is closed (muted, push-to-talk's key up) or open again: a closed one's noise suppression rests. */
  restMicrophone: (stream: MediaStream, resting: boolean) => void;
  /** Stops a stream; a microphone it opened, the device and its noise suppression with it. */
  stopStream: (stream: MediaStream) => void;
}

export interface CallDeps {
  link: SignalingLink;
  platform: CallPlatform;
  tones: Tones;
  notices: Notices;
  me(): UserRef | null;
  /** A user as the directory names them. */
  lookup(username: string): UserRef;
  settings(): Settings;
  /** A named room was joined (with the code it took). */
  joinedRoom(room: { name: string; code?: string }): void;
  /** This device came into the named room `room` (joined, or rung in and answered): who owns it, if the server said. */
  enteredRoom(callId: string, room: string, ownership: RoomOwnership | undefined): void;
  /** A call ended: history changed. */
  ended(missed: boolean): void;
  /** A call rings here: tell the user outside the window too (web notifications). */
  ringing(from: UserRef, others: UserRef[]): void;
  /** The desktop app's screen-source picker, when there is one. */
  desktopScreen?: ParleyDesktopApi['screen'];
  /** The desktop app's save dialog for recordings; a browser downloads them instead. */
  desktopRecording?: ParleyDesktopApi['recording'];
}
