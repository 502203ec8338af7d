/** A call as `history:list` tells it to one of its people (PROTOCOL.md, "Call history and missed calls"). */
import type { EndReason, FailureCause } from './codes.js';
import type { Media, UserRef } from './primitives.js';

export interface HistoryEntry {
  /** Cursor for pagination: pass the smallest seen as `history:list.before`. */
  seq: number;
  callId: string;
  /** Who placed the call. For a named room only whether this user opened it: everyone in a room came in themselves or answered a call into it. */
  direction: 'outgoing' | 'incoming';
  peer: UserRef;
  media: Media;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** Why the call ended; null while it is still going on. */
  outcome: EndReason | null;
  /** With outcome `failed`: what made it fail, when it is known. */
  cause?: FailureCause;
  /** An incoming call this user never answered (and did not decline). */
  missed: boolean;
  /** Someone chatted during the call (`call:note`); older servers leave it out. */
  chat?: boolean;
  /** Calls this entry stands for, when more than one: the same refusal repeated to the same callee within an hour. */
  attempts?: number;
  /** A named room's name (group calls only). */
  room?: string;
  /** Group calls only: everyone else who took part. */
  participants?: UserRef[];
  /** A transferred call: `by` transferred `from` to `to`. */
  transfer?: { by: UserRef; from: UserRef; to: UserRef };
}
