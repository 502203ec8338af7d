/**
 * Hold in a call of two, against the fake signaling link and fake sessions:
 * what is sent, what each session is told, who holds, and that the call's
 * phase and timer are untouched by it.
 */
import { describe, expect, it } from 'vitest';
import { inCallWithBob, settle, setup, user } from '../test-support/call-fakes.js';

const activeCall = () => inCallWithBob();

describe('hold', () => {
  it('this side holds and resumes: the peer is told, the session sends nothing meanwhile, the timer goes on', async () => {
    const { link, calls, sessions, notices } = await activeCall();
    const answeredAt = calls.phase.kind === 'active' ? calls.phase.answeredAt : -1;
    expect(calls.hold.possible).toBe(true);
    await calls.hold.toggle();
    expect(link.last('call:hold')).toEqual({ callId: 'c1', held: true });
    expect(calls.hold).toMatchObject({ mine: true, theirs: false, onHold: true });
    expect(sessions[0]!.onHold).toBe(true);
    expect(notices.announcement).toBe('Bob is on hold');
    // Still the same answered call: hold is part of it.
    expect(calls.phase).toMatchObject({ kind: 'active', answeredAt });

    await calls.hold.toggle();
    expect(link.last('call:hold')).toEqual({ callId: 'c1', held: false });
    expect(calls.hold.onHold).toBe(false);
    expect(sessions[0]!.onHold).toBe(false);
    expect(notices.announcement).toBe('Call with Bob resumed');
  });

  it('the peer holds: this side sends nothing either until they resume; held by both, it resumes only when both have', async () => {
    const { link, calls, sessions } = await activeCall();
    link.emit('call:held', { callId: 'c1', username: 'bob', held: true });
    expect(calls.hold).toMatchObject({ mine: false, theirs: true, onHold: true });
    expect(sessions[0]!.onHold).toBe(true);
    await calls.hold.toggle();
    link.emit('call:held', { callId: 'c1', username: 'bob', held: false });
    expect(calls.hold).toMatchObject({ mine: true, theirs: false, onHold: true });
    expect(sessions[0]!.onHold).toBe(true);
    await calls.hold.toggle();
    expect(sessions[0]!.onHold).toBe(false);
    // Another call's notice changes nothing.
    link.emit('call:held', { callId: 'other', username: 'carol', held: true });
    expect(calls.hold.onHold).toBe(false);
  });

  it('a connection made again while on hold (the peer reloaded) is held from the start', async () => {
    const { link, calls, sessions } = await activeCall();
    await calls.hold.toggle();
    link.emit('call:peer-connection', { callId: 'c1', connected: true, username: 'bob', fresh: true });
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.onHold).toBe(true);
    // Back at the server, each side says its hold again (the server keeps none).
    expect(link.last('call:hold')).toEqual({ callId: 'c1', held: true });
  });

  it('not while the call connects, nor in a group call; a refusal puts it back as it was', async () => {
    const fakes = setup();
    fakes.link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await fakes.calls.dial('bob');
    fakes.link.emit('call:accepted', { callId: 'c1', polite: false });
    expect(fakes.calls.phase.kind).toBe('connecting');
    expect(fakes.calls.hold.possible).toBe(false);
    await fakes.calls.hold.toggle();
    expect(fakes.link.events()).not.toContain('call:hold');

    const { link, calls, sessions, notices } = await activeCall();
    link.replies.set('call:hold', () => ({ ok: false, code: 'bad_request', message: 'Only a call between two people can be put on hold' }));
    await calls.hold.toggle();
    await settle();
    expect(calls.hold.onHold).toBe(false);
    expect(sessions[0]!.onHold).toBe(false);
    expect(notices.notice).toBe('Only a call between two people can be put on hold');

    link.emit('room:joined', { callId: 'c1', user: user('carol'), polite: false });
    expect(calls.group).toBe(true);
    expect(calls.hold.possible).toBe(false);
  });

  it('the end of the call forgets the hold', async () => {
    const { link, calls } = await activeCall();
    link.emit('call:held', { callId: 'c1', username: 'bob', held: true });
    await calls.hold.toggle();
    link.emit('call:ended', { callId: 'c1', reason: 'hangup' });
    expect(calls.hold).toMatchObject({ mine: false, theirs: false, onHold: false });
  });
});
