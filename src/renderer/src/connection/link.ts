/**
 * What the parts of the app need of the signaling connection: requests that
 * always resolve to an acknowledgement, and handlers for server events that
 * outlive reconnects. Connection implements it over Socket.IO; tests pass a
 * fake.
 */
import type { Ack, ClientEvent, ClientPayload, ClientReplies } from 'parley-server/protocol';
import type { ServerEvent, ServerPayload } from './signaling.js';

export interface SignalingLink {
  readonly connected: boolean;
  request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>>;
  /** Runs `handler` for each valid `event`, on this connection and every later one; returns an unsubscribe. */
  on<E extends ServerEvent>(event: E, handler: (payload: ServerPayload<E>) => void): () => void;
}

export type Accepted<E extends ClientEvent> = Ack<ClientReplies[E]> & { ok: true };
