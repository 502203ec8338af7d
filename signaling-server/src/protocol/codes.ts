/** The closed sets of codes the protocol names: why a call ended, and why a request was refused. */

/** Why a call ended: a closed set, shown to the user in words by the app. */
export const END_REASONS = [
  'declined',
  'busy',
  'no-answer',
  'cancelled',
  'hangup',
  'answered-elsewhere',
  'failed',
  'offline',
  'dnd',
  // History only, and only the caller's: a call:invite refused rate_limited (too many unanswered calls). Nothing rang.
  'limited',
] as const;
export type EndReason = (typeof END_REASONS)[number];

/**
 * What made a `failed` call fail, as seen: `no-relay`, the media path never
 * came up and no relay (TURN) candidate was gathered, so a TURN server would
 * help; `no-path`, it never came up although a relay was tried; `media-lost`,
 * it was up and then carried no audio (it went down and did not come back, or
 * stayed up with no audio arriving) for the device's limit; `connection-lost`,
 * a participant's network went away: their connection to the server was gone
 * and the media path to them went down with it; `signaling-lost`, a
 * participant's connection to the server did not come back within the grace
 * period, so the server ended their part (their media may still have flowed).
 */
export const FAILURE_CAUSES = ['no-relay', 'no-path', 'media-lost', 'connection-lost', 'signaling-lost'] as const;
export type FailureCause = (typeof FAILURE_CAUSES)[number];

/** Error codes of negative acknowledgements and HTTP errors. */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'not_found',
  'offline',
  'busy',
  'dnd',
  'self_call',
  'in_call',
  'not_in_call',
  // Transfer and merge: one of this call's is under way; no device of the target supports it; the target is in this call already.
  'transfer_pending',
  'transfer_unsupported',
  'already_in_call',
  'room_full',
  'wrong_code',
  'not_owner',
  'too_many_devices',
  'in_test_call',
  'unsupported_offer',
  'rate_limited',
  'registration_closed',
  'invalid_invite',
  'username_taken',
  'display_name_taken',
  'weak_password',
  'invalid_credentials',
  'account_disabled',
  'forbidden_origin',
  // Voicemail: the callee's box is full; the audio is not Opus in Ogg or WebM; it runs past the time or size limit.
  'mailbox_full',
  'invalid_audio',
  'too_long',
  'too_large',
  'forbidden_host',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
