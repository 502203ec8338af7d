/**
 * Password hashing with scrypt (Node's built-in, memory-hard) and a random
 * per-user salt. Stored as `scrypt$N$r$p$salt$hash`: each hash carries its
 * own parameters, so older hashes still verify after PARAMS are raised, and
 * `needsRehash` tells a sign-in to store the password again with the new ones.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ConfigError } from '../config.js';

export interface HashParams {
  N: number;
  r: number;
  p: number;
}

/** OWASP Password Storage Cheat Sheet: N=2^17, r=8, p=1 (128 MiB and about half a second per hash). */
export const PARAMS: HashParams = { N: 2 ** 17, r: 8, p: 1 };
/** What PARLEY_TEST_CHEAP_HASHES=1 hashes with: about a millisecond, so tests not about passwords sign in at no cost. */
export const TEST_PARAMS: HashParams = { N: 2 ** 10, r: 8, p: 1 };
const KEY_LENGTH = 64;

/**
 * The parameters new hashes are made with: production's, unless the test
 * suites set PARLEY_TEST_CHEAP_HASHES=1. That setting is refused outside
 * NODE_ENV=test (the test runner's), so a server cannot weaken its hashes by
 * a stray variable: it will not start, and no hash is made.
 */
export function hashParams(env: NodeJS.ProcessEnv = process.env): HashParams {
  const cheap = env.PARLEY_TEST_CHEAP_HASHES;
  if (cheap === undefined || cheap === '' || cheap === '0') return PARAMS;
  if (env.NODE_ENV !== 'test') {
    throw new ConfigError('PARLEY_TEST_CHEAP_HASHES is for the test suites only (with NODE_ENV=test): it makes password hashes easy to crack. Unset it.');
  }
  return TEST_PARAMS;
}
/** Accepted in stored hashes: what we ever wrote, and no more than twice PARAMS (a corrupt row must not exhaust memory). */
const MAX_N = PARAMS.N * 2;

function derive(password: string, salt: Buffer, options: ScryptOptions & { N: number; r: number }): Promise<Buffer> {
  // scrypt needs 128·N·r bytes; Node refuses anything over maxmem (32 MiB by default).
  const maxmem = 128 * options.N * options.r + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, { ...options, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: HashParams = hashParams()): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  return ['scrypt', params.N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

function parse(stored: string): { N: number; r: number; p: number; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  if (scheme !== 'scrypt' || !salt || !hash) return undefined;
  if (!Object.values(params).every(Number.isSafeInteger) || params.N > MAX_N || params.r > 32 || params.p > 16) return undefined;
  return { ...params, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, { N: parsed.N, r: parsed.r, p: parsed.p });
  return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
}

/** True when a stored hash was made with other parameters than new hashes are. */
export function needsRehash(stored: string): boolean {
  const parsed = parse(stored);
  const params = hashParams();
  return !parsed || parsed.N !== params.N || parsed.r !== params.r || parsed.p !== params.p || parsed.hash.length !== KEY_LENGTH;
}

/** A hash of nothing, checked against when the user does not exist so timing does not tell. */
let decoy: Promise<string> | undefined;
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}
