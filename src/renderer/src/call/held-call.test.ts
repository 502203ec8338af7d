/**
 * Hold and answer against the fake signaling link: the call of two going on
 * is held and set aside with its connection, the waiting call is answered
 * with `hold`, the held call's events reach it while aside, and it is the
 * call again, still on hold, once the answered one is over.
 */
import { describe, expect, it } from 'vitest';
import { carolCalls, inCallWithBob, settle, user } from '../test-support/call-fakes.js';

const inCall = () => inCallWithBob();

describe('hold and answer', () => {
  it('holds the call with bob, keeps its connection aside, and answers carol with hold', async () => {
    const { link, calls, sessions } = await inCall();
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    expect(link.last('call:accept')).toEqual({ callId: 'c2', hold: 'c1' });
    expect(link.events()).not.toContain('call:hangup');
    const bob = sessions[0]!;
    expect(bob.closed).toBe(false);
    expect(bob.onHold).toBe(true);
    expect(calls.aside).toMatchObject({ callId: 'c1', peer: user('bob') });
    expect(calls.phase).toMatchObject({ kind: 'connecting', callId: 'c2', peer: user('carol') });
    // The held call's signals still reach its own connection, not carol's.
    link.emit('call:signal', { callId: 'c1', from: 'bob', candidate: null });
    expect(bob.signals).toContainEqual({ candidate: null });
    link.emit('call:held', { callId: 'c1', username: 'bob', held: true });
    expect(calls.aside?.theirs).toBe(true);
    expect(calls.hold.theirs).toBe(false);
  });

  it('carol hangs up: bob\'s call is back, still on hold; Hold pressed again takes it off', async () => {
    const { link, calls, sessions } = await inCall();
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    link.emit('call:ended', { callId: 'c2', reason: 'hangup' });
    await settle();
    expect(calls.aside).toBeNull();
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1', peer: user('bob') });
    expect(calls.hold.mine).toBe(true);
    expect(sessions[0]!.onHold).toBe(true);
    link.replies.set('call:hold', () => ({ ok: true }));
    await calls.hold.toggle();
    expect(link.last('call:hold')).toEqual({ callId: 'c1', held: false });
    expect(sessions[0]!.onHold).toBe(false);
  });

  it('bob hangs up the held call: its connection closes, the call with carol goes on', async () => {
    const { link, calls, sessions } = await inCall();
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    link.emit('call:ended', { callId: 'c1', reason: 'hangup' });
    expect(sessions[0]!.closed).toBe(true);
    expect(calls.aside).toBeNull();
    expect(calls.phase).toMatchObject({ callId: 'c2' });
  });

  it('the answer is refused: the held call is back as it was, off hold', async () => {
    const { link, calls, sessions } = await inCall();
    link.replies.set('call:accept', () => ({ ok: false, code: 'not_found', message: 'The call is no longer ringing' }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    expect(calls.aside).toBeNull();
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1' });
    expect(calls.hold.mine).toBe(false);
    expect(sessions[0]!.onHold).toBe(false);
  });

  it('a stale hold-and-answer while a call is already aside: dave\'s card stays, nothing is answered', async () => {
    const { link, calls } = await inCall();
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    link.emit('call:incoming', { ...carolCalls, callId: 'c3', from: user('dave') });
    expect(calls.waiting.call).toMatchObject({ callId: 'c3' });
    // The desktop's command, sent before the tray learnt that bob is aside.
    await calls.waiting.holdAndAnswer();
    await settle();
    expect(calls.waiting.call).toMatchObject({ callId: 'c3', peer: user('dave') });
    expect(link.last('call:accept')).toEqual({ callId: 'c2', hold: 'c1' });
    expect(calls.phase).toMatchObject({ callId: 'c2', peer: user('carol') });
    expect(calls.aside).toMatchObject({ callId: 'c1' });
  });

  it('switches to bob (off hold) with carol held aside in his place, and back; a refused switch changes nothing', async () => {
    const { link, calls, sessions, notices } = await inCall();
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.holdAndAnswer();
    await settle();
    const [bob, carol] = sessions;
    carol!.request.onMediaState('connected');
    link.replies.set('call:swap', () => ({ ok: true }));

    await calls.swap();
    expect(link.last('call:swap')).toEqual({ callId: 'c1' });
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1', peer: user('bob') });
    expect(calls.aside).toMatchObject({ callId: 'c2', peer: user('carol') });
    expect(calls.hold.mine).toBe(false);
    expect([bob!.onHold, carol!.onHold, bob!.closed, carol!.closed]).toEqual([false, true, false, false]);
    // Carol's events reach her call aside; bob's the call going on.
    link.emit('call:signal', { callId: 'c2', from: 'carol', candidate: null });
    expect(carol!.signals).toContainEqual({ candidate: null });

    await calls.swap();
    expect(link.last('call:swap')).toEqual({ callId: 'c2' });
    expect(calls.phase).toMatchObject({ callId: 'c2', peer: user('carol') });
    expect(calls.aside).toMatchObject({ callId: 'c1' });
    expect([bob!.onHold, carol!.onHold]).toEqual([true, false]);

    link.replies.set('call:swap', () => ({ ok: false, code: 'not_found', message: 'The held call ended meanwhile' }));
    await calls.swap();
    expect(calls.phase).toMatchObject({ callId: 'c2' });
    expect(calls.aside).toMatchObject({ callId: 'c1' });
    expect(notices.notice).toBe('The held call ended meanwhile');
  });
});
