/**
 * Calls outlive a lost connection: a device that goes away is awaited for
 * the grace period and picks its answered call up again from its next
 * connection; after a server restart the participants claim the call and it
 * is restored from their claims and its history (restore.ts).
 */
import type { CallResumeReply } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import type { Call, DeviceSession } from '../stores/types.js';
import type { CallServiceDeps } from './call-deps.js';
import * as membership from './membership.js';
import { newcomerOf, tellOthers, tellSfuBack } from './notify.js';
import { reclaimed, resumeLost } from './restore.js';
import { end, invitationGone } from './teardown.js';

/**
 * A device's connection went away. Unless the device is connected again
 * already: its answered calls wait `graceMs` for it, its outgoing ringing
 * call is cancelled, and it stops ringing for incoming ones.
 */
export async function disconnected(deps: CallServiceDeps, session: DeviceSession): Promise<void> {
  const { stores } = deps;
  if ((await stores.sessions.byUser(session.username)).some((s) => s.device === session.device)) return;
  for (const call of await stores.calls.byDevice(session.device)) {
    if (call.state === 'active' && call.participants.some((p) => p.device === session.device)) await awaitDevice(deps, call, session.device);
    else if (call.state === 'active') await stopRingingInvitation(deps, call, session.username, session.device);
    else if (call.callerDevice === session.device) await end(deps, call.id, 'cancelled', session.device, undefined, call);
    else {
      const now = await stores.calls.stopRinging(call.id, session.device);
      if (now && now.state === 'ringing' && now.ringing.length === 0) await end(deps, call.id, 'offline', session.device, undefined, now);
    }
  }
}

async function awaitDevice(deps: CallServiceDeps, call: Call, device: string): Promise<void> {
  await deps.stores.calls.setAway(call.id, device, true);
  const username = call.participants.find((p) => p.device === device)?.username;
  tellOthers(deps, call, device, 'call:peer-connection', { callId: call.id, connected: false, ...(username !== undefined && { username }) });
  await deps.timers.set({ kind: 'away', callId: call.id, device }, deps.graceMs);
  deps.log.info({ callId: call.id, device, graceMs: deps.graceMs }, 'call waiting for a device to reconnect');
}

/** An invited device went away while it rang; the invitation ends `offline` when it was the last. */
async function stopRingingInvitation(deps: CallServiceDeps, before: Call, username: string, device: string): Promise<void> {
  const res = await deps.stores.calls.update(before.id, membership.stopRingingInvitation(username, device), before);
  if (res.ok && !res.call.invitations.some((i) => i.username === username)) {
    await deps.timers.clear({ kind: 'invite', callId: before.id, username });
    await invitationGone(deps, before, res.call, username, 'offline');
  }
}

/**
 * A device announces the call it still has after its connection came back.
 * A call the server knows is picked up again; one the stores lost (a
 * restart) is rebuilt from its participants' claims (restore.ts). `since`:
 * when the stores last lost their calls.
 */
export async function resume(deps: CallServiceDeps, session: DeviceSession, callId: string, since: number, fresh = false): Promise<CallResumeReply> {
  const { stores } = deps;
  const call = await stores.calls.get(callId);
  if (!call) return resumeLost(deps, session, callId, since, fresh);
  const index = call.participants.findIndex((p) => p.device === session.device);
  const back = call.state === 'active' && index < 0 ? await reclaimed(deps, call, session, since, fresh) : undefined;
  if (back) return back;
  if (call.state !== 'active' || index < 0) throw new RequestError('not_in_call', 'This device is not in that call');
  await stores.calls.setAway(callId, session.device, false);
  await deps.timers.clear({ kind: 'away', callId, device: session.device });
  tellOthers(deps, call, session.device, 'call:peer-connection', { callId, connected: true, username: session.username, ...(fresh && { fresh }) });
  tellSfuBack(deps, call, session.device);
  deps.log.info({ callId, username: session.username, fresh }, 'call resumed');
  // Roles do not change: the later of each pair to join is polite (in a 1:1 call, the callee).
  if (!fresh) return { state: 'active', polite: index > 0 };
  return { state: 'active', polite: true, participants: await newcomerOf(deps, call, session.device) };
}
