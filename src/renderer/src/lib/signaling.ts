/**
 * The connection to the signaling server: a typed Socket.IO client whose
 * requests always resolve to an acknowledgement, also when the server does
 * not answer in time.
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

export type ServerEvent = keyof ServerToClientEvents;
export type ServerPayload<E extends ServerEvent> = Parameters<ServerToClientEvents[E]>[0];

const REQUEST_TIMEOUT_MS = 8000;

export class Signaling {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;

  constructor(serverUrl: string, token: string, status: () => SettableStatus) {
    this.socket = io(serverUrl, {
      // A function, so a reconnect presents the status chosen since.
      auth: (cb) => cb({ token, status: status() }),
      reconnectionDelay: 1000,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
    });
  }

  async request<E extends ClientEvent>(event: E, payload: ClientPayload<E>): Promise<Ack<ClientReplies[E]>> {
    try {
      // Socket.IO's typed emit cannot take a generic event name; the shapes come from ClientReplies.
      const socket = this.socket.timeout(REQUEST_TIMEOUT_MS) as unknown as {
        emitWithAck(e: E, p: ClientPayload<E>): Promise<Ack<ClientReplies[E]>>;
      };
      return await socket.emitWithAck(event, payload);
    } catch {
      return { ok: false, code: 'unavailable', message: 'The server did not answer in time' };
    }
  }

  on<E extends ServerEvent>(event: E, handler: (payload: ServerPayload<E>) => void): () => void {
    const listener = handler as never;
    this.socket.on(event, listener);
    return () => this.socket.off(event, listener);
  }

  close(): void {
    this.socket.removeAllListeners();
    this.socket.disconnect();
  }
}
