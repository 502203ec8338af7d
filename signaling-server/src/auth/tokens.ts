/**
 * Sign-in tokens: HS256 JWTs (fast-jwt, whose HMAC is node:crypto's) carrying the username and the user's
 * token version, so a password change or a disable revokes them; a token id
 * (jti) and the id of the sign-in it comes from (sid), shared by the tokens
 * refreshed from that sign-in, so signing out revokes one device's chain. The key is
 * generated on first start and kept in the data dir, readable by us only;
 * with PostgreSQL, in the database, so every node signs and checks with the
 * same key.
 */
import { chmodSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { createSigner, createVerifier, TokenError } from 'fast-jwt';
import type { Database } from '../db/database.js';

export const SECRET_FILE = 'token-secret';
const ISSUER = 'parley-server';

const newSecret = () => randomBytes(48).toString('base64url');

export function loadOrCreateSecret(dataDir: string): Uint8Array {
  const file = path.join(dataDir, SECRET_FILE);
  // Written whole under a private name, then linked into place: a second
  // process starting on the same data dir at the same moment either makes
  // the file or reads a complete one, never an empty one.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, newSecret(), { flag: 'wx', mode: 0o600 });
  try {
    linkSync(draft, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(draft);
  }
  chmodSync(file, 0o600);
  const secret = readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret: delete it to make a new one`);
  return new TextEncoder().encode(secret);
}

const STORED_SECRET = 'token-key';

/** The key kept in the database: the first node to start makes it, the others (racing or later) read that one. */
export async function loadOrCreateStoredSecret(db: Database): Promise<Uint8Array> {
  await db
    .insertInto('server_secrets')
    .values({ name: STORED_SECRET, value: newSecret() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', STORED_SECRET).executeTakeFirstOrThrow();
  return new TextEncoder().encode(row.value);
}

export interface TokenClaims {
  /** The account's id: a removed and re-created username is another account. */
  userId: string;
  username: string;
  version: number;
}

/** A checked token: its claims, the sign-in it belongs to, and when it expires. */
export interface VerifiedToken extends TokenClaims {
  /** The sign-in (device) id: the same for every token refreshed from one sign-in. */
  sid: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** A token made before sign-in ids (its sid is derived from the token itself): refreshed at once. */
  legacy: boolean;
}

/**
 * Tokens made before sign-in ids carried neither sid nor jti. They stay good
 * until they expire, as their own one-token sign-in: a hash of the token
 * names it, so signing out with one still revokes it.
 */
const legacySid = (token: string): string => `legacy-${createHash('sha256').update(token).digest('base64url').slice(0, 32)}`;

export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError';
}

export class TokenService {
  // Synchronous: the key is given as bytes, so neither makes a promise or a
  // key object per call (a sign-in checks one token and may make one).
  private readonly sign: (payload: Record<string, unknown>) => string;
  // A token without an expiry would be good forever: refused, though the key signed it.
  private readonly check: (token: string) => Record<string, unknown>;

  constructor(
    secret: Uint8Array,
    private readonly ttlS: number,
  ) {
    const key = Buffer.from(secret);
    this.sign = createSigner({ key, algorithm: 'HS256', iss: ISSUER });
    this.check = createVerifier({ key, algorithms: ['HS256'], allowedIss: ISSUER, requiredClaims: ['exp', 'iat', 'sub'] });
  }

  /** The lifetime of a new token, in seconds. */
  get ttl(): number {
    return this.ttlS;
  }

  /** A new sign-in without `sid`; a refresh of that sign-in with it. */
  issue(claims: TokenClaims, sid: string = randomUUID()): Promise<{ token: string; expiresAt: number; sid: string }> {
    const expiresAt = (Math.floor(Date.now() / 1000) + this.ttlS) * 1000;
    const token = this.sign({ usr: claims.username, ver: claims.version, sid, jti: randomUUID(), sub: claims.userId, exp: expiresAt / 1000 });
    return Promise.resolve({ token, expiresAt, sid });
  }

  /**
   * Whether a session on this token should get a fresh one: less than half
   * of a new token's lifetime left, or a token from before sign-in ids. So a
   * device used at least every half-lifetime stays signed in, and a token
   * nobody uses dies within one lifetime.
   */
  refreshDue(token: Pick<VerifiedToken, 'legacy' | 'expiresAt'>, now = Date.now()): boolean {
    return token.legacy || token.expiresAt - now < (this.ttlS * 1000) / 2;
  }

  /** Rejects with InvalidTokenError, whose message a user can act on. */
  verify(token: string): Promise<VerifiedToken> {
    try {
      return Promise.resolve(this.claims(token));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new InvalidTokenError('token is invalid'));
    }
  }

  private claims(token: string): VerifiedToken {
    let payload;
    try {
      payload = this.check(token);
    } catch (err) {
      if (err instanceof TokenError && err.code === TokenError.codes.expired) throw new InvalidTokenError('token expired: sign in again');
      throw new InvalidTokenError('token is invalid');
    }
    const { sub, usr, ver, sid, exp, iat } = payload;
    if (typeof sub !== 'string' || typeof usr !== 'string' || typeof ver !== 'number' || typeof exp !== 'number' || typeof iat !== 'number') {
      throw new InvalidTokenError('token is invalid');
    }
    if (sid !== undefined && (typeof sid !== 'string' || sid === '' || sid.length > 64)) throw new InvalidTokenError('token is invalid');
    const legacy = sid === undefined;
    return { userId: sub, username: usr, version: ver, sid: sid ?? legacySid(token), expiresAt: exp * 1000, legacy };
  }
}
