import { describe, expect, it } from 'vitest';
import { settle, setup, user } from '../test-support/call-fakes.js';

const bobCalls = { callId: 'c9', from: user('bob'), media: { audio: true, video: false }, polite: true as const };

describe('a setup in flight is cancelled by its AbortSignal', () => {
  it('a new setup aborts the one before it, and only that one', () => {
    const { calls } = setup();
    const first = calls.beginSetup();
    const second = calls.beginSetup();
    expect([first.aborted, second.aborted]).toEqual([true, false]);
  });

  it('a room join overtaken by an incoming call gives its microphone back and leaves the room it was let into', async () => {
    const t = setup();
    let letIn: ((reply: unknown) => void) | null = null;
    t.link.replies.set('room:join', () => new Promise((resolve) => (letIn = resolve)));
    const joined = t.groups.joinRoom('standup');
    await settle();
    t.link.emit('call:incoming', bobCalls); // its setup aborts the join's
    letIn!({ ok: true, callId: 'r1', room: 'standup', participants: [] });
    expect(await joined).toBe(false);
    expect(t.stopped).toContain(t.microphone);
    expect(t.link.last('call:hangup')).toEqual({ callId: 'r1' });
    expect(t.calls.phase).toMatchObject({ kind: 'incoming', callId: 'c9' });
  });

  it('a dial overtaken by an incoming call before its invite is answered hangs the invite up at the callee', async () => {
    const t = setup();
    let answer: ((reply: unknown) => void) | null = null;
    t.link.replies.set('call:invite', () => new Promise((resolve) => (answer = resolve)));
    const dialed = t.calls.dial('carol');
    t.link.emit('call:incoming', bobCalls);
    answer!({ ok: true, callId: 'c1' });
    await dialed;
    expect(t.link.last('call:hangup')).toEqual({ callId: 'c1' });
    expect(t.calls.phase).toMatchObject({ kind: 'incoming', callId: 'c9' });
  });
});
