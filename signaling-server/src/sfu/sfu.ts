/**
 * What the rest of the server knows of the SFU path (PROTOCOL.md, "Meetings
 * on the SFU"): the `sfu:*` handlers, a device leaving, shutting down. With
 * PARLEY_JANUS_URL set that is SfuService (sfu-service.ts), loaded only then:
 * Janus's client library is no part of a mesh-only server's start. Without
 * it, every `sfu:*` request is refused but a leave, which has nothing to do.
 */
import type { ClientPayload, ClientReplies } from '../protocol/index.js';
import type { HandlerContext } from '../realtime/dispatch.js';
import { RequestError } from '../realtime/request-error.js';

export type SfuEvent = 'sfu:publish' | 'sfu:answer' | 'sfu:candidate' | 'sfu:view' | 'sfu:leave';
export type SfuHandlers = {
  [E in SfuEvent]: (payload: ClientPayload<E>, ctx: HandlerContext) => Promise<ClientReplies[E]>;
};

export interface Sfu {
  readonly handlers: SfuHandlers;
  /** The device left the call (`callId`) or lost its connection (any call): off the SFU too. */
  left(device: string, callId?: string): Promise<void>;
  close(): Promise<void>;
}

/** Most publishers in one room (a Janus room per call): the most people a call on the SFU holds. */
export const SFU_CALL_LIMIT = 64;

const refuse = (): Promise<never> => Promise.reject(new RequestError('bad_request', 'This server has no SFU: calls are a mesh (PARLEY_JANUS_URL is not set)'));

/** A server without Janus: nothing to leave, nothing else to do. */
export const NO_SFU: Sfu = {
  handlers: { 'sfu:publish': refuse, 'sfu:answer': refuse, 'sfu:candidate': refuse, 'sfu:view': refuse, 'sfu:leave': () => Promise.resolve({}) },
  left: () => Promise.resolve(),
  close: () => Promise.resolve(),
};
