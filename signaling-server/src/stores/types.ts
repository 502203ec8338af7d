/**
 * Live state behind small async interfaces. This node's in-memory versions
 * are in memory.ts; shared versions (Redis, for several nodes) implement the
 * same contracts, with the rules of stores/call-rules.ts. Methods that
 * decide a race (create, update, accept, end) must be atomic in every
 * implementation: exactly one caller wins.
 */
import type { Media, SettableStatus, Status, TransferFailure } from '../protocol/index.js';

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
  /** The client takes part in transfers and merges (handshake `auth.transfer`). */
  transfer?: true;
}

export interface SessionStore {
  /**
   * Adds the session and returns the user's sessions as they are right after
   * (this one included), in one step: one round trip with Redis. Of devices
   * reserving at once, the last to reserve sees every earlier one.
   */
  reserve(session: DeviceSession): Promise<DeviceSession[]>;
  remove(sessionId: string): Promise<DeviceSession | undefined>;
  get(sessionId: string): Promise<DeviceSession | undefined>;
  byUser(username: string): Promise<DeviceSession[]>;
  setStatus(sessionId: string, status: SettableStatus): Promise<DeviceSession | undefined>;
  /** The account was renamed: what this session's later presence changes and calls carry. */
  setDisplayName(sessionId: string, displayName: string): Promise<void>;
  count(): Promise<number>;
}

/** A user's status as it changed, as watchers get it (`presence:changed`). */
export interface PresenceChange {
  username: string;
  displayName: string;
  status: Status;
}

/**
 * The last status published for each user, and the changes, in the order
 * they were recorded. A status is computed from several stores (sessions,
 * calls), so two refreshes of one user on two nodes can read in one order and
 * publish in the other: each refresh takes a stamp before it reads, and a
 * stamp older than the one recorded is refused. Changes reach the listeners
 * of every node in the order the store recorded them, so watchers end on the
 * recorded status.
 */
export interface PresenceStore {
  /** A stamp for a refresh about to read a user's state: higher than every stamp handed out before. */
  stamp(): Promise<number>;
  /**
   * Records `change.status` unless a refresh with a later stamp was recorded
   * already; a change of status goes to every listener. Returns the status
   * recorded now (this one, or the later one).
   */
  publish(change: PresenceChange, stamp: number): Promise<Status>;
  /** Calls `listener` with every change recorded from now on, by any node, in order. */
  subscribe(listener: (change: PresenceChange) => void): Promise<void>;
  get(username: string): Promise<Status>;
  /** The status of each of `usernames`, in order. */
  statuses(usernames: readonly string[]): Promise<Status[]>;
  /** Every user who is not offline. */
  snapshot(): Promise<{ username: string; status: Status }[]>;
}

/** One device taking part in an answered call. */
export interface Participant {
  username: string;
  device: string;
  joinedAt: number;
}

/** Someone added to an answered call (Add person) whose devices ring. */
export interface Invitation {
  username: string;
  /** Their devices still ringing. */
  devices: string[];
  /** Who added them. */
  by: string;
  at: number;
}

/**
 * A call is a room of devices. While it rings it is between two users (the
 * caller's device and the callee's ringing devices); once answered, its
 * `participants` say who is in it, and more can join (Add person, or a named
 * room), each pair with its own peer connection.
 */
export interface Call {
  id: string;
  /** Who placed the call, or opened the room. */
  caller: string;
  callerDevice: string;
  /** Who was called; '' for a named room. */
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
  /** A named room's name; null for a call placed with call:invite. */
  room: string | null;
  /** An unkept named room's join code as stored (`salt$sha256`, calls/room-codes.ts), null if it has none. */
  code: string | null;
  /** Everyone in the answered call, in the order they joined; empty while it rings. */
  participants: Participant[];
  /** People added to the answered call whose devices ring. */
  invitations: Invitation[];
  /**
   * Call waiting: placed while the callee was in an answered call. Until it
   * is answered the callee is not one of its members (they are in that other
   * call); answering it needs them out of the other call first.
   */
  waiting?: boolean;
  /** Devices recording the call now (call:recording); calls from before recording leave it out. */
  recording?: string[];
  /** Its media goes through the SFU (it reached PARLEY_SFU_FROM people), for the rest of the call; left out on a mesh. */
  sfu?: true;
  /**
   * Hold and answer: participants of this call of two who hold it while in
   * another call they answered (calls/parking.ts). Still participants, but
   * not its members: their one call is the other one until it is over.
   */
  parked?: string[];
  /** Hold and answer: the call each participant who answered this one holds meanwhile, theirs again when this one is over for them. */
  holding?: Holding[];
  /** A blind transfer under way (calls/transfer.ts): `to` is rung in, and takes `by`'s place once they answer. */
  transfer?: Transfer;
}

