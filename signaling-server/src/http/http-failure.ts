import type { ErrorCode } from '../protocol/index.js';

/** A refusal any route throws; app.ts answers it as `{ code, message }` with `status`. */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
