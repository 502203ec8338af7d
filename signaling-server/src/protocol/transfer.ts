/**
 * Transfer and merge in the protocol (PROTOCOL.md, "Transfer and merge"):
 * `call:transfer` (blind, or attended with the consult's id) and
 * `call:merge`, what a blind transfer does when nobody answers, and where a
 * moved device's call went. Imported by index.ts (client schemas, types).
 */
import { z } from 'zod/mini';
import { callIdSchema, usernameSchema, type UserRef } from './primitives.js';

/** What a blind transfer nobody answers does: the call is back with its transferor, or ends. */
export const TRANSFER_FAILURES = ['return', 'end'] as const;
export type TransferFailure = (typeof TRANSFER_FAILURES)[number];

export const transferClientSchemas = {
  /**
   * Transfer: blind to `to`, who is rung and takes this device's place once they answer; or attended, with
   * `consult`, the call placed holding this one: its other side takes this device's place at once.
   * `onFailure`: a blind transfer not answered returns the call to this user (default) or ends it.
   */
  'call:transfer': z
    .strictObject({ callId: callIdSchema, to: z.optional(usernameSchema), consult: z.optional(callIdSchema), onFailure: z.optional(z.enum(TRANSFER_FAILURES)) })
    .check(z.refine((m) => (m.to === undefined) !== (m.consult === undefined), { message: 'call:transfer needs exactly one of to and consult' })),
  /** Merge: the other side of `with` (the call placed or answered holding `callId`) joins `callId`, and `with` ends. */
  'call:merge': z.strictObject({ callId: callIdSchema, with: callIdSchema }),
} as const;

export interface TransferReplies {
  'call:transfer': object;
  'call:merge': object;
}

/** Where a call moved a device to (call:ended `moved`): it is polite toward each of `participants`, who offer. */
export interface CallMoved {
  callId: string;
  participants: UserRef[];
}