/** A blind transfer of a call of two: `by` (on `byDevice`) hands the call's other side to `to`. */
export interface Transfer {
  by: string;
  byDevice: string;
  to: string;
  onFailure: TransferFailure;
}

/** A call held aside and who holds it (hold and answer, calls/parking.ts). */
export interface Holding {
  username: string;
  callId: string;
}

/**
 * The users a call holds, each of whom can be in no other call: both sides
 * while it rings, then its participants and invitees, less those who hold it
 * while in another call (`parked`).
 */
export function callMembers(call: Call): string[] {
  if (call.state === 'ringing') return call.waiting === true ? [call.caller] : [call.caller, call.callee];
  const members = new Set([...call.participants.map((p) => p.username), ...call.invitations.map((i) => i.username)]);
  for (const u of call.parked ?? []) members.delete(u);
  return [...members];
}

/** The devices a call involves: the calling and the ringing ones, then its participants' and the invitees' ringing devices. */
export function callDevices(call: Call): string[] {
  if (call.state === 'ringing') return [call.callerDevice, ...call.ringing];
  return [...call.participants.map((p) => p.device), ...call.invitations.flatMap((i) => i.devices)];
}

/** A change to a call, or why it may not be made. */
export type CallChange<R extends string> = (call: Call) => Call | { refused: R };

export type UpdateResult<R extends string> =
  | { ok: true; call: Call }
  /** `busy`: the change adds a user who is in another call. */
  | { ok: false; refused: R | 'not_found' | 'busy' };

/** One participant's claim to resume an answered call the server no longer knows (after a restart). */
export interface ResumeClaim {
  callId: string;
  username: string;
  device: string;
}

/** `exists`: a call of that id is there already (a restore someone else made first). */
export type CreateResult = { ok: true } | { ok: false; conflict: 'caller' | 'callee' | 'room' | 'exists' };

/** A broadcast to other nodes, as the Socket.IO adapter would publish it (cluster/shared-state.ts). */
export interface Publication {
  channel: string;
  message: Buffer;
}

/** `io.to(room).emit(event, payload)` as the Publication that reaches the other nodes. */
export type EncodeBroadcast = (room: string, event: string, payload: unknown) => Publication;

export interface CallStore {
  /**
   * Adds a call unless one of that id exists, a member is already in a call, or (a named room) a room of that name is open.
   * `publish`: sent to other nodes in the same step, only if the call is made (a store shared by nodes; ringing.ts).
   */
  create(call: Call, publish?: Publication[]): Promise<CreateResult>;
  get(callId: string): Promise<Call | undefined>;
  /** The open room of that name. */
  byRoom(name: string): Promise<Call | undefined>;
  /**
   * Changes a call atomically: `change` gets the call as it is and returns
   * the new call (or a refusal, and nothing changes). Refused `busy` when a
   * user the change adds (see callMembers) is in another call.
   *
   * `seen`: the call as the caller's request just read it. A shared store
   * may start from it instead of reading the call again; the change is
   * still written only if the call is unchanged, else decided again on the
   * call as it is. A refusal may rest on it (as on a read a moment earlier).
   */
  update<R extends string>(callId: string, change: CallChange<R>, seen?: Call): Promise<UpdateResult<R>>;
  /**
   * ringing → active on `device`, whose user and the caller become the two
   * participants; undefined if the call was not ringing there. `seen`: as for
   * update. `holding`: the call that user holds meanwhile (hold and answer).
   */
  accept(callId: string, device: string, at: number, seen?: Call, holding?: Holding): Promise<Call | undefined>;
  /**
   * Removes the call, if `onlyIf` (when given) holds for it at that moment;
   * only the first of racing callers gets it back. `seen`: as for update.
   */
  end(callId: string, onlyIf?: (call: Call) => boolean, seen?: Call): Promise<Call | undefined>;
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
   * Records a resume claim, atomically: when another user's claim on the
   * same call waits, it is removed and returned (the call can be restored
   * from the two); otherwise this claim waits, in place of any earlier one
   * of the same user. At most one claim waits per call.
   */
  claim(claim: ResumeClaim): Promise<ResumeClaim | undefined>;
  /** Removes and returns the waiting claim on a call, if any. */
  dropClaim(callId: string): Promise<ResumeClaim | undefined>;
  /** Puts back an active call confirmed by its claims, unless it is there already or a member is in another call. */
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
