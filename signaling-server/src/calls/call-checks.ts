/** Which calls a device may act on: each check throws the refusal the client is told. */
import { RequestError } from '../realtime/request-error.js';
import { callDevices, type Call, type DeviceSession } from '../stores/types.js';
import type { CallServiceDeps } from './call-deps.js';

/** The call, if this device is in it; `read`: the call already being read (the dispatcher's early read), else read now. */
export async function participating(deps: CallServiceDeps, session: DeviceSession, callId: string, read?: Promise<Call | undefined>): Promise<Call> {
  return involved(session, await (read ?? deps.stores.calls.get(callId)));
}

/** The call, if this device takes part in it or it rings there (checked on a call just read). */
export function involved(session: DeviceSession, call: Call | undefined): Call {
  if (!call) throw new RequestError('not_found', 'No such call');
  if (!callDevices(call).includes(session.device)) throw new RequestError('not_in_call', 'You are not in this call');
  return call;
}

export function ringingOn(session: DeviceSession, found: Call | undefined): Call {
  const call = involved(session, found);
  if (call.state !== 'ringing' || !call.ringing.includes(session.device)) {
    throw new RequestError('not_in_call', 'This call is not ringing on this device');
  }
  return call;
}

/** An answered call this device is a participant of; `read` as for participating. */
export async function participant(deps: CallServiceDeps, session: DeviceSession, callId: string, read?: Promise<Call | undefined>): Promise<Call> {
  const call = await participating(deps, session, callId, read);
  if (call.state !== 'active' || !call.participants.some((p) => p.device === session.device)) {
    throw new RequestError('not_in_call', 'The call is not connected on this device');
  }
  return call;
}
