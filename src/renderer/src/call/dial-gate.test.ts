/**
 * Every click on Call is answered (issue 35): in a call it says why, not
 * connected yet it waits and places the call once the session is ready, or
 * gives up in words.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionReady } from 'parley-server/protocol';
import { ME, settle, setup, user } from '../test-support/call-fakes.js';
import { QUEUE_LIMIT_MS } from './dial-gate.js';

const READY = { protocol: 1, user: ME, sessionId: 's1', status: 'available', iceServers: [], missedCalls: 0, presence: [] } as unknown as SessionReady;

afterEach(() => {
  vi.useRealTimers();
});

describe('a click on Call', () => {
  it('in a call with someone else: says so, sends nothing, and the call goes on', async () => {
    const { link, calls, notices } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    await calls.dial('carol');
    expect(link.sent.filter((s) => s.event === 'call:invite')).toHaveLength(1);
    expect(calls.phase).toMatchObject({ kind: 'outgoing', peer: user('bob') });
    expect(notices.notice).toBe('You are already in a call. Hang up first to call Carol.');
    // The words were about this call: they go with it.
    void calls.cancel();
    expect(notices.notice).toBeNull();
  });

  it('again on the person being called: the call on screen is the answer, no notice', async () => {
    const { link, calls, notices } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    await calls.dial('bob');
    expect(link.sent.filter((s) => s.event === 'call:invite')).toHaveLength(1);
    expect(notices.notice).toBeNull();
  });

  it('before the connection is up: says it waits, and places the call once the session is ready', async () => {
    const { link, calls, notices } = setup();
    link.connected = false;
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    expect(link.sent).toEqual([]);
    expect(calls.phase.kind).toBe('idle');
    expect(notices.notice).toBe('Parley is not connected to the server yet. It calls Bob as soon as it is.');
    link.connected = true;
    link.emit('session:ready', READY);
    await settle();
    expect(link.last('call:invite')).toEqual({ to: 'bob', media: { audio: true, video: false } });
    expect(calls.phase).toMatchObject({ kind: 'outgoing', peer: user('bob') });
  });

  it('waiting: the last click wins, and one placed meanwhile is not placed twice', async () => {
    const { link, calls } = setup();
    link.connected = false;
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    await calls.dial('carol');
    link.connected = true;
    link.emit('session:ready', READY);
    await settle();
    expect(link.sent.map((s) => s.payload)).toEqual([{ to: 'carol', media: { audio: true, video: false } }]);
    link.emit('session:ready', READY);
    await settle();
    expect(link.events()).toEqual(['call:invite']);
  });

  it('gives up in words when the connection does not come in time, and places nothing later', async () => {
    vi.useFakeTimers();
    const { link, calls, notices } = setup();
    link.connected = false;
    await calls.dial('bob');
    vi.advanceTimersByTime(QUEUE_LIMIT_MS);
    expect(notices.notice).toBe('Parley could not reach the server, so Bob was not called. Try again once it is connected.');
    link.connected = true;
    link.emit('session:ready', READY);
    await vi.runAllTimersAsync();
    expect(link.sent).toEqual([]);
    expect(calls.phase.kind).toBe('idle');
  });

  it('is dropped when someone else is signed in by the time the connection is up', async () => {
    const { link, calls, deps } = setup();
    link.connected = false;
    await calls.dial('bob');
    deps.me = () => user('mallory');
    link.connected = true;
    link.emit('session:ready', READY);
    await settle();
    expect(link.sent).toEqual([]);
  });
});
