/**
 * The call controller's surroundings for the renderer's unit tests: a fake
 * signaling connection that records requests and replies as told, fake peer
 * sessions, and `setup()`, which wires a CallController, GroupCalls and
 * CallResume to them as the app does, without WebRTC.
 */
import type { Ack, ClientEvent, ClientPayload, ClientReplies, RoomOwnership, UserRef } from 'parley-server/protocol';
import type { CallDeps, CallPlatform, PeerRequest } from '../call/call-deps.js';
import { listenForCalls } from '../call/call-events.js';
import { CallResume } from '../call/call-resume.js';
import type { Signal } from '../call/call-session.js';
import { CallController } from '../call/controller.svelte.js';
import { GroupCalls } from '../call/group-calls.js';
import type { PeerSession } from '../call/mesh.svelte.js';
import type { SignalingLink } from '../connection/link.js';
import type { ServerEvent, ServerPayload } from '../connection/signaling.js';
import { Notices } from '../lib/notices.svelte.js';
import { DEFAULT_SETTINGS } from '../settings/settings.js';

export const user = (username: string): UserRef => ({ username, displayName: username.charAt(0).toUpperCase() + username.slice(1) });
export const ME = user('alice');

type Reply = (payload: unknown) => unknown;

export class FakeLink implements SignalingLink {
  connected = true;
  readonly sent: { event: ClientEvent; payload: unknown }[] = [];
  readonly replies = new Map<ClientEvent, Reply>();
  readonly #handlers = new Map<ServerEvent, ((payload: never) => void)[]>();

  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>> {
    this.sent.push({ event, payload });
    if (!this.connected) return Promise.resolve({ ok: false, code: 'unavailable', message: 'Not connected to the server' });
    const reply = this.replies.get(event);
    return Promise.resolve((reply ? reply(payload) : { ok: true }) as Ack<ClientReplies[E]>);
  }

  on<E extends ServerEvent>(event: E, handler: (payload: ServerPayload<E>) => void): () => void {
    const list = this.#handlers.get(event) ?? [];
    list.push(handler);
    this.#handlers.set(event, list);
    return () => undefined;
  }

  emit<E extends ServerEvent>(event: E, payload: ServerPayload<E>): void {
    for (const h of this.#handlers.get(event) ?? []) (h as (p: ServerPayload<E>) => void)(payload);
  }

  events(): ClientEvent[] {
    return this.sent.map((s) => s.event);
  }
  last(event: ClientEvent): unknown {
    return this.sent.filter((s) => s.event === event).at(-1)?.payload;
  }
}

export class FakeSession implements PeerSession {
  released = false;
  closed = false;
  muted: boolean;
  signals: Signal[] = [];
  constructor(readonly request: PeerRequest) {
    this.muted = request.muted;
  }
  get polite(): boolean {
    return this.request.polite;
  }
  handleSignal(signal: Signal): Promise<void> {
    this.signals.push(signal);
    return Promise.resolve();
  }
  release(): void {
    this.released = true;
  }
  signalingRestored(): void {}
  setMuted(muted: boolean): void {
    this.muted = muted;
  }
  /** Each microphone track it was given in place of the call's first (Auto noise suppression). */
  microphones: MediaStreamTrack[] = [];
  replaceMicrophone(track: MediaStreamTrack): void {
    this.microphones.push(track);
  }
  onHold = false;
  setOnHold(onHold: boolean): void {
    this.onHold = onHold;
  }
  iceServers: RTCIceServer[][] = [];
  setIceServers(servers: RTCIceServer[]): void {
    this.iceServers.push(servers);
  }
  /** What getStats() reports, as entries (a test of the statistics sets them). */
  stats: Record<string, unknown>[] = [];
  getStats(): Promise<RTCStatsReport> {
    return Promise.resolve(new Map(this.stats.map((e, i) => [String(i), e])) as unknown as RTCStatsReport);
  }
  descriptions(): { local: string | null; remote: string | null } {
    return { local: null, remote: null };
  }
  receivedLevel(): number {
    return 0;
  }
  close(): void {
    this.closed = true;
  }
}

export function setup() {
  const link = new FakeLink();
  const sessions: FakeSession[] = [];
  const stopped: MediaStream[] = [];
  /** Each restMicrophone call: whether the microphone was told to rest. */
  const rested: boolean[] = [];
  const microphone = { getTracks: () => [] } as unknown as MediaStream;
  const platform: CallPlatform = {
    openMicrophone: () => Promise.resolve(microphone),
    denoisedMicrophone: () => Promise.resolve(null),
    microphoneDenied: () => false,
    levelMeter: () => ({ level: () => 0.5, close: () => undefined }),
    peerSession: (request) => {
      const s = new FakeSession(request);
      sessions.push(s);
      return s;
    },
    afterPaint: (fn) => fn(),
    afterRinging: (fn) => fn(),
    shown: () => true,
    restMicrophone: (_s, resting) => rested.push(resting),
    stopStream: (s) => stopped.push(s),
  };
  const tones = { played: [] as string[], play: (t: string) => tones.played.push(t), stop: () => undefined, cue: () => undefined };
  const notices = new Notices();
  const ended: boolean[] = [];
  const rooms: { name: string; code?: string }[] = [];
  const entered: { callId: string; room: string; ownership: RoomOwnership | undefined }[] = [];
  const rung: UserRef[] = [];
  const deps: CallDeps = {
    link,
    platform,
    tones,
    notices,
    me: () => ME,
    lookup: (username) => user(username),
    settings: () => DEFAULT_SETTINGS,
    joinedRoom: (room) => rooms.push(room),
    enteredRoom: (callId, room, ownership) => entered.push({ callId, room, ownership }),
    ended: (missed) => {
      ended.push(missed);
      queueMicrotask(() => calls.waiting.callEnded());
    },
    ringing: (from) => rung.push(from),
  };
  const calls = new CallController(deps);
  const groups = new GroupCalls(calls, deps);
  const resume = new CallResume(calls, link, notices, () => Promise.resolve(true));
  listenForCalls(link, calls, resume, notices);
  return { link, deps, platform, calls, groups, resume, sessions, stopped, rested, microphone, tones, notices, ended, rooms, rung, entered };
}

/** Lets the awaits inside the controller run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Alice in an answered call of two with bob (call c1, connected); `prepare` changes the fakes before the dial (settings). */
export async function inCallWithBob(prepare?: (fakes: ReturnType<typeof setup>) => void) {
  const fakes = setup();
  prepare?.(fakes);
  fakes.link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
  await fakes.calls.dial('bob');
  fakes.link.emit('call:accepted', { callId: 'c1', polite: false });
  const bob = fakes.sessions[0];
  if (!bob) throw new Error('the call to bob made no session');
  bob.request.onMediaState('connected');
  return fakes;
}

/** Carol calling alice (call c2) while she is in one: a call waiting. */
export const carolCalls = { callId: 'c2', from: user('carol'), media: { audio: true, video: false }, polite: true as const };
