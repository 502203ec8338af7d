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
export function toSfu(call: Call, sfuFrom: number | null): Call {
  return sfuFrom !== null && call.sfu !== true && call.participants.length >= sfuFrom ? { ...call, sfu: true } : call;
}

/** Rings `invitation.username` into an answered call that `by` takes part in. */
export function invite(invitation: Invitation, byDevice: string, limit: number): CallChange<'room_full' | 'not_in_call' | 'already_in' | 'held' | 'transferring'> {
  return (call) => {
    if (call.state !== 'active' || !call.participants.some((p) => p.device === byDevice)) return { refused: 'not_in_call' };
    // A transfer rings one person in, and only that person: it completes or fails first.
    if (call.transfer) return { refused: 'transferring' };
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
    if (devices.length === 0) return withoutInvitation(call, username);
    return { ...call, invitations: call.invitations.map((i) => (i === invitation ? { ...i, devices } : i)) };
  };
}

/** An invitation ends unanswered (declined, no answer, …). */
export function dropInvitation(username: string): CallChange<'not_ringing'> {
  return (call) => {
    if (!call.invitations.some((i) => i.username === username)) return { refused: 'not_ringing' };
    return withoutInvitation(call, username);
  };
}

/** The call without `username`'s invitation, nor the transfer to them it was (failed: the call is as before it). */
function withoutInvitation(call: Call, username: string): Call {
  const next: Call = { ...call, invitations: call.invitations.filter((i) => i.username !== username) };
  if (next.transfer?.to === username) delete next.transfer;
  return next;
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
    return without(call, device);
  };
}

function without(call: Call, device: string): Call {
  return {
    ...call,
    participants: call.participants.filter((p) => p.device !== device),
    away: call.away.filter((d) => d !== device),
    // A recording stops when its recorder leaves: the others drop it on room:left.
    ...(call.recording && { recording: call.recording.filter((d) => d !== device) }),
  };
}

/** The target of a blind transfer answers: they come in and the transferor leaves, in one change (never both at once in it, nor neither). */
export function transferAnswered(me: Participant): CallChange<'not_ringing'> {
  return (call) => {
    const transfer = call.transfer;
    const accepted = acceptInvitation(me, null)(call);
    if ('refused' in accepted || transfer?.to !== me.username) return accepted;
    const next = without(accepted, transfer.byDevice);
    delete next.transfer;
    return next;
  };
}

/**
 * Merge and attended transfer: `me` comes into this call, held aside by
 * `holder` (on `holderDevice`) for the call `me` comes from. The holder has
 * it back, off hold, or (`leaves`) leaves it. Counted against the limit and
 * moved to the SFU as any join.
 */
export function moveIn(
  me: Participant,
  holder: string,
  holderDevice: string,
  leaves: boolean,
  limit: number,
  sfuFrom: number | null,
): CallChange<'not_in_call' | 'not_parked' | 'already_in' | 'room_full' | 'transferring'> {
  return (call) => {
    if (call.state !== 'active' || !call.participants.some((p) => p.device === holderDevice)) return { refused: 'not_in_call' };
    if (!call.parked?.includes(holder)) return { refused: 'not_parked' };
    if (call.transfer) return { refused: 'transferring' };
    if (call.participants.some((p) => p.username === me.username) || call.invitations.some((i) => i.username === me.username)) return { refused: 'already_in' };
    if (call.participants.length + call.invitations.length + (leaves ? 0 : 1) > limit) return { refused: 'room_full' };
    const parked = call.parked.filter((u) => u !== holder);
    const next: Call = { ...call, parked, participants: [...call.participants, me] };
    if (parked.length === 0) delete next.parked;
    return toSfu(leaves ? without(next, holderDevice) : next, sfuFrom);
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
