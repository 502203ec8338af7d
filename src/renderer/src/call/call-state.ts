/**
 * The call state machine: pure, no WebRTC, no DOM. Every change of a call's
 * phase goes through `transition`, which consults one table of what each
 * event may do from each phase; anything else is illegal, logged by the
 * caller and ignored (the state stays as it was).
 *
 *   idle → outgoing → connecting → active → ended(reason)
 *   idle → incoming → connecting → …        active ⇄ reconnecting
 *   idle → active (a named room: in it at once, whoever else is there)
 *   idle → reconnecting (a reload rejoins the call the window was in)
 *   active → connecting (moved into another call: an attended transfer, a merge)
 */
import type { EndReason, UserRef } from 'parley-server/protocol';

export type CallPhase =
  | { kind: 'idle' }
  | { kind: 'outgoing'; callId: string | null; peer: UserRef; ringing: boolean; since: number }
  | { kind: 'incoming'; callId: string; peer: UserRef; since: number }
  | { kind: 'connecting'; callId: string; peer: UserRef; polite: boolean; since: number }
  | { kind: 'active'; callId: string; peer: UserRef; polite: boolean; answeredAt: number }
  | { kind: 'reconnecting'; callId: string; peer: UserRef; polite: boolean; answeredAt: number }
  | {
      kind: 'ended';
      callId: string | null;
      peer: UserRef;
      reason: EndReason;
      /** This side ended it (hung up, declined, cancelled), rather than the peer or the server. */
      local: boolean;
      /** Talk time in ms when the call was answered. */
      durationMs: number | null;
      at: number;
    };

export type CallEvent =
  | { type: 'dial'; peer: UserRef; at: number }
  | { type: 'invited'; callId: string }
  | { type: 'ringing'; callId: string }
  | { type: 'incoming'; callId: string; peer: UserRef; at: number }
  /** Joined a named room; `peer` stands for the room in views that name one peer. */
  | { type: 'room'; callId: string; peer: UserRef; at: number }
  /** Back in a call this window was in before it reloaded: its media comes back as it reconnects. */
  | { type: 'rejoin'; callId: string; peer: UserRef; answeredAt: number }
  /** Moved into another call going on (an attended transfer or a merge: call:ended `moved`): connecting to its people. */
  | { type: 'moved'; callId: string; peer: UserRef; at: number }
  /** A call of two is now with someone else (they were transferred in): the person it is with. */
  | { type: 'peer'; peer: UserRef }
  | { type: 'answer'; at: number }
  | { type: 'accepted'; callId: string; polite: boolean; at: number }
  | { type: 'connected'; at: number }
  | { type: 'interrupted' }
  | { type: 'end'; reason: EndReason; local: boolean; at: number }
  | { type: 'reset' };

export type PhaseKind = CallPhase['kind'];
export type EventType = CallEvent['type'];

/** From which phases each event is legal. */
export const TRANSITIONS: Record<EventType, readonly PhaseKind[]> = {
  dial: ['idle', 'ended'],
  invited: ['outgoing'],
  ringing: ['outgoing'],
  incoming: ['idle', 'ended'],
  room: ['idle', 'ended'],
  rejoin: ['idle', 'ended'],
  moved: ['connecting', 'active', 'reconnecting'],
  peer: ['connecting', 'active', 'reconnecting'],
  answer: ['incoming'],
  accepted: ['outgoing'],
  connected: ['connecting', 'reconnecting'],
  interrupted: ['active'],
  end: ['outgoing', 'incoming', 'connecting', 'active', 'reconnecting'],
  reset: ['ended'],
};

export type TransitionResult = { ok: true; phase: CallPhase } | { ok: false; phase: CallPhase; error: string };

export const IDLE: CallPhase = { kind: 'idle' };

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}

/** The call id a phase is about, if any. */
export function callIdOf(phase: CallPhase): string | null {
  return phase.kind === 'idle' ? null : phase.callId;
}

