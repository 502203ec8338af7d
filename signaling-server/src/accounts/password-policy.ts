/**
 * Which passwords an account may have. The protocol's schema bounds the
 * length (8-256); this refuses the guessable ones with zxcvbn-ts, a
 * maintained strength estimator: common passwords, words, names, keyboard
 * walks, repeats, dates, and the account's own username and display name.
 * Server-only: its dictionaries are megabytes, loaded on first use.
 */
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * zxcvbn's scores: 0-1 fall to an online attack within its throttling; 2 needs
 * about a million guesses or more, which the sign-in throttle and the scrypt
 * cost put out of reach. NIST SP 800-63B asks for a blocklist, not for rules
 * about character classes, and this is one with patterns.
 */
export const MIN_SCORE = 2;

export class WeakPasswordError extends Error {
  override name = 'WeakPasswordError';
}

// Imported on first use: the server and every admin command start without parsing the dictionaries.
let estimator: Promise<ZxcvbnFactory> | undefined;
function zxcvbn(): Promise<ZxcvbnFactory> {
  estimator ??= Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common'), import('@zxcvbn-ts/language-en')]).then(
    ([core, common, en]) =>
      new core.ZxcvbnFactory({
        dictionary: { ...common.dictionary, ...en.dictionary },
        graphs: common.adjacencyGraphs,
        translations: en.translations,
      }),
  );
  return estimator;
}

/** Why `password` is too easy to guess, in words; undefined when it is good enough. */
export async function passwordWeakness(password: string, account: { username: string; displayName?: string }): Promise<string | undefined> {
  const inputs = [account.username, ...(account.displayName ?? '').split(/\s+/)].filter((s) => s.length > 0);
  const { score, feedback } = (await zxcvbn()).check(password, inputs);
  if (score >= MIN_SCORE) return undefined;
  const advice = [feedback.warning, ...feedback.suggestions].filter((s): s is string => Boolean(s));
  return ['This password is too easy to guess.', ...advice].join(' ');
}

/** Throws WeakPasswordError with the reason when the password is too easy to guess. */
export async function assertStrongPassword(password: string, account: { username: string; displayName?: string }): Promise<void> {
  const weakness = await passwordWeakness(password, account);
  if (weakness !== undefined) throw new WeakPasswordError(weakness);
}
