/**
 * One call: its phase (call-state.ts), who is in it, how it was placed, and
 * its line (microphone, peers, camera, screen, chat: call-line.svelte.ts).
 * Only its own methods change these: the controller, group calls, rejoin and
 * hold and answer say what happened to the call, and the call records it.
 */
import type { UserRef } from 'parley-server/protocol';
import { logger } from '../lib/log.js';
import type { CallLine, LineHooks } from './call-line.svelte.js';
import type { MediaState } from './call-session.js';
import { IDLE, answered, inCall, transition, type CallEvent, type CallPhase, type LivePhase } from './call-state.js';
import { callTitle } from './call-title.js';
import { endReasonText } from './end-reasons.js';

const log = logger('call');

/** How a call was placed and what this side has on in it. */
interface CallFlags {
  outgoing: boolean;
  muted: boolean;
  videoCall: boolean;
}

/** A call the server knows of: it has its id and its other person (a call on hold always does). */
export type KnownCall = Call & { readonly callId: string; readonly peer: UserRef };

export function isKnown(call: Call): call is KnownCall {
  return call.callId !== null && call.peer !== null;
}

export class Call {
  #phaseNow = $state<CallPhase>(IDLE);
  #placedHere = $state(false);
  #mutedHere = $state(false);
  #video = $state(false);
  #roomName = $state<string | null>(null);
  #invited = $state<UserRef[]>([]);
  /** Rung here as a blind transfer: who put it through. */
  #transferrer = $state<UserRef | null>(null);
  /** Rung here: whether this side is polite toward the caller (the connection made while it rings). */
  #politeOffer = true;
  /** A refusal's own words, which the ended card shows instead of its reason's. */
  #refusal = $state<string | null>(null);
  readonly #current: CallLine;
  /** On hold while another call is active: whether the other side holds it too, and whether the answer it was held for was refused. */
  #aside = $state<{ theirs: boolean; answerRefused: boolean } | null>(null);

  /** `mediaState`: what its peer sessions say of its media (the controller listens while it is the active call). */
  constructor(line: (hooks: LineHooks) => CallLine, mediaState: (username: string, state: MediaState) => void) {
    this.#current = line({ callId: () => this.callId ?? '', muted: () => this.muted, group: () => this.group, title: () => this.title, mediaState });
  }

