/**
 * The registry of calls by id, and the server's events routed to the call
 * they name through it (call-events.ts), against the fake signaling link.
 */
import { describe, expect, it } from 'vitest';
import { carolCalls, inCallWithBob, settle, setup, user } from '../test-support/call-fakes.js';

/** Alice with bob on hold (c1) and carol answered (c2), as hold and answer leaves her. */
async function bobHeldForCarol() {
  const t = await inCallWithBob();
  t.link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
  t.link.emit('call:incoming', carolCalls);
  await t.calls.waiting.holdAndAnswer();
  await settle();
  return t;
}

describe('the call registry', () => {
  it('finds a call going on by its id: the active one, or the one on hold; nothing for an unknown or ended call', async () => {
    const { calls, link } = await bobHeldForCarol();
    const [held] = calls.registry.held;
    expect(calls.get('c2')).toBe(calls.active);
    expect(calls.get('c1')).toBe(held);
    expect(held).toMatchObject({ callId: 'c1', peer: user('bob') });
    expect(calls.get('c9')).toBeUndefined();
    link.emit('call:ended', { callId: 'c1', reason: 'hangup' });
    expect(calls.get('c1')).toBeUndefined();
    expect(calls.registry.held).toEqual([]);
  });

  it('the active call is the one on screen: a new idle one while the held call waits, the held one again once the other ends', async () => {
    const { calls, link } = await inCallWithBob();
    const bob = calls.active;
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    expect(calls.active).not.toBe(bob);
    expect(calls.active.callId).toBe('c2');
    expect(bob.phase.kind).toBe('active'); // on hold, not ended
    link.emit('call:ended', { callId: 'c2', reason: 'hangup' });
    await settle();
    expect(calls.active).toBe(bob);
    expect(calls.get('c2')).toBeUndefined();
  });

  it('an ended active call is no one to route to: its id finds nothing', async () => {
    const { calls } = await inCallWithBob();
    expect(calls.get('c1')).toBe(calls.active);
    void calls.hangup();
    expect(calls.phase.kind).toBe('ended');
    expect(calls.get('c1')).toBeUndefined();
  });

  it('routes each server event by its call id: to the held call or the active one, never the other', async () => {
    const { calls, link, sessions } = await bobHeldForCarol();
    const [bob, carol] = sessions;
    carol!.request.onMediaState('connected');
    link.emit('call:muted', { callId: 'c1', username: 'bob', muted: true });
    link.emit('call:muted', { callId: 'c2', username: 'carol', muted: true });
    expect(calls.aside?.line.mesh.peer('bob')?.muted).toBe(true);
    expect(calls.mesh.peer('carol')?.muted).toBe(true);
    link.emit('call:signal', { callId: 'c2', from: 'carol', candidate: null });
    expect([bob!.signals.length, carol!.signals.length]).toEqual([0, 1]);
    link.emit('call:held', { callId: 'c2', username: 'carol', held: true });
    expect([calls.hold.theirs, calls.aside?.theirs]).toEqual([true, false]);
    link.emit('call:peer-connection', { callId: 'c1', username: 'bob', connected: false });
    expect([calls.aside?.line.mesh.peer('bob')?.away, calls.mesh.peer('carol')?.away]).toEqual([true, false]);
    link.emit('call:signal', { callId: 'c7', from: 'dave', candidate: null }); // no call of that id: dropped
    expect([bob!.signals.length, carol!.signals.length]).toEqual([0, 1]);
  });

  it("a held call's media state is not the active call's: bob's connection failing while held does not end carol's call", async () => {
    const { calls, sessions } = await bobHeldForCarol();
    sessions[0]!.request.onMediaState('failed');
    await settle();
    expect(calls.phase).toMatchObject({ callId: 'c2' });
    expect(calls.aside?.callId).toBe('c1');
  });

  it('without a call the registry holds only the idle active call', () => {
    const { calls } = setup();
    expect([calls.active.phase.kind, calls.registry.held.length]).toEqual(['idle', 0]);
  });
});
