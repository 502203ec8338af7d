/**
 * Join codes of named rooms, guarded against guessing. Every attempt on a
 * room that has a code reserves a try from two counters before the code is
 * compared: the account's (any connection, any device) and the room's (any
 * account). A right code gives its tries back; a wrong one keeps them. So at
 * most `perAccount` wrong codes per account and `perRoom` per room are ever
 * compared in a window, however many requests run at once, and on every node
 * when the limiter counts in Redis.
 *
 * While a room's counter is spent, its right code is refused too: otherwise
 * a guesser would only need to keep going. A team locked out this way waits
 * the window, or opens another room.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { MakeLimiter } from '../limits.js';
import { ROOM_CODE_MIN_LENGTH } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';

/** Wrong codes allowed per window. With 20 per room every 10 minutes, an 8-character code takes centuries to guess. */
export const ROOM_CODE_TRIES = { perAccount: 5, perRoom: 20, windowS: 600 } as const;
export { ROOM_CODE_MIN_LENGTH };

const digest = (salt: string, code: string) => createHash('sha256').update(`${salt}\0${code}`).digest();

/**
 * A join code as it is stored, `salt$sha256`: codes are 8 characters or
 * more and guesses are limited (RoomCodes), so a slow hash would add nothing
 * but latency to every join.
 */
export function hashCode(code: string): string {
  const salt = randomBytes(16).toString('base64url');
  return `${salt}$${digest(salt, code).toString('base64url')}`;
}

/**
 * Whether a given code is the stored one (hashCode), compared without
 * telling by timing how much of a guess was right; with no code stored,
 * any join is let in.
 */
export function codeMatcher(stored: string | null): (given: string | undefined) => boolean {
  if (stored === null) return () => true;
  const [salt = '', hash = ''] = stored.split('$');
  const expected = Buffer.from(hash, 'base64url');
  return (given) => {
    if (given === undefined) return false;
    const actual = digest(salt, given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  };
}

export class RoomCodes {
  private readonly byAccount: RateLimiterAbstract;
  private readonly byRoom: RateLimiterAbstract;

  constructor(make: MakeLimiter) {
    const { perAccount, perRoom, windowS } = ROOM_CODE_TRIES;
    this.byAccount = make({ keyPrefix: 'room-code-user', points: perAccount, duration: windowS });
    this.byRoom = make({ keyPrefix: 'room-code-room', points: perRoom, duration: windowS });
  }

  /** Resolves when `matches(given)`, the room's code check; throws `rate_limited` or `wrong_code` otherwise. */
  async check(username: string, room: string, matches: (given: string | undefined) => boolean, given: string | undefined): Promise<void> {
    const counters: [RateLimiterAbstract, string][] = [
      [this.byAccount, username],
      [this.byRoom, room],
    ];
    const reserved: typeof counters = [];
    try {
      for (const counter of counters) {
        await counter[0].consume(counter[1]);
        reserved.push(counter);
      }
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      // The try a counter refused is not given back: it counts as one more guess.
      throw new RequestError('rate_limited', `Too many wrong join codes for room "${room}": wait and try again`, err.msBeforeNext);
    }
    if (matches(given)) {
      await Promise.all(reserved.map(([limiter, key]) => limiter.reward(key)));
      return;
    }
    throw new RequestError('wrong_code', given === undefined ? `Room "${room}" needs a join code` : `That is not the join code of room "${room}"`);
  }
}
