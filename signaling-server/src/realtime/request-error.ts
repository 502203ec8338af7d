import type { ErrorCode } from '../protocol/index.js';

/** A refusal that is answered to the client as `{ ok: false, code, message }`. */
export class RequestError extends Error {
  override name = 'RequestError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** With `rate_limited`: when the client may try again. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
