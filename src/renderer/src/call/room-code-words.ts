/**
 * A room's join code as its owner changes it, in words: what is wrong with a
 * code typed, what a change came to, and why the server refused one.
 */
import { ROOM_CODE_MAX_LENGTH, ROOM_CODE_MIN_LENGTH, type ErrorCode } from 'parley-server/protocol';

/** What is wrong with `code` (already trimmed) as a new join code; null when it will do. */
export function codeProblem(code: string): string | null {
  // Counted as the server counts (UTF-16 units), so the two never disagree.
  const n = code.length;
  if (n === 0) return 'Type the new join code first.';
  if (n < ROOM_CODE_MIN_LENGTH) return `A join code needs at least ${ROOM_CODE_MIN_LENGTH} characters: this one has ${n}.`;
  if (n > ROOM_CODE_MAX_LENGTH) return `A join code can have at most ${ROOM_CODE_MAX_LENGTH} characters: this one has ${n}.`;
  return null;
}

/** The hint under the field: the rule, and what a change does to whoever is in the room. */
export const CODE_RULE = `${ROOM_CODE_MIN_LENGTH} to ${ROOM_CODE_MAX_LENGTH} characters. People in the room now stay in it; whoever joins later needs the new code.`;

/** The room as it stands, for its owner. */
export function codeState(room: string, hasCode: boolean): string {
  return hasCode ? `Room ${room} has a join code: people need it to join.` : `Room ${room} has no join code: anyone who knows its name can join.`;
}

/** A change the server took. */
export function codeDone(room: string, removed: boolean): string {
  return removed
    ? `Join code removed. Anyone who knows the name ${room} can now join.`
    : `Join code changed. From now on, joining room ${room} takes the new code.`;
}

export interface Refusal {
  code: ErrorCode;
  message: string;
  retryAfterMs?: number;
}

/** A change the server refused, in words: what did not happen, why, and what to do. */
export function codeRefused(refusal: Refusal, room: string, owner: string, removing: boolean): string {
  const what = removing ? 'The join code was not removed' : 'The join code was not changed';
  switch (refusal.code) {
    case 'not_owner':
      return `${what}: only ${owner}, who owns room ${room}, can change it.`;
    case 'rate_limited': {
      const seconds = Math.max(1, Math.ceil((refusal.retryAfterMs ?? 1000) / 1000));
      return `${what}: too many requests in a short time. Wait ${seconds === 1 ? 'a second' : `${seconds} seconds`} and try again.`;
    }
    case 'not_in_call':
    case 'not_found':
      return `${what}: you are no longer in room ${room}.`;
    case 'unavailable':
      return `${what}: Parley is not connected to the server. Try again once it is back.`;
    default:
      return `${what}: ${refusal.message.replace(/\.?$/, '.')}`;
  }
}
