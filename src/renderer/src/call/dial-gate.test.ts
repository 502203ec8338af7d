/**
 * Every click on Call is answered (issue 35): in a call it says why; not
 * connected yet, the call is on screen at once and goes out once the session
 * is ready, or gives up in words.
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

  it('before the connection is up: the call is on screen at once, and goes out once the session is ready', async () => {
    const { link, calls, notices } = setup();
    link.connected = false;
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    const placing = calls.dial('bob');
    await settle();
    expect(link.sent).toEqual([]);
    expect(calls.phase).toMatchObject({ kind: 'outgoing', callId: null, peer: user('bob') });
    expect(notices.notice).toBeNull();
    link.connected = true;
    link.emit('session:ready', READY);
    await placing;
    expect(link.last('call:invite')).toEqual({ to: 'bob', media: { audio: true, video: false } });
    expect(calls.phase).toMatchObject({ kind: 'outgoing', callId: 'c1', peer: user('bob') });
  });

  it('waiting: a click on someone else says to hang up first, and the session coming twice places the call once', async () => {
    const { link, calls, notices } = setup();
    link.connected = false;
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    const placing = calls.dial('bob');
    await calls.dial('carol');
    expect(notices.notice).toBe('You are already in a call. Hang up first to call Carol.');
    link.connected = true;
    link.emit('session:ready', READY);
    link.emit('session:ready', READY);
    await placing;
    await settle();
    expect(link.sent.map((s) => s.payload)).toEqual([{ to: 'bob', media: { audio: true, video: false } }]);
  });

  it('cancelled while waiting: nothing is sent once the connection is up, and the next call goes out alone', async () => {
    const { link, calls } = setup();
    link.connected = false;
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    const first = calls.dial('bob');
    await settle();
    await calls.cancel();
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'cancelled', local: true });
    const second = calls.dial('carol');
    link.connected = true;
    link.emit('session:ready', READY);
    await Promise.all([first, second]);
    expect(link.sent.map((s) => s.payload)).toEqual([{ to: 'carol', media: { audio: true, video: false } }]);
  });

  it('gives up in words when the connection does not come in time, and places nothing later', async () => {
    vi.useFakeTimers();
    const { link, calls, notices } = setup();
    link.connected = false;
    const placing = calls.dial('bob');
    await vi.advanceTimersByTimeAsync(QUEUE_LIMIT_MS);
    await placing;
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'failed', local: true });
    expect(notices.notice).toBe('Parley could not reach the server, so Bob was not called. Try again once it is connected.');
    link.connected = true;
    link.emit('session:ready', READY);
    await vi.runAllTimersAsync();
    expect(link.sent).toEqual([]);
  });

  it('is dropped on sign-out while it waits: nothing is sent when a connection comes', async () => {
    const { link, calls } = setup();
    link.connected = false;
    const placing = calls.dial('bob');
    await settle();
    calls.dispose();
    link.connected = true;
    link.emit('session:ready', READY);
    await placing;
    await settle();
    expect(link.sent).toEqual([]);
  });
});
