/**
 * A call across a lost signaling connection: a ringing call cannot survive it
 * (the server ends it), an answered one goes on peer to peer and is announced
 * again (`call:resume`) once the connection is back.
 */
import type { SessionReady } from 'parley-server/protocol';
import type { Notices } from '../lib/notices.svelte.js';
import type { SignalingLink } from '../connection/link.js';
import { rememberedCall, type RememberedCall } from './call-memory.svelte.js';
import { failureText } from './failure.js';
import type { CallController } from './controller.svelte.js';

export class CallResume {
  /** The call this window was in before it loaded (a reload), until rejoined or given up. */
  #remembered: RememberedCall | null = rememberedCall();
  /** Who was heard to be back while `call:resume` was on its way (its answer may come after that news). */
  #backMeanwhile: Set<string> | null = null;

  readonly #calls: CallController;
  readonly #link: SignalingLink;
  readonly #notices: Notices;
  readonly #rejoin: (call: RememberedCall) => Promise<boolean>;

  constructor(
    calls: CallController,
    link: SignalingLink,
    notices: Notices,
    /** Rejoins a call this window was in before it loaded (rejoin.ts). */
    rejoin: (call: RememberedCall) => Promise<boolean>,
  ) {
    this.#calls = calls;
    this.#link = link;
    this.#notices = notices;
    this.#rejoin = rejoin;
  }

  /** The server took this session: keep its ICE servers, send what waited, resume a call. */
  sessionReady(ready: SessionReady): void {
    this.#calls.line.ice.sessionReady(ready.iceServers);
    this.#calls.hangups.flush();
    void this.#resume();
  }

  signalingLost(): void {
    const calls = this.#calls;
    const phase = calls.phase;
    if (phase.kind === 'outgoing' || phase.kind === 'incoming') {
      if (phase.callId) void calls.hangups.send(phase.callId);
      calls.end('failed', false, 'The connection to the server was lost, so the call ended.');
    } else if (calls.live()) {
      // Said until the session is back (the app resolves 'connection' then), not for a fixed while.
      this.#notices.announce('Connection to the server lost. The call goes on while Parley reconnects.', 'connection');
    }
  }

  /** This side (no `username`) or another participant reaches the server again: mend what may have been missed. */
  resumed(username?: string): void {
    const calls = this.#calls;
    const live = calls.live();
    if (!live) return;
    if (username) {
      this.#backMeanwhile?.add(username);
      calls.mesh.setAway(username, false);
    } else if (!calls.group) for (const p of calls.mesh.peers) calls.mesh.setAway(p.user.username, false);
    void this.#link.request('call:mute', { callId: live.callId, muted: calls.muted });
    calls.hold.resend(live.callId);
    if (calls.chat.chatted) calls.chat.noteAgain(); // the note may have been lost while offline
    calls.mesh.signalingRestored(username);
  }

  /** The call going on first, then one held aside for it: after a restart the server then restores the held one held aside. */
  async #resume(): Promise<void> {
    await this.#resumeCurrent();
    await this.#resumeAside();
  }

  /** The call on hold (hold-and-answer.ts) is announced again too; one that ended meanwhile is let go. */
  async #resumeAside(): Promise<void> {
    const held = this.#calls.aside;
    if (!held) return;
    const res = await this.#link.request('call:resume', { callId: held.callId });
    if (this.#calls.aside !== held || !res.ok) return;
    if (res.state === 'ended') this.#calls.endAside(held.callId, res.reason);
    else held.line.ice.granted(held.callId, res);
  }

  async #resumeCurrent(): Promise<void> {
    const calls = this.#calls;
    const live = calls.live();
    const remembered = this.#remembered;
    this.#remembered = null;
    if (!live) {
      if (remembered && !(await this.#rejoin(remembered))) this.#remembered = remembered;
      return;
    }
    const back = (this.#backMeanwhile = new Set<string>());
    const res = await this.#link.request('call:resume', { callId: live.callId });
    this.#backMeanwhile = null;
    if (!calls.isLive(live.callId)) return;
    if (!res.ok) {
      // Lost again before the answer: the next session:ready tries again.
      if (res.code !== 'unavailable') calls.end('failed', false, 'The call ended while you were offline.');
      return;
    }
    if (res.state === 'ended') {
      // This device was away when it ended: a cause about whoever was away is about this side.
      calls.end(res.reason, false, failureText(res.cause, calls.title, true));
      return;
    }
    // Fresh TURN credentials: those of the call may have expired while this device was away.
    calls.line.ice.granted(live.callId, res);
    // Who else records: this device may have missed call:recording while away.
    calls.line.recording.told(res.recording ?? []);
    // A restarted server forgot who records: say it again (the others may have been told already; it is idempotent).
    if (res.state === 'active') calls.line.recording.resumed();
    if (res.state === 'active') this.resumed();
    // After a restart: each peer is away until call:peer-connection says they claimed the call too.
    else for (const p of calls.mesh.peers) if (p.state !== 'ringing' && !back.has(p.user.username)) calls.mesh.setAway(p.user.username, true);
  }
}
