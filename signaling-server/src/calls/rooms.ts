/**
 * Named rooms (`room:join`): whoever comes first opens the room, the others
 * join it, each newcomer polite toward everyone already there. Join codes
 * are checked in room-codes.ts; a kept room's own code and owner are in
 * persistent-rooms.ts and room-owner.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Media, UserRef } from '../protocol/index.js';
import { RequestError } from '../realtime/request-error.js';
import type { Call, DeviceSession, Participant } from '../stores/types.js';
import type { AfterReply, CallServiceDeps } from './call-deps.js';
import * as membership from './membership.js';
import { emitTo, participantRefs, refresh, tellOthers } from './notify.js';
import { codeMatcher, hashCode } from './room-codes.js';

/**
 * Opens the named room, or joins it. Whoever opens it sets its join code
 * (a kept room has its own: persistent-rooms.ts); the others must give the
 * same. The newcomer is polite toward everyone
 * already there (the answer lists them); each of them gets `room:joined`.
 */
export async function joinRoom(
  deps: CallServiceDeps,
  session: DeviceSession,
  name: string,
  given: string | undefined,
  media: Media,
  afterReply: AfterReply,
): Promise<{ callId: string; room: string; participants: UserRef[] }> {
  const { stores, history, callLimit, roomCodes } = deps;
  const [current, kept] = await Promise.all([stores.calls.byUser(session.username), deps.rooms.find(name)]);
  if (current) throw new RequestError('in_call', 'You are already in a call');
  // Each turn either opens or joins; one that lost a race with another opening or closing tries again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const now = Date.now();
    const me: Participant = { username: session.username, device: session.device, joinedAt: now };
    const open = await stores.calls.byRoom(name);
    // A kept room's code is its own; an unkept room's is the one its opener set.
    const code = kept ? (kept.hasCode ? kept.matches : null) : open?.code ? codeMatcher(open.code) : null;
    if (code) await roomCodes.check(session.username, name, code, given);
    if (!open) {
      await deps.limits.openRoom(session.username);
      const callId = randomUUID();
      const roomCode = kept || given === undefined ? null : hashCode(given);
      const created = await stores.calls.create({
        id: callId,
        caller: session.username,
        callerDevice: session.device,
        callee: '',
        calleeDevice: null,
        ringing: [],
        media,
        state: 'active',
        startedAt: now,
        answeredAt: now,
        away: [],
        room: name,
        code: roomCode,
        participants: [me],
        invitations: [],
      });
      if (!created.ok && created.conflict === 'caller') throw new RequestError('in_call', 'You are already in a call');
      if (!created.ok) continue;
      await history.started({ callId, caller: session.username, callee: '', media, startedAt: now, room: name, roomCode });
      await history.answered(callId, now);
      await history.joined(callId, [me]);
      await refresh(deps, [session.username]);
      void deps.listing.announce(name);
      // Debug: anyone may open rooms all day, and the log must not grow with them (the limit above bounds it).
      deps.log.debug({ callId, room: name, username: session.username, code: kept ? kept.hasCode : given !== undefined }, 'room opened');
      return { callId, room: name, participants: [] };
    }
    const res = await stores.calls.update(open.id, membership.join(me, callLimit, deps.sfuFrom), open);
    if (res.ok) {
      await joined(deps, res.call, session, now, afterReply);
      const others = res.call.participants.filter((p) => p.username !== session.username);
      return { callId: open.id, room: name, participants: await participantRefs(deps, others) };
    }
    if (res.refused === 'room_full') {
      throw new RequestError('room_full', `Room "${name}" is full: ${callLimit} people are in it, the most one call can hold`);
    }
    if (res.refused === 'busy' || res.refused === 'already_in') throw new RequestError('in_call', 'You are already in a call');
    // not_found, not_in_call: the room closed meanwhile; open it anew.
  }
  throw new RequestError('not_found', `Room "${name}" changed while you were joining: try again`);
}

/**
 * Someone is in: history lists everyone in the group, the others offer to the
 * newcomer. They hear of it after the newcomer's answer is sent: an offer
 * relayed to the newcomer then comes after the answer that tells it the call,
 * never before (its app would not know whose offer it is).
 */
export async function joined(deps: CallServiceDeps, call: Call, session: DeviceSession, at: number, afterReply: AfterReply): Promise<void> {
  await deps.history.joined(
    call.id,
    call.participants.map((p) => ({ username: p.username, joinedAt: p.device === session.device ? at : p.joinedAt })),
  );
  // On the SFU for good, and history keeps it so: a call restored after a restart comes back there.
  if (call.sfu === true) await deps.history.onSfu(call.id);
  const user = { username: session.username, displayName: session.displayName };
  // On the SFU (just now, or for a while): everyone hears it before the news of the newcomer (so nobody makes a
  // mesh connection to them), the newcomer before its answer (it keeps the news for the call that answer names).
  if (call.sfu === true) for (const p of call.participants) emitTo(deps, p.device, 'room:mode', { callId: call.id, mode: 'sfu' });
  afterReply(() => tellOthers(deps, call, session.device, 'room:joined', { callId: call.id, user, polite: false }));
  await refresh(deps, [session.username]);
  if (call.room !== null) void deps.listing.announce(call.room);
  deps.log.info({ callId: call.id, username: session.username, participants: call.participants.length }, 'joined a group call');
}
