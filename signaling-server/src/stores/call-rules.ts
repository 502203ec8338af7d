/**
 * How a call changes, as pure functions shared by every CallStore: the
 * memory store applies them to the call it holds, the Redis store applies
 * them to the call it read and writes the result back only if nobody changed
 * the call meanwhile. Who may join a call is decided by the changes in
 * calls/membership.ts; what a change does to the indexes (the call of each
 * user, the calls of each device), and when it is refused because it adds
 * someone who is in another call, is decided here once.
 */
import { callDevices, callMembers, type Call, type CallChange, type CreateResult, type Holding } from './types.js';

/**
 * ringing → active on `device`: the caller and that device's user become the
 * two participants. `holding`: the call that user holds meanwhile (hold and answer).
 */
export function accepted(call: Call, device: string, at: number, holding?: Holding): Call | undefined {
  if (call.state !== 'ringing' || !call.ringing.includes(device)) return undefined;
  return {
    ...call,
    // Answered: the callee becomes a member (refused busy while they are still in another call).
    ...(call.waiting === true && { waiting: false }),
    state: 'active',
    calleeDevice: device,
    answeredAt: at,
    ringing: [],
    participants: [
      { username: call.caller, device: call.callerDevice, joinedAt: call.startedAt },
      { username: call.callee, device, joinedAt: at },
    ],
    ...(holding && { holding: [...(call.holding ?? []), holding] }),
  };
}

/** accepted() as a change for CallStore.update. */
export function accept(device: string, at: number, holding?: Holding): CallChange<'not_ringing'> {
  return (call) => accepted(call, device, at, holding) ?? { refused: 'not_ringing' };
}

export function withoutRinging(call: Call, device: string): Call {
  return { ...call, ringing: call.ringing.filter((d) => d !== device) };
}

export function withAway(call: Call, device: string, away: boolean): Call {
  return { ...call, away: away ? [...new Set([...call.away, device])] : call.away.filter((d) => d !== device) };
}

/**
 * Why a new call cannot be added: one of its id is there (`exists`), its
 * caller or callee is in another call (`inCall`), or a room of its name is
 * open (`roomOpen`). Checked in this order, the caller first, by every store.
 */
export function createConflict(
  call: Call,
  exists: boolean,
  inCall: (username: string) => boolean,
  roomOpen: boolean,
): Exclude<CreateResult, { ok: true }>['conflict'] | undefined {
  if (exists) return 'exists';
  const [caller, ...others] = callMembers(call);
  if (caller !== undefined && inCall(caller)) return 'caller';
  if (others.some(inCall)) return 'callee';
  if (call.room !== null && roomOpen) return 'room';
  return undefined;
}

/** What a change does to the indexes of a call: users and devices it gains and loses. */
export interface IndexChange {
  joined: string[];
  left: string[];
  devicesAdded: string[];
  devicesRemoved: string[];
}

const minus = (a: readonly string[], b: readonly string[]): string[] => [...new Set(a)].filter((x) => !b.includes(x));

export function indexChange(before: Call, after: Call): IndexChange {
  const [membersBefore, membersAfter] = [callMembers(before), callMembers(after)];
  const [devicesBefore, devicesAfter] = [callDevices(before), callDevices(after)];
  return {
    joined: minus(membersAfter, membersBefore),
    left: minus(membersBefore, membersAfter),
    devicesAdded: minus(devicesAfter, devicesBefore),
    devicesRemoved: minus(devicesBefore, devicesAfter),
  };
}
