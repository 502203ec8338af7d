/** What the call modules share: the stores, services and settings CallService is built with. */
import type { UserRepository } from '../accounts/users.js';
import type { HistoryRepository } from '../history/history-repository.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { AccountLimits } from '../realtime/account-limits.js';
import type { PresenceService } from '../realtime/presence-service.js';
import type { ParleyServer } from '../realtime/types.js';
import type { EncodeBroadcast, Stores } from '../stores/types.js';
import type { CallTimers } from './call-timers.js';
import type { PersistentRooms } from './persistent-rooms.js';
import type { RoomCodes } from './room-codes.js';
import type { RoomListing } from './room-listing.js';

export interface CallServiceDeps {
  io: ParleyServer;
  stores: Stores;
  users: UserRepository;
  history: HistoryRepository;
  presence: PresenceService;
  metrics: Metrics;
  ringTimeoutMs: number;
  /** How long an answered call waits for a device that lost its connection. */
  graceMs: number;
  /** Most people in one call, those still ringing included (PARLEY_MESH_LIMIT, or the SFU's limit with an SFU). */
  callLimit: number;
  /** With an SFU: the number of participants at which a call moves to it (membership.ts); null: calls are a mesh. */
  sfuFrom: number | null;
  /** Ring and grace deadlines: this node's, or shared by every node (Redis). */
  timers: CallTimers;
  /** With several nodes: an event for a device as the message that reaches its node, for a store to publish (ringing.ts). */
  encodeBroadcast?: EncodeBroadcast;
  /** Join codes of rooms, with their guess limits. */
  roomCodes: RoomCodes;
  /** Rooms an admin keeps, with their owner and code. */
  rooms: PersistentRooms;
  /** Tells every signed-in device of a room that changed (room-listing.ts). */
  listing: Pick<RoomListing, 'announce'>;
  /** Unanswered calls per account and per pair. */
  limits: AccountLimits;
  log: Logger;
}

/** Runs `fn` once the requester's acknowledgement is sent (dispatch.ts): for events that must reach others after it. */
export type AfterReply = (fn: () => void) => void;
