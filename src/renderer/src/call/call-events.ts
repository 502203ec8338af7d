/**
 * The server's call and room events, handed to the call they name: one way,
 * `calls.get(callId)`, finds it, active or on hold (call-registry.svelte.ts).
 * Events of a call being set up (ringing, accepted) name the active call's
 * phase, which checks the id itself (call-state.ts).
 */
import type { SignalingLink } from '../connection/link.js';
import type { Notices } from '../lib/notices.svelte.js';
import type { Signal } from './call-session.js';
import type { CallResume } from './call-resume.js';
import type { CallController } from './controller.svelte.js';
import { endReasonText } from './end-reasons.js';

export function listenForCalls(link: SignalingLink, calls: CallController, resume: CallResume, notices: Notices): void {
  link.on('call:incoming', ({ callId, from, polite, media, participants, room, early, transferredBy }) => {
    // In an answered call, another call waits for this side's choice (call-waiting.svelte.ts).
    if (calls.talking && calls.get(callId) !== calls.active) {
      calls.waiting.incoming({ callId, from, polite, video: media.video, participants: participants ?? [], room: room ?? null, transferredBy: transferredBy ?? null });
    } else {
      calls.incoming(callId, from, polite, media.video, participants ?? [], room ?? null, early === true, transferredBy ?? null);
    }
  });
  link.on('call:ringing', ({ callId }) => calls.ringing(callId));
  link.on('call:accepted', ({ callId, polite }) => calls.accepted(callId, polite));
  link.on('call:ended', ({ callId, reason, cause, transferred, moved }) => {
    // Not over for this side: it goes on in another call (transfer.svelte.ts), or this side's transfer connected the others.
    if (moved && calls.transfer.moved(callId, moved)) return;
    if (transferred && calls.transfer.transferred(callId)) return;
    calls.waiting.endedByServer(callId);
    calls.endAside(callId, reason);
    calls.endedByServer(callId, reason, cause);
  });
  link.on('call:signal', ({ callId, from, description, candidate }) => {
    const signal: Signal = { ...(description && { description }), ...(candidate !== undefined && { candidate }) };
    // A call on hold keeps its connection: its renegotiations and candidates go on.
    calls.get(callId)?.line.mesh.signal(from, signal);
  });
  link.on('call:muted', ({ callId, username, muted }) => {
    calls.get(callId)?.line.mesh.setMutedBy(username, muted);
  });
  link.on('call:held', ({ callId, held }) => {
    const call = calls.get(callId);
    if (call === calls.active) calls.hold.peer(held);
    else call?.heldBy(held);
  });
  link.on('call:recording', ({ callId, username, on }) => {
    if (calls.get(callId) === calls.active) calls.line.recording.heard(username, on);
  });
  link.on('call:peer-connection', ({ callId, connected, username, fresh }) => {
    const call = calls.get(callId);
    if (call !== calls.active) {
      call?.peerConnectionAside(connected, fresh === true);
      return;
    }
    const phase = calls.phase;
    if (phase.kind === 'idle') return;
    const who = username ?? phase.peer.username;
    const away = `${calls.mesh.peer(who)?.user.displayName ?? phase.peer.displayName} lost the connection to the server. Waiting for them…`;
    if (connected) {
      notices.withdraw(away); // they are back: the waiting is over
      // Back without its peer connection (its window reloaded): a new one to it, which this side offers.
      if (fresh) calls.renewPeer(who);
      resume.resumed(who);
      // After a restart the call is live again once the peer claims it: the server learns again that this side records.
      calls.line.recording.resumed();
    } else {
      calls.mesh.setAway(who, true);
      notices.announce(away, 'call');
    }
  });
  link.on('room:joined', ({ callId, user, polite }) => {
    if (calls.get(callId) !== calls.active) return;
    calls.mesh.add(user, polite);
    notices.announce(`${user.displayName} joined the call`);
    calls.transfer.heardJoined(callId, user);
  });
  link.on('room:left', ({ callId, username, reason, cause, transfer }) => {
    if (calls.get(callId) !== calls.active) return;
    const name = calls.mesh.peer(username)?.user.displayName ?? username;
    calls.mesh.remove(username);
    calls.line.recording.left(username);
    // A transfer's target who did not answer, or its transferor leaving: the transfer says what it means.
    if (transfer) return calls.transfer.heardLeft(callId, username, reason);
    const peer = { username, displayName: name };
    if (cause === 'signaling-lost') notices.announce(`${name} lost the connection to the server and left the call`);
    else if (cause === 'connection-lost') notices.announce(`${name} lost the connection and left the call`);
    else notices.announce(reason === 'hangup' || reason === 'failed' ? `${name} left the call` : endReasonText({ reason, local: false, peer }, true));
  });
  link.on('room:ringing', ({ callId, user, by, transfer }) => {
    // A transfer rings its target for the call, not into it: no tile, but words (transfer.svelte.ts).
    if (transfer) calls.transfer.heardRinging(callId, user, by);
    else if (calls.get(callId) === calls.active) calls.mesh.ringing(user);
  });
}
