/**
 * Live state behind small async interfaces. This node's in-memory versions
 * are in memory.ts; shared versions (Redis, for several nodes) implement the
 * same contracts. Methods that decide a race (create, accept, end) must be
 * atomic in every implementation: exactly one caller wins.
 */
import type { Media, SettableStatus, Status } from '../protocol/index.js';

/** One connected device of a user. */
export interface DeviceSession {
  sessionId: string;
  /**
   * The device this connection belongs to (`username:deviceId`), stable across
   * reconnects; calls are bound to it, so a call survives a new connection.
   */
  device: string;
  username: string;
  displayName: string;
  status: SettableStatus;
  connectedAt: number;
}

export interface SessionStore {
  add(session: DeviceSession): Promise<void>;
  remove(sessionId: string): Promise<DeviceSession | undefined>;
  get(sessionId: string): Promise<DeviceSession | undefined>;
  byUser(username: string): Promise<DeviceSession[]>;
  setStatus(sessionId: string, status: SettableStatus): Promise<DeviceSession | undefined>;
  count(): Promise<number>;
}

/** The last status published for each user, so only changes go out. */
export interface PresenceStore {
  /** Records `status` and returns the status it replaces (`offline` if none). */
  publish(username: string, status: Status): Promise<Status>;
  get(username: string): Promise<Status>;
  /** The status of each of `usernames`, in order. */
  statuses(usernames: readonly string[]): Promise<Status[]>;
  /** Every user who is not offline. */
  snapshot(): Promise<{ username: string; status: Status }[]>;
}

export interface Call {
  id: string;
  caller: string;
  callerDevice: string;
  callee: string;
  /** The callee device that answered; null while ringing. */
  calleeDevice: string | null;
  /** Callee devices still ringing. */
  ringing: string[];
  media: Media;
  state: 'ringing' | 'active';
  startedAt: number;
  answeredAt: number | null;
  /** Devices of an active call that lost their connection and may still resume it. */
  away: string[];
}

/** One side's claim to resume an answered call the server no longer knows (after a restart). */
export interface ResumeClaim {
  callId: string;
  role: 'caller' | 'callee';
  device: string;
}

export type CreateResult = { ok: true } | { ok: false; conflict: 'caller' | 'callee' };

export interface CallStore {
  /** Adds a ringing call unless caller or callee is already in a call. */
  create(call: Call): Promise<CreateResult>;
  get(callId: string): Promise<Call | undefined>;
  /** ringing → active on `sessionId`; undefined if the call was not ringing there. */
  accept(callId: string, sessionId: string, at: number): Promise<Call | undefined>;
  /**
   * Removes the call, if `onlyIf` (when given) holds for it at that moment;
   * only the first of racing callers gets it back.
   */
  end(callId: string, onlyIf?: (call: Call) => boolean): Promise<Call | undefined>;
  /** Stops ringing one device; returns the call as it is now. */
  stopRinging(callId: string, device: string): Promise<Call | undefined>;
  /** Marks a device of an active call away or back; returns the call as it is now. */
  setAway(callId: string, device: string, away: boolean): Promise<Call | undefined>;
  /** The call a user takes part in, if any. */
  byUser(username: string): Promise<Call | undefined>;
  /** Calls a device takes part in or rings on. */
  byDevice(device: string): Promise<Call[]>;
  all(): Promise<Call[]>;
  /**
   * Records a resume claim, atomically: when the other side has already
   * claimed the same call, both claims are removed and the other one is
   * returned (the call can be restored); otherwise this claim waits.
   */
  claim(claim: ResumeClaim): Promise<ResumeClaim | undefined>;
  /** Removes and returns the waiting claim on a call, if any. */
  dropClaim(callId: string): Promise<ResumeClaim | undefined>;
  /** Puts back an active call confirmed by both sides, unless either user is in another call. */
  restore(call: Call): Promise<CreateResult>;
}

export interface Stores {
  sessions: SessionStore;
  presence: PresenceStore;
  calls: CallStore;
}

/**
 * A shared store (Redis) is unreachable: the request is answered
 * `unavailable` instead of failing as `internal`, and the node keeps running.
 */
export class StoreUnavailableError extends Error {
  override name = 'StoreUnavailableError';
  constructor(
    readonly store: string,
    options?: { cause?: unknown },
  ) {
    super(`${store} is unreachable`, options);
  }
}