  get phase(): CallPhase { return this.#phaseNow; } // prettier-ignore
  /** This side placed the call (or joined the room). */
  get outgoing(): boolean { return this.#placedHere; } // prettier-ignore
  get muted(): boolean { return this.#mutedHere; } // prettier-ignore
  /** Placed, or offered, as a video call. */
  get videoCall(): boolean { return this.#video; } // prettier-ignore
  /** The named room this call is, if it is one. */
  get room(): string | null { return this.#roomName; } // prettier-ignore
  /** Who else is in a call this side is being rung into, connected to once answered. */
  get invitedWith(): UserRef[] { return this.#invited; } // prettier-ignore
  /** A call rung here as a transfer: who transferred it ("Bob, transferred by Alice"). */
  get transferredBy(): UserRef | null { return this.#transferrer; } // prettier-ignore
  /** Its media: microphone, peers, camera, screen, chat. */
  get line(): CallLine { return this.#current; } // prettier-ignore

  /** The call's id once the server gave one. */
  get callId(): string | null {
    return this.#phaseNow.kind === 'idle' ? null : this.#phaseNow.callId;
  }
  /** The other person (the room, for a named room), once there is a call. */
  get peer(): UserRef | null {
    return this.#phaseNow.kind === 'idle' ? null : this.#phaseNow.peer;
  }
  /** On hold, the other side holds it too. */
  get theirs(): boolean { return this.#aside?.theirs ?? false; } // prettier-ignore
  /** On hold for an answer that was refused: it comes back off hold, as the server made it for its other side. */
  get answerRefused(): boolean { return this.#aside?.answerRefused ?? false; } // prettier-ignore
  /** More than two people, or a named room: each connection is one person's, not the call's. */
  get group(): boolean {
    return this.#roomName !== null || this.line.mesh.size > 1;
  }
  get busy(): boolean { return inCall(this.#phaseNow); } // prettier-ignore
  /** Answered and not over: others see you "In a call" (ringing is not yet). */
  get talking(): boolean { return answered(this.#phaseNow); } // prettier-ignore
  /** The call as answered and going on, if it is. */
  live(): LivePhase | null {
    return answered(this.#phaseNow) ? this.#phaseNow : null;
  }

  /** Its name as shown: the room, the people in it ("Bob, Carol +1"), or the one other person. */
  get title(): string {
    const phase = this.#phaseNow;
    if (phase.kind === 'idle') return '';
    const mesh = this.line.mesh;
    return callTitle(this.#roomName, mesh.size > 0 ? mesh.peers.map((p) => p.user) : [phase.peer, ...this.#invited]);
  }

  /** Words for the call once it ended. */
  endedText(): string {
    return this.#phaseNow.kind === 'ended' ? (this.#refusal ?? endReasonText(this.#phaseNow, this.#placedHere)) : '';
  }

  /** The phase's next step, if the transition table allows it; an illegal one is logged and ignored. */
  apply(event: CallEvent): boolean {
    const result = transition(this.#phaseNow, event);
    if (!result.ok) {
      log.warn('ignored call event:', result.error);
      return false;
    }
    this.#phaseNow = result.phase;
    return true;
  }

  /** This side dialled it. */
  placed(video: boolean): void {
    this.#set({ outgoing: true, muted: false, videoCall: video }, null, []);
  }

  /** Rung here: whether this side is polite toward the caller. */
  get polite(): boolean { return this.#politeOffer; } // prettier-ignore

  /** It rings here; `others` are in it already; `transferredBy`: a blind transfer, put through by them. */
  offered(video: boolean, room: string | null, others: UserRef[], transferredBy: UserRef | null = null, polite = true): void {
    this.#set({ outgoing: false, muted: false, videoCall: video }, room, others);
    this.#transferrer = transferredBy;
    this.#politeOffer = polite;
  }

  /** This side joined the named room. */
  joinedRoom(room: string): void {
    this.#set({ outgoing: true, muted: false, videoCall: false }, room, []);
  }

  /** Back after a reload, as the window had it. */
  rejoined(outgoing: boolean, room: string | null, video: boolean): void {
    this.#set({ outgoing, muted: this.#mutedHere, videoCall: video }, room, []);
  }

  /** The answer said who is in it now. */
  answeredWith(participants: UserRef[]): void {
    this.#invited = participants;
  }

  /** Connected to everyone it was rung into. */
  connectedToInvited(): void {
    this.#invited = [];
  }

  setMuted(muted: boolean): void {
    this.#mutedHere = muted;
  }

  /** Over: `refusal`, a refusal's words for the ended card. */
  closed(refusal: string | null): void {
    this.#refusal = refusal;
    this.#set({ outgoing: this.#placedHere, muted: false, videoCall: this.#video }, null, []);
  }

  /** Put on hold for another call; `theirs`: the other side holds it too. Its senders go quiet, its connection stays. */
  heldAside(theirs: boolean): void {
    this.#aside = { theirs, answerRefused: false };
    this.#current.mesh.setOnHold(true);
  }

  /** On hold, its other side held it too, or took it off (call:held). */
  heldBy(held: boolean): void {
    if (this.#aside) this.#aside.theirs = held;
  }

  /** The answer it was held for was refused. */
  refuseAnswer(): void {
    if (this.#aside) this.#aside.answerRefused = true;
  }

  /** On hold, its other side lost the server or came back (with `fresh`, without its peer connection). */
  peerConnectionAside(connected: boolean, fresh: boolean): void {
    const who = this.peer?.username;
    if (!who) return;
    if (connected && fresh) this.#current.mesh.renew(who);
    this.#current.mesh.setAway(who, !connected);
  }

  /** Active again after a hold: what its hold was is forgotten (the controller's hold takes over). */
  takenBack(): void {
    this.#aside = null;
  }

  #set(flags: CallFlags, room: string | null, invited: UserRef[]): void {
    this.#placedHere = flags.outgoing;
    this.#mutedHere = flags.muted;
    this.#video = flags.videoCall;
    this.#roomName = room;
    this.#invited = invited;
    this.#transferrer = null;
  }
}
