/**
 * Connecting while it rings (ahead.ts), the controller's side: which way each
 * end makes its session while the call rings, and when its media starts.
 * The browser suite (tests/e2e/early-path.e2e.test.ts) runs it with real media.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../settings/settings.js';
import { settle, setup, user } from '../test-support/call-fakes.js';

const iceServers = [{ urls: 'turn:turn.example:3478', username: 'u', credential: 'c' }];

describe('connecting while it rings', () => {
  it('the caller connects early when the server offers it, and starts its media when the call is answered', async () => {
    const { link, calls, sessions } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1', early: true }));
    await calls.dial('bob');
    expect(sessions[0]!.request).toMatchObject({ polite: false, ahead: 'early' });
    expect(sessions[0]!.released).toBe(false);
    link.emit('call:accepted', { callId: 'c1', polite: false });
    expect(sessions[0]!.released).toBe(true);
  });

  it('the callee asks for the call’s ICE servers, connects early, tells the server first and starts its media before its ack', async () => {
    const { link, calls, sessions } = setup();
    link.replies.set('call:ice', () => ({ ok: true, iceServers }));
    let releasedAtRequest: boolean | undefined;
    let releasedAtAccept: boolean | undefined;
    link.replies.set('call:accept', () => {
      releasedAtRequest = sessions[0]?.released;
      // The ack comes back a turn later, as the server's would.
      return Promise.resolve().then(() => {
        releasedAtAccept = sessions[0]?.released;
        return { ok: true, polite: true };
      });
    });
    link.emit('call:incoming', { callId: 'c2', from: user('bob'), polite: true, media: { audio: true, video: false }, early: true });
    await settle();
    expect(link.last('call:ice')).toEqual({ callId: 'c2' });
    expect(sessions[0]!.request).toMatchObject({ polite: true, ahead: 'early', iceServers });
    await calls.answer();
    expect(releasedAtRequest).toBe(false);
    expect(releasedAtAccept).toBe(true);
    expect(calls.phase.kind).toBe('connecting');
  });

  it('a callee who does not connect before answering holds its session, and asks for nothing', async () => {
    const { link, calls, sessions, deps } = setup();
    Object.assign(deps, { settings: () => ({ ...DEFAULT_SETTINGS, connectWhileRinging: false }) });
    link.emit('call:incoming', { callId: 'c2', from: user('bob'), polite: true, media: { audio: true, video: false }, early: true });
    await settle();
    expect(link.events()).not.toContain('call:ice');
    expect(sessions[0]!.request).toMatchObject({ ahead: 'held' });
    let releasedAtAccept: boolean | undefined;
    link.replies.set('call:accept', () => {
      releasedAtAccept = sessions[0]?.released;
      return { ok: true, polite: true };
    });
    await calls.answer();
    // Held: it sends its answer only once the server has the call answered.
    expect(releasedAtAccept).toBe(false);
    expect(sessions[0]!.released).toBe(true);
  });

  it('holds when the server offers no early path, or refuses the ICE servers; a call declined meanwhile makes no session', async () => {
    const { link, calls, sessions } = setup();
    link.emit('call:incoming', { callId: 'c2', from: user('bob'), polite: true, media: { audio: true, video: false } });
    await settle();
    expect(link.events()).not.toContain('call:ice');
    expect(sessions[0]!.request).toMatchObject({ ahead: 'held' });
    calls.decline();
    await settle();

    link.replies.set('call:ice', () => ({ ok: false, code: 'not_in_call', message: 'You are not in this call' }));
    link.emit('call:incoming', { callId: 'c3', from: user('bob'), polite: true, media: { audio: true, video: false }, early: true });
    await settle();
    expect(sessions[1]!.request).toMatchObject({ ahead: 'held' });
    calls.decline();
    await settle();

    let answerIce: () => void = () => undefined;
    link.replies.set('call:ice', () => new Promise((resolve) => (answerIce = () => resolve({ ok: true, iceServers }))));
    link.emit('call:incoming', { callId: 'c4', from: user('bob'), polite: true, media: { audio: true, video: false }, early: true });
    await settle();
    calls.decline();
    answerIce();
    await settle();
    expect(sessions).toHaveLength(2);
  });
});
