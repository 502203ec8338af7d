/**
 * Who is in a call, as pure changes for CallStore.update: each takes the call
 * as the store has it now and returns the new call or why not. The mesh limit
 * counts participants and people still ringing alike, so a call never
 * admits more than it can carry.
 */
import type { Call, CallChange, Invitation, Participant } from '../stores/types.js';

/**
 * After a restart, a participant whose device has not claimed the call yet
 * stands in it under this device, which no connection can have (a device id
 * has no "?"), marked away, so the call waits for them as for any device
 * that lost its connection (restore.ts).
 */
export const unclaimedDevice = (username: string): string => `${username}:?`;

/** A restored call's participant not back yet: their device is to be claimed (see reclaim). */
export function reclaim(username: string, device: string): CallChange<'not_in_call'> {
  return (call) => {
    const stand = unclaimedDevice(username);
    if (call.state !== 'active' || !call.participants.some((p) => p.device === stand)) return { refused: 'not_in_call' };
    return { ...call, participants: call.participants.map((p) => (p.device === stand ? { ...p, device } : p)), away: call.away.filter((d) => d !== stand) };
  };
}

/**
 * Someone joins an answered call (a named room). Refused `already_in` when
 * that user is in it or rung into it already, from another device (two of
 * one user's devices joining at once: one gets in).
 */
export function join(me: Participant, limit: number, sfuFrom: number | null): CallChange<'room_full' | 'not_in_call' | 'already_in'> {
  return (call) => {
    if (call.state !== 'active') return { refused: 'not_in_call' };
    const name = me.username;
    if (call.participants.some((p) => p.username === name) || call.invitations.some((i) => i.username === name)) return { refused: 'already_in' };
    if (call.participants.length + call.invitations.length >= limit) return { refused: 'room_full' };
    return toSfu({ ...call, participants: [...call.participants, me] }, sfuFrom);
  };
}

/**
 * A call that now has `sfuFrom` participants moves its media to the SFU, for
 * the rest of the call (so people leaving never move it back and forth). Set
 * in the same atomic change as the join, so every node reads the same mode.
 */
function toSfu(call: Call, sfuFrom: number | null): Call {
  return sfuFrom !== null && call.sfu !== true && call.participants.length >= sfuFrom ? { ...call, sfu: true } : call;
}

/** Rings `invitation.username` into an answered call that `by` takes part in. */
export function invite(invitation: Invitation, byDevice: string, limit: number): CallChange<'room_full' | 'not_in_call' | 'already_in' | 'held'> {
  return (call) => {
    if (call.state !== 'active' || !call.participants.some((p) => p.device === byDevice)) return { refused: 'not_in_call' };
    // Held while one of its two is in another call (parking.ts): it stays a call of two until they are back.
    if ((call.parked ?? []).length > 0) return { refused: 'held' };
    const name = invitation.username;
    if (call.participants.some((p) => p.username === name) || call.invitations.some((i) => i.username === name)) {
      return { refused: 'already_in' };
    }
    if (call.participants.length + call.invitations.length >= limit) return { refused: 'room_full' };
    return { ...call, invitations: [...call.invitations, invitation] };
  };
}

/** An invited device answers: its user's invitation becomes a participant. */
export function acceptInvitation(me: Participant, sfuFrom: number | null): CallChange<'not_ringing'> {
  return (call) => {
    const invitation = call.invitations.find((i) => i.username === me.username);
    if (call.state !== 'active' || !invitation?.devices.includes(me.device)) return { refused: 'not_ringing' };
    return toSfu({ ...call, invitations: call.invitations.filter((i) => i !== invitation), participants: [...call.participants, me] }, sfuFrom);
  };
}

/** One invited device stops ringing (it disconnected); the invitation goes when none is left. */
export function stopRingingInvitation(username: string, device: string): CallChange<'not_ringing'> {
  return (call) => {
    const invitation = call.invitations.find((i) => i.username === username);
    if (!invitation?.devices.includes(device)) return { refused: 'not_ringing' };
    const devices = invitation.devices.filter((d) => d !== device);
    return {
      ...call,
      invitations: devices.length > 0 ? call.invitations.map((i) => (i === invitation ? { ...i, devices } : i)) : call.invitations.filter((i) => i !== invitation),
    };
  };
}

/** An invitation ends unanswered (declined, no answer, …). */
export function dropInvitation(username: string): CallChange<'not_ringing'> {
  return (call) => {
    if (!call.invitations.some((i) => i.username === username)) return { refused: 'not_ringing' };
    return { ...call, invitations: call.invitations.filter((i) => i.username !== username) };
  };
}

/**
 * A participant's device leaves. Refused `last` when its leaving ends the
 * whole call instead: a call placed with call:invite needs two people (so a
 * 1:1 hang-up ends it as it always did), a named room lasts until the last
 * one is out.
 */
export function leave(device: string): CallChange<'not_in_call' | 'last'> {
  return (call) => {
    if (call.state !== 'active' || !call.participants.some((p) => p.device === device)) return { refused: 'not_in_call' };
    if (call.participants.length <= (call.room === null ? 2 : 1)) return { refused: 'last' };
    return {
      ...call,
      participants: call.participants.filter((p) => p.device !== device),
      away: call.away.filter((d) => d !== device),
      // A recording stops when its recorder leaves: the others drop it on room:left.
      ...(call.recording && { recording: call.recording.filter((d) => d !== device) }),
    };
  };
}

/** A participant's device starts or stops recording the call. */
export function record(device: string, on: boolean): CallChange<'not_in_call'> {
  return (call) => {
    if (call.state !== 'active' || !call.participants.some((p) => p.device === device)) return { refused: 'not_in_call' };
    const others = (call.recording ?? []).filter((d) => d !== device);
    return { ...call, recording: on ? [...others, device] : others };
  };
}

/** The users recording the call now, as a device coming in is told. */
export function recorders(call: Call): string[] {
  const devices = call.recording ?? [];
  return call.participants.filter((p) => devices.includes(p.device)).map((p) => p.username);
}
