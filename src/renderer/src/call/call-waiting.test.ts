/**
 * Call waiting against the fake signaling link: a second call while in one
 * waits (the call going on is untouched), and is declined, declined busy
 * (the setting), ended by its caller, answered after this call is hung up,
 * or rung as any call once this call ends.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../settings/settings.js';
import { carolCalls, inCallWithBob, settle, user } from '../test-support/call-fakes.js';

const inCall = (busyInCall = false) => inCallWithBob((fakes) => (fakes.deps.settings = () => ({ ...DEFAULT_SETTINGS, busyInCall })));

describe('call waiting', () => {
  it('a second call waits with a soft beep; the call going on is untouched; Decline declines it', async () => {
    const { link, calls, tones, rung } = await inCall();
    link.emit('call:incoming', carolCalls);
    expect(calls.waiting.call).toMatchObject({ callId: 'c2', peer: user('carol'), phase: { kind: 'incoming' } });
    // A call of the registry: found by its id, not the active one.
    expect(calls.get('c2')).toBe(calls.waiting.call);
    expect(calls.active.callId).toBe('c1');
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1' });
    expect(tones.played.at(-1)).toBe('waiting');
    expect(rung).toContainEqual(user('carol'));
    calls.waiting.decline();
    await settle();
    expect(link.last('call:decline')).toEqual({ callId: 'c2' });
    expect(calls.waiting.call).toBeNull();
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1' });
  });

  it('with "Busy when in a call" it is declined busy at once, and never shown', async () => {
    const { link, calls } = await inCall(true);
    link.emit('call:incoming', carolCalls);
    await settle();
    expect(link.last('call:decline')).toEqual({ callId: 'c2', busy: true });
    expect(calls.waiting.call).toBeNull();
  });

  it('one waiting call at a time: a third is declined busy; the caller giving up takes the card away', async () => {
    const { link, calls } = await inCall();
    link.emit('call:incoming', carolCalls);
    link.emit('call:incoming', { ...carolCalls, callId: 'c3', from: user('dave') });
    await settle();
    expect(link.last('call:decline')).toEqual({ callId: 'c3', busy: true });
    link.emit('call:ended', { callId: 'c2', reason: 'cancelled' });
    expect(calls.waiting.call).toBeNull();
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'c1' });
  });

  it('End and answer hangs this call up first, then answers the waiting one', async () => {
    const { link, calls, sessions } = await inCall();
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    link.emit('call:incoming', carolCalls);
    await calls.waiting.endAndAnswer();
    await settle();
    const order = link.events().filter((e) => e === 'call:hangup' || e === 'call:accept');
    expect(order).toEqual(['call:hangup', 'call:accept']);
    expect(link.last('call:hangup')).toEqual({ callId: 'c1' });
    expect(link.last('call:accept')).toEqual({ callId: 'c2' });
    expect(sessions[0]!.closed).toBe(true);
    expect(calls.phase).toMatchObject({ kind: 'connecting', callId: 'c2', peer: user('carol') });
    expect(calls.waiting.call).toBeNull();
  });

  it('the call going on ends (bob hangs up): the waiting call rings as any call', async () => {
    const { link, calls, tones } = await inCall();
    link.emit('call:incoming', carolCalls);
    link.emit('call:ended', { callId: 'c1', reason: 'hangup' });
    await settle();
    expect(calls.phase).toMatchObject({ kind: 'incoming', callId: 'c2', peer: user('carol') });
    expect(tones.played.at(-1)).toBe('ringtone');
    expect(calls.waiting.call).toBeNull();
  });

  it('the waiting call is one Call throughout: the one that waited is the one on screen, ringing, then answered', async () => {
    const { link, calls } = await inCall();
    link.emit('call:incoming', carolCalls);
    const waited = calls.waiting.call;
    link.emit('call:ended', { callId: 'c1', reason: 'hangup' });
    await settle();
    expect(calls.active).toBe(waited);
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, iceServers: [] }));
    await calls.answer();
    expect(calls.active).toBe(waited);
    expect(calls.get('c2')).toBe(waited);
  });
});
