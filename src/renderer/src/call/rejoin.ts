/**
 * Back in the call after the window reloaded (or the desktop app's renderer
 * crashed and was reloaded): the call id kept in sessionStorage
 * (call-memory.svelte.ts) is resumed as `fresh`, so the server tells the
 * others to make new peer connections to this device and offer, while this
 * side, polite, makes one toward each. The call, its history row and its
 * duration go on; the others see "Reconnecting…" meanwhile, not an end.
 * What the person had in the call (mute, camera, screen share, chat) comes
 * back with it, or they are told what did not (call-memory.svelte.ts).
 */
import type { CallDeps } from './call-deps.js';
import { forgetCall, restoreCall, type RememberedCall } from './call-memory.svelte.js';
import { MICROPHONE_PROBLEM, RECONNECT_LIMIT_MS } from './call-limits.js';
import type { CallController } from './controller.svelte.js';

/** False when the server could not be asked (try again at the next session:ready). */
export async function rejoin(calls: CallController, deps: CallDeps, call: RememberedCall): Promise<boolean> {
  // Read after each await: another call may have come in meanwhile (its setup aborts this one).
  const signal = calls.beginSetup();
  const overtaken = () => signal.aborted || calls.busy;
  if (overtaken()) return true;
  // The microphone first: from the resume's answer on, the others offer at once, and
  // their offers need this call in place to land (nothing may be awaited after it).
  const stream = await deps.platform.openMicrophone(deps.settings(), (text) => deps.notices.show(text, 'device'));
  if (overtaken()) {
    if (stream) deps.platform.stopStream(stream);
    return true;
  }
  const res = await deps.link.request('call:resume', { callId: call.callId, fresh: true });
  const goOn = res.ok && res.state !== 'ended' && res.state !== 'waiting' && stream !== null && !overtaken();
  if (!goOn && stream) deps.platform.stopStream(stream);
  // Unreachable for now: the next session:ready tries again.
  if (!res.ok && res.code === 'unavailable') return false;
  forgetCall();
  if (!res.ok || res.state === 'ended') {
    deps.notices.announce('The call ended while Parley reloaded.');
    return true;
  }
  if (!goOn) {
    // The server lost the call too (it restarted meanwhile), another call came first, or there is no microphone: end this one cleanly.
    if (!stream && !overtaken()) deps.notices.show(MICROPHONE_PROBLEM, 'device');
    void calls.hangups.send(call.callId);
    return true;
  }
  calls.dismissEnded();
  if (!calls.apply({ type: 'rejoin', callId: call.callId, peer: call.peer, answeredAt: call.answeredAt })) {
    deps.platform.stopStream(stream);
    return true;
  }
  calls.line.ice.granted(call.callId, res);
  calls.line.recording.told(res.recording ?? []);
  calls.active.rejoined(call.outgoing, call.room, call.had.video);
  // Before the sessions are made: they start muted if the person had muted.
  const back = restoreCall(calls, call, deps.link, deps.notices);
  calls.useMicrophone(signal, stream);
  for (const p of res.participants ?? [call.peer]) calls.mesh.add(p, true);
  calls.line.startMeters();
  calls.connection.watch(RECONNECT_LIMIT_MS);
  deps.notices.announce(back);
  return true;
}
