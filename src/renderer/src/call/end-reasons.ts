/** End reasons in words, from the point of view of the side that reads them. */
import type { EndReason, ErrorCode } from 'parley-server/protocol';
import type { CallPhase } from './call-state.js';

type Ended = Extract<CallPhase, { kind: 'ended' }>;

/** Invite refusals that are end reasons in their own right, told in the stock words. */
const REFUSAL_REASONS: Partial<Record<ErrorCode, EndReason>> = { offline: 'offline', busy: 'busy', dnd: 'dnd' };

/**
 * Why an invite the server refused ended, and the words its card shows
 * (null: the reason's stock words). A limit says whom and how long to wait.
 */
export function inviteRefusal(refusal: { code: ErrorCode; message: string; retryAfterMs?: number }, peer: { username: string; displayName: string }): { reason: EndReason; words: string | null } {
  const reason = REFUSAL_REASONS[refusal.code];
  if (reason) return { reason, words: null };
  return { reason: refusal.code === 'rate_limited' ? 'limited' : 'failed', words: refusalText(refusal, peer) };
}

/** `outgoing`: this side placed the call. */
export function endReasonText(ended: Pick<Ended, 'reason' | 'local' | 'peer'>, outgoing: boolean): string {
  const name = ended.peer.displayName;
  const r: EndReason = ended.reason;
  if (ended.local) {
    if (r === 'declined') return 'Call declined';
    if (r === 'cancelled') return 'Call cancelled';
    return 'Call ended';
  }
  switch (r) {
    case 'declined':
      return outgoing ? `${name} declined` : 'Declined on another device';
    case 'busy':
      return `${name} is busy`;
    case 'no-answer':
      return outgoing ? 'No answer' : `Missed call from ${name}`;
    case 'offline':
      return `${name} is offline`;
    case 'dnd':
      return `${name} does not want to be disturbed`;
    case 'cancelled':
      return `Missed call from ${name}`;
    case 'hangup':
      return `${name} hung up`;
    case 'answered-elsewhere':
      return 'Answered on another device';
    case 'failed':
      return 'Call failed: the connection was lost';
    case 'limited':
      return `Not placed: you have called ${name} too often without an answer`;
  }
}

/** Short outcome label for a history row. */
export function outcomeLabel(outcome: EndReason | null, direction: 'outgoing' | 'incoming', missed: boolean): string {
  if (outcome === null) return 'In progress';
  if (missed) return 'Missed';
  switch (outcome) {
    case 'hangup':
      return 'Answered';
    case 'declined':
      return 'Declined';
    case 'busy':
      return 'Busy';
    case 'no-answer':
      return 'No answer';
    case 'offline':
      return 'Offline';
    case 'dnd':
      return 'Do not disturb';
    case 'cancelled':
      return direction === 'outgoing' ? 'Cancelled' : 'Missed';
    case 'answered-elsewhere':
      return 'Answered elsewhere';
    case 'failed':
      return 'Failed';
    case 'limited':
      return 'Not placed';
  }
}

/**
 * A call the server refused before it rang (a limit, a user that does not
 * exist), in the words the call's own card shows: the server's sentence with
 * the person's display name for their username, and how long to wait.
 */
export function refusalText(refusal: { message: string; retryAfterMs?: number }, peer: { username: string; displayName: string }): string {
  const named = refusal.message.replace(new RegExp(`(?<![\\w.-])${escapeRegExp(peer.username)}(?![\\w.-])`, 'g'), peer.displayName);
  if (refusal.retryAfterMs === undefined) return named;
  const wait = refusal.retryAfterMs;
  const when = wait < 60_000 ? `${Math.max(1, Math.ceil(wait / 1000))} s` : `${Math.ceil(wait / 60_000)} min`;
  return `${named.replace(/:? *wait and try again\.?$/i, '')}. Try again in ${when}.`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
