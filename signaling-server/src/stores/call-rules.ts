/**
 * How a call changes, as pure functions shared by every CallStore: the
 * memory store applies them in place of the old value, the Redis store
 * applies them and writes the result back only if nobody changed the call
 * meanwhile. A new Call field or transition goes here once.
 */
import type { Call } from './types.js';

/** ringing → active on `device`; undefined if the call was not ringing there. */
export function accepted(call: Call, device: string, at: number): Call | undefined {
  if (call.state !== 'ringing' || !call.ringing.includes(device)) return undefined;
  return { ...call, state: 'active', calleeDevice: device, answeredAt: at, ringing: [] };
}

export function withoutRinging(call: Call, device: string): Call {
  return { ...call, ringing: call.ringing.filter((d) => d !== device) };
}

export function withAway(call: Call, device: string, away: boolean): Call {
  return { ...call, away: away ? [...new Set([...call.away, device])] : call.away.filter((d) => d !== device) };
}

/** The device takes part in the call or it rings there. */
export function involves(call: Call, device: string): boolean {
  return call.callerDevice === device || call.calleeDevice === device || call.ringing.includes(device);
}

/** Every device a call may ever reach: its caller and whoever it rang or reached. */
export function devicesOf(call: Call): string[] {
  return [...new Set([call.callerDevice, ...(call.calleeDevice ? [call.calleeDevice] : []), ...call.ringing])];
}
