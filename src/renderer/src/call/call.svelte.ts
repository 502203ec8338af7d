/**
 * One call: its phase (call-state.ts), who is in it, how it was placed, and
 * its line (microphone, peers, camera, screen, chat: call-line.svelte.ts).
 * Only its own methods change these: the controller, group calls, rejoin and
 * hold and answer say what happened to the call, and the call records it.
 */
import type { UserRef } from 'parley-server/protocol';
import { logger } from '../lib/log.js';
import type { CallLine } from './call-line.svelte.js';
import { IDLE, answered, inCall, transition, type CallEvent, type CallPhase, type LivePhase } from './call-state.js';
import { callTitle } from './call-title.js';
import { endReasonText } from './end-reasons.js';

const log = logger('call');

/** How a call was placed and what this side has on in it: what a held call keeps until it is back. */
export interface CallFlags {
  outgoing: boolean;
  muted: boolean;
  videoCall: boolean;
}

export class Call {
  private phaseNow = $state<CallPhase>(IDLE);
  private placedHere = $state(false);
  private mutedHere = $state(false);
  private video = $state(false);
  private roomName = $state<string | null>(null);
  private invited = $state<UserRef[]>([]);
  /** A refusal's own words, which the ended card shows instead of its reason's. */
  private refusal = $state<string | null>(null);
  private current = $state.raw<CallLine | null>(null);

  constructor(line: CallLine) {
    this.current = line;
  }

  get phase(): CallPhase { return this.phaseNow; } // prettier-ignore
  /** This side placed the call (or joined the room). */
  get outgoing(): boolean { return this.placedHere; } // prettier-ignore
  get muted(): boolean { return this.mutedHere; } // prettier-ignore
  /** Placed, or offered, as a video call. */
  get videoCall(): boolean { return this.video; } // prettier-ignore
  /** The named room this call is, if it is one. */
  get room(): string | null { return this.roomName; } // prettier-ignore
  /** Who else is in a call this side is being rung into, connected to once answered. */
  get invitedWith(): UserRef[] { return this.invited; } // prettier-ignore
  /** Its media: microphone, peers, camera, screen, chat. */
  get line(): CallLine {
    if (!this.current) throw new Error('a call is made with its line');
    return this.current;
  }
  get flags(): CallFlags { return { outgoing: this.outgoing, muted: this.muted, videoCall: this.videoCall }; } // prettier-ignore

  /** The call's id once the server gave one. */
  get id(): string | null {
    return this.phaseNow.kind === 'idle' ? null : this.phaseNow.callId;
  }
  /** More than two people, or a named room: each connection is one person's, not the call's. */
  get group(): boolean {
    return this.roomName !== null || this.line.mesh.size > 1;
  }
  get busy(): boolean { return inCall(this.phaseNow); } // prettier-ignore
  /** Answered and not over: others see you "In a call" (ringing is not yet). */
  get talking(): boolean { return answered(this.phaseNow); } // prettier-ignore
  /** The call as answered and going on, if it is. */
  live(): LivePhase | null {
    return answered(this.phaseNow) ? this.phaseNow : null;
  }

  /** Its name as shown: the room, the people in it ("Bob, Carol +1"), or the one other person. */
  get title(): string {
    const phase = this.phaseNow;
    if (phase.kind === 'idle') return '';
    const mesh = this.line.mesh;
    return callTitle(this.roomName, mesh.size > 0 ? mesh.peers.map((p) => p.user) : [phase.peer, ...this.invited]);
  }

  /** Words for the call once it ended. */
  endedText(): string {
    return this.phaseNow.kind === 'ended' ? (this.refusal ?? endReasonText(this.phaseNow, this.placedHere)) : '';
  }

  /** The phase's next step, if the transition table allows it; an illegal one is logged and ignored. */
  apply(event: CallEvent): boolean {
    const result = transition(this.phaseNow, event);
    if (!result.ok) {
      log.warn('ignored call event:', result.error);
      return false;
    }
    this.phaseNow = result.phase;
    return true;
  }

  /** This side dialled it. */
  placed(video: boolean): void {
    this.set({ outgoing: true, muted: false, videoCall: video }, null, []);
  }

  /** It rings here; `others` are in it already. */
  offered(video: boolean, room: string | null, others: UserRef[]): void {
    this.set({ outgoing: false, muted: false, videoCall: video }, room, others);
  }

  /** This side joined the named room. */
  joinedRoom(room: string): void {
    this.set({ outgoing: true, muted: false, videoCall: false }, room, []);
  }

  /** Back after a reload, as the window had it. */
  rejoined(outgoing: boolean, room: string | null, video: boolean): void {
    this.set({ outgoing, muted: this.mutedHere, videoCall: video }, room, []);
  }

  /** A held call is the call again, as it was when it was held. */
  restored(flags: CallFlags): void {
    this.set(flags, this.roomName, this.invited);
  }

  /** The answer said who is in it now. */
  answeredWith(participants: UserRef[]): void {
    this.invited = participants;
  }

  /** Connected to everyone it was rung into. */
  connectedToInvited(): void {
    this.invited = [];
  }

  setMuted(muted: boolean): void {
    this.mutedHere = muted;
  }

  /** Over: `refusal`, a refusal's words for the ended card. */
  closed(refusal: string | null): void {
    this.refusal = refusal;
    this.set({ outgoing: this.placedHere, muted: false, videoCall: this.video }, null, []);
  }

  /** Its media go through `line` from now on (a held call taken back, or a new line). */
  useLine(line: CallLine): void {
    this.current = line;
  }

  private set(flags: CallFlags, room: string | null, invited: UserRef[]): void {
    this.placedHere = flags.outgoing;
    this.mutedHere = flags.muted;
    this.video = flags.videoCall;
    this.roomName = room;
    this.invited = invited;
  }
}