export function transition(phase: CallPhase, event: CallEvent): TransitionResult {
  const illegal = (why = `${event.type} is not allowed while ${phase.kind}`): TransitionResult => ({
    ok: false,
    phase,
    error: why,
  });
  if (!TRANSITIONS[event.type].includes(phase.kind)) return illegal();
  // Events about a call must name the call we are in.
  const current = callIdOf(phase);
  if ('callId' in event && current !== null && event.type !== 'incoming' && event.type !== 'room' && event.type !== 'rejoin' && event.type !== 'moved' && event.callId !== current) {
    return illegal(`${event.type} names call ${event.callId}, not the current ${current}`);
  }

  switch (event.type) {
    case 'dial':
      return { ok: true, phase: { kind: 'outgoing', callId: null, peer: event.peer, ringing: false, since: event.at } };
    case 'invited':
      if (phase.kind !== 'outgoing' || phase.callId !== null) return illegal('already invited');
      return { ok: true, phase: { ...phase, callId: event.callId } };
    case 'ringing':
      if (phase.kind !== 'outgoing') return illegal();
      return { ok: true, phase: { ...phase, callId: event.callId, ringing: true } };
    case 'incoming':
      return { ok: true, phase: { kind: 'incoming', callId: event.callId, peer: event.peer, since: event.at } };
    case 'room':
      return { ok: true, phase: { kind: 'active', callId: event.callId, peer: event.peer, polite: true, answeredAt: event.at } };
    case 'rejoin':
      return { ok: true, phase: { kind: 'reconnecting', callId: event.callId, peer: event.peer, polite: true, answeredAt: event.answeredAt } };
    case 'moved':
      return { ok: true, phase: { kind: 'connecting', callId: event.callId, peer: event.peer, polite: true, since: event.at } };
    case 'peer':
      if (!answered(phase)) return illegal();
      return { ok: true, phase: { ...phase, peer: event.peer } };
    case 'answer':
      if (phase.kind !== 'incoming') return illegal();
      return { ok: true, phase: { kind: 'connecting', callId: phase.callId, peer: phase.peer, polite: true, since: event.at } };
    case 'accepted':
      if (phase.kind !== 'outgoing') return illegal();
      return {
        ok: true,
        phase: { kind: 'connecting', callId: event.callId, peer: phase.peer, polite: event.polite, since: event.at },
      };
    case 'connected':
      if (phase.kind === 'connecting') {
        return {
          ok: true,
          phase: { kind: 'active', callId: phase.callId, peer: phase.peer, polite: phase.polite, answeredAt: event.at },
        };
      }
      if (phase.kind === 'reconnecting') return { ok: true, phase: { ...phase, kind: 'active' } };
      return illegal();
    case 'interrupted':
      if (phase.kind !== 'active') return illegal();
      return { ok: true, phase: { ...phase, kind: 'reconnecting' } };
    case 'end': {
      if (phase.kind === 'idle' || phase.kind === 'ended') return illegal();
      const answeredAt = phase.kind === 'active' || phase.kind === 'reconnecting' ? phase.answeredAt : null;
      return {
        ok: true,
        phase: {
          kind: 'ended',
          callId: phase.callId,
          peer: phase.peer,
          reason: event.reason,
          local: event.local,
          durationMs: answeredAt === null ? null : Math.max(0, event.at - answeredAt),
          at: event.at,
        },
      };
    }
    case 'reset':
      return { ok: true, phase: IDLE };
    default:
      return assertNever(event);
  }
}

/** Whether the phase holds a call that is not over yet. */
export function inCall(phase: CallPhase): boolean {
  return phase.kind !== 'idle' && phase.kind !== 'ended';
}

export type LivePhase = Extract<CallPhase, { kind: 'connecting' | 'active' | 'reconnecting' }>;

/** Whether the call has been answered and is not over: what others see as "In a call" (busy). */
export function answered(phase: CallPhase): phase is LivePhase {
  return phase.kind === 'connecting' || phase.kind === 'active' || phase.kind === 'reconnecting';
}
