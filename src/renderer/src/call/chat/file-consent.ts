/**
 * Files are the receiver's choice: a file a peer offers is taken only when
 * this side's person accepts it, unless it is no larger than the size they
 * let through without asking (Settings → Files in calls; by default none).
 * The person has a while to answer; after that the offer expires and both
 * sides are told. Pure: no channel, no DOM.
 */
import { ANSWER_TIMEOUT_MS, MB, type FileOffer } from './file-wire.js';

/**
 * How long the receiver's person has to accept or decline an offer whose
 * sender waits (`waits: true`): long enough to finish a sentence and look at
 * the chat, short enough that the sender's next files, which queue behind
 * this one, are not held up for long.
 */
export const CONSENT_TIMEOUT_MS = 2 * 60_000;
/**
 * An older sender (no `waits`) gives up ANSWER_TIMEOUT_MS after its offer
 * and ignores a later accept: its offers expire a little before that, so
 * they do not hang on this side as "Receiving…" with nothing coming.
 */
export const SHORT_CONSENT_MS = ANSWER_TIMEOUT_MS - 2000;
/** The sender's own deadline: the receiver's, and time for its `file-refuse` to arrive. */
export const SENDER_CONSENT_MS = CONSENT_TIMEOUT_MS + ANSWER_TIMEOUT_MS;

/**
 * The auto-accept sizes Settings offers, in MB; 0 is "Never: always ask".
 * The default (src/shared/preferences.ts) is 0: the audit's flood was forty
 * files of 1 MiB, so even a 1 MB default would have let it in, and a
 * screenshot is often larger than that anyway; a click per file is the price.
 */
export const AUTO_ACCEPT_CHOICES_MB: readonly number[] = [0, 1, 5, 10, 25];

/** Whether a file of `size` bytes is taken without asking, given the auto-accept size in bytes (0: never). */
export function takenUnasked(size: number, autoAcceptBytes: number): boolean {
  return autoAcceptBytes > 0 && size <= autoAcceptBytes;
}

/** How long the receiver's person has to answer this offer, in ms. */
export function consentWindow(offer: Pick<FileOffer, 'waits'>): number {
  return offer.waits === true ? CONSENT_TIMEOUT_MS : SHORT_CONSENT_MS;
}

/** The two file settings (in MB, as stored) as the chat uses them, in bytes. */
export interface FileSettingsMB {
  fileLimitMB: number;
  fileAutoAcceptMB: number;
}

/** What the receiver takes: its limit and its auto-accept size, in bytes, read when a file comes. */
export interface FileRules {
  limit(): number;
  autoAccept(): number;
}

export function fileRules(settings: () => FileSettingsMB): FileRules {
  return { limit: () => settings().fileLimitMB * MB, autoAccept: () => settings().fileAutoAcceptMB * MB };
}

/** A choice of the auto-accept setting, in words. */
export function autoAcceptWords(mb: number): string {
  return mb === 0 ? 'Never: always ask' : `Files up to ${mb} MB`;
}
