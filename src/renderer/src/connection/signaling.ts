/**
 * The connection to the signaling server: a typed Socket.IO client whose
 * requests always resolve to an acknowledgement, also when the server does
 * not answer in time. Requests are never queued while disconnected: a
 * candidate or an offer replayed after a reconnect would be stale, so the
 * caller hears `unavailable` at once and its session layer decides what to
 * send again (see ParleyApp's resume).
 */
import { io, type Socket } from 'socket.io-client';
import type {
  Ack,
  ClientEvent,
  ClientPayload,
  ClientReplies,
  ClientToServerEvents,
  ServerToClientEvents,
  SettableStatus,
} from 'parley-server/protocol';
import { describeIssues, replySchemas, serverSchemas } from 'parley-server/protocol';
import { logger } from '../lib/log.js';
import * as textPackets from './text-packets.js';

export type ServerEvent = keyof ServerToClientEvents;
export type ServerPayload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

const REQUEST_TIMEOUT_MS = 8000;

/** What each handshake presents besides the token, read at the moment it is made. */
export interface HandshakeSource {
  status: () => SettableStatus;
  /** This window's device id, kept across reconnects. */
  device: () => string;
  /** The contacts on screen (at most 500): their statuses come in session:ready. */
  watch: () => string[];
}
const log = logger('signaling');

export class Signaling {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  /** The token each handshake presents: replaced when the server refreshes it (`session:token`). */
  token: string;

  constructor(serverUrl: string, token: string, handshake: HandshakeSource) {
    this.token = token;
    this.socket = io(serverUrl, {
      // A function, so a reconnect presents the newest token, the status chosen since and the list shown now.
      // presenceBatch: a team signing in at once reaches this app in a few messages, not one per colleague.
      auth: (cb) => {
        const watch = handshake.watch();
        cb({ token: this.token, status: handshake.status(), device: handshake.device(), presenceBatch: true, transfer: true, ...(watch.length > 0 && { watch }) });
      },
      // WebSocket first: connected in one round trip instead of a long-polling
      // handshake, a poll and an upgrade. Where a proxy refuses WebSockets,
      // long-polling is tried next.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      // Connection keeps the retry schedule (it shows when the next attempt comes).
      reconnection: false,
      // Socket.IO's packets without binary attachments: the build leaves the default parser out (text-packets.ts).
      parser: textPackets,
    });
    // Belt and braces: whatever Socket.IO buffered while offline is dropped, not replayed.
    this.socket.on('disconnect', () => {
      this.socket.sendBuffer = [];
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  /** Tries to reconnect now rather than at the next backoff step (network back, computer awake). */
  reconnectNow(): void {
    if (this.socket.connected) return;
    this.socket.disconnect();
    this.socket.connect();
  }

  async request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>> {
    if (!this.socket.connected) return { ok: false, code: 'unavailable', message: 'Not connected to the server' };
    try {
      // Socket.IO's typed emit cannot take a generic event name; the shapes come from ClientReplies.
      const socket = this.socket.timeout(REQUEST_TIMEOUT_MS) as unknown as {
        emitWithAck(e: E, p: ClientPayload<E>): Promise<Ack<ClientReplies[E]>>;
      };
      return checkReply(event, await socket.emitWithAck(event, payload));
    } catch {
      return { ok: false, code: 'unavailable', message: 'The server did not answer in time' };
    }
  }

  /** Runs `handler` for each `event` whose payload matches its schema; a malformed one is logged and dropped. */
  on<E extends ServerEvent>(event: E, handler: (payload: ServerPayload<E>) => void): () => void {
    const listener = ((payload: unknown) => {
      const valid = checkPayload(event, payload);
      if (valid !== undefined) handler(valid);
    }) as never;
    this.socket.on(event, listener);
    return () => this.socket.off(event, listener);
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}

/**
 * The payload as its schema reads it (unknown keys dropped), or undefined when
 * it does not match: then the warning names the event and the problems, never
 * the payload (it may be huge, or carry SDP and TURN credentials).
 */
function checkPayload<E extends ServerEvent>(event: E, payload: unknown): ServerPayload<E> | undefined {
  const result = serverSchemas[event].safeParse(payload);
  if (result.success) return result.data;
  log.warn(`ignored a malformed ${event} from the server: ${describeIssues(result.error)}`);
  return undefined;
}

/** The acknowledgement as its schema reads it; one that does not match counts as an `internal` refusal. */
function checkReply<E extends ClientEvent>(event: E, reply: unknown): Ack<ClientReplies[E]> {
  const result = replySchemas[event].safeParse(reply);
  if (result.success) return result.data;
  log.warn(`the server's reply to ${event} is malformed: ${describeIssues(result.error)}`);
  return { ok: false, code: 'internal', message: 'The server sent a reply this version of Parley cannot read' };
}
