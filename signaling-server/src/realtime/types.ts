/** Socket.IO server and socket types shared by the realtime modules. */
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../protocol/index.js';

export interface SocketData {
  userId: string;
  /** Version of the token this session signed in with. */
  tokenVersion: number;
  /** The sign-in this session's token belongs to: a sign-out of it ends the session. */
  sid: string;
  /** When the session's newest token expires (ms): a fresh one is sent before (token-refresh.ts). */
  tokenExpiresAt: number;
  /** The session's token is from before sign-in ids: replaced at once. */
  legacyToken: boolean;
  username: string;
  displayName: string;
  missedSeenAt: number;
  accountCreatedAt: number;
  /** `username:deviceId`: the device this connection belongs to (see DeviceSession.device). */
  device: string;
  /** The store held another session of this device at the handshake: an older connection to replace. */
  replaces: boolean;
  /** The device takes presence as `presence:changes` batches (handshake `auth.presenceBatch`). */
  presenceBatch: boolean;
  /** The users named by the handshake's `auth.watch`, less duplicates and the user: watched once the session starts. */
  watch: readonly string[];
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no inter-server events yet
export type ParleyServer = Server<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- no inter-server events yet
export type ParleySocket = Socket<ClientToServerEvents, ServerToClientEvents, {}, SocketData>;

/** An empty list of users, shared (kept by every connection that names nobody). */
export const NOBODY: readonly string[] = Object.freeze([]);

export const userRoom = (username: string): string => `user:${username}`;
/** Every connection of one device (normally one) joins its device room; calls are bound to it. */
export const deviceRoom = (device: string): string => `device:${device}`;
