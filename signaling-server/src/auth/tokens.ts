/**
 * Sign-in tokens: HS256 JWTs (jose) carrying the username and the user's
 * token version, so a password change or a disable revokes them; a token id
 * (jti) and the id of the sign-in it comes from (sid), shared by the tokens
 * refreshed from that sign-in, so signing out revokes one device's chain. The key is
 * generated on first start and kept in the data dir, readable by us only;
 * with PostgreSQL, in the database, so every node signs and checks with the
 * same key.
 */
import { chmodSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes, randomUUID, webcrypto } from 'node:crypto';
import path from 'node:path';
import { errors, jwtVerify, SignJWT } from 'jose';
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
  /**
   * The secret as a WebCrypto key, imported once: given the raw bytes, jose
   * imports a key on every sign and verify, which was most of a sign-in's cost.
   */
  private readonly key: Promise<webcrypto.CryptoKey>;

  constructor(
    secret: Uint8Array,
    private readonly ttlS: number,
  ) {
    this.key = webcrypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
  }

  /** The lifetime of a new token, in seconds. */
  get ttl(): number {
    return this.ttlS;
  }

  /** A new sign-in without `sid`; a refresh of that sign-in with it. */
  async issue(claims: TokenClaims, sid: string = randomUUID()): Promise<{ token: string; expiresAt: number; sid: string }> {
    const expiresAt = (Math.floor(Date.now() / 1000) + this.ttlS) * 1000;
    const token = await new SignJWT({ usr: claims.username, ver: claims.version, sid })
      .setProtectedHeader({ alg: 'HS256' })
      .setJti(randomUUID())
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(expiresAt / 1000)
      .sign(await this.key);
    return { token, expiresAt, sid };
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

  /** Throws InvalidTokenError with a message a user can act on. */
  async verify(token: string): Promise<VerifiedToken> {
    try {
      // A token without an expiry would be good forever: refused, though the key signed it.
      const { payload } = await jwtVerify(token, await this.key, { issuer: ISSUER, algorithms: ['HS256'], requiredClaims: ['exp', 'iat', 'sub'] });
      const { sub, usr, ver, sid, exp } = payload;
      if (typeof sub !== 'string' || typeof usr !== 'string' || typeof ver !== 'number' || typeof exp !== 'number') {
        throw new InvalidTokenError('token is invalid');
      }
      if (sid !== undefined && (typeof sid !== 'string' || sid === '' || sid.length > 64)) throw new InvalidTokenError('token is invalid');
      const legacy = sid === undefined;
      return { userId: sub, username: usr, version: ver, sid: sid ?? legacySid(token), expiresAt: exp * 1000, legacy };
    } catch (err) {
      if (err instanceof InvalidTokenError) throw err;
      if (err instanceof errors.JWTExpired) throw new InvalidTokenError('token expired: sign in again');
      throw new InvalidTokenError('token is invalid');
    }
  }
}
