/**
 * How long what the app says lasts: a notice goes with its cause (the call it
 * was about, the connection that came back, the peer that left), and so does
 * an announcement, which also leaves the live region once read.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { settle, setup, user } from '../test-support/call-fakes.js';
import { videoRefused } from '../call/media/call-media.svelte.js';
import { ANNOUNCEMENT_MS, Notices } from './notices.svelte.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('notice lifetimes', () => {
  it('a notice goes when its own cause is resolved, not another', () => {
    const notices = new Notices();
    notices.show('Connection lost', 'connection');
    notices.resolved('call');
    expect(notices.notice).toBe('Connection lost');
    notices.resolved('connection');
    expect(notices.notice).toBeNull();
  });

  it('a withdrawn notice goes only while it is still the one shown', () => {
    const notices = new Notices();
    notices.show(videoRefused('Carol Diaz'), 'call');
    notices.show('The chosen speaker cannot be used', 'device');
    notices.withdraw(videoRefused('Carol Diaz'));
    expect(notices.notice).toBe('The chosen speaker cannot be used');
    notices.show(videoRefused('Carol Diaz'), 'call');
    notices.withdraw(videoRefused('Carol Diaz'));
    expect(notices.notice).toBeNull();
  });

  it("a call's notice goes when the call ends and does not reach the next call; the end's own reason stays", async () => {
    const { link, calls, notices, sessions } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('carol');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    sessions[0]!.request.onMediaState('connected');
    notices.show(videoRefused('Carol'), 'call');
    link.emit('call:ended', { callId: 'c1', reason: 'hangup' });
    expect(calls.phase.kind).toBe('ended');
    expect(notices.notice).toBeNull();

    calls.dismissEnded();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c2' }));
    await calls.dial('dave');
    notices.show(videoRefused('Dave'), 'call');
    calls.end('failed', false, 'This call was taken over by another window.');
    expect(notices.notice).toBe('This call was taken over by another window.');
  });

  it('the notice a call ended with goes when the next call rings', async () => {
    const { link, calls, notices } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('carol');
    calls.end('failed', false, 'This call was taken over by another window.');
    expect(notices.notice).toBe('This call was taken over by another window.');
    link.emit('call:incoming', { callId: 'c9', from: { username: 'dave', displayName: 'Dave' }, media: { audio: true, video: false }, polite: true });
    expect(calls.phase.kind).toBe('incoming');
    expect(notices.notice).toBeNull();
  });

  it('the ended card closed early takes its words out of the live region', async () => {
    const { link, calls, notices } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('carol');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    link.emit('call:ended', { callId: 'c1', reason: 'hangup' });
    expect(notices.announcement).toBe(calls.endedText());
    calls.dismissEnded();
    expect(notices.announcement).toBe('');
  });

  it('an announcement is read, then leaves the live region', () => {
    vi.useFakeTimers();
    const notices = new Notices();
    notices.announce('Bob hung up');
    expect(notices.announcement).toBe('Bob hung up');
    vi.advanceTimersByTime(ANNOUNCEMENT_MS - 1);
    notices.announce('Connection to the server lost.');
    vi.advanceTimersByTime(ANNOUNCEMENT_MS - 1);
    expect(notices.announcement).toBe('Connection to the server lost.');
    vi.advanceTimersByTime(1);
    expect(notices.announcement).toBe('');
  });

  it('an announcement with a cause goes when that cause is resolved, not another, and not once newer words replaced it', () => {
    const notices = new Notices();
    notices.announce('Connection to the server lost.', 'connection');
    notices.resolved('call');
    expect(notices.announcement).toBe('Connection to the server lost.');
    notices.resolved('connection');
    expect(notices.announcement).toBe('');
    notices.announce('Connection to the server lost.', 'connection');
    notices.announce('Microphone muted');
    notices.resolved('connection');
    expect(notices.announcement).toBe('Microphone muted');
  });

  it('a withdrawn announcement goes only while it is still what the region says, said twice or once', () => {
    const notices = new Notices();
    notices.announce('Bob lost the connection to the server. Waiting for them…');
    notices.announce('Bob lost the connection to the server. Waiting for them…');
    notices.withdraw('Bob lost the connection to the server. Waiting for them…');
    expect(notices.announcement).toBe('');
    notices.announce('Carol joined the call');
    notices.withdraw('Bob lost the connection to the server. Waiting for them…');
    expect(notices.announcement).toBe('Carol joined the call');
  });

  it("in a call, this side's lost connection is said until the session is back, not 8 s after it", async () => {
    const { link, calls, notices, sessions, resume } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    sessions[0]!.request.onMediaState('connected');
    resume.signalingLost();
    expect(notices.announcement).toBe('Connection to the server lost. The call goes on while Parley reconnects.');
    // Back within two seconds: the app resolves 'connection' on session:ready (app.svelte.ts).
    notices.resolved('connection');
    expect(notices.announcement).toBe('');
  });

  it("a peer's lost connection is said until they are back in the call", async () => {
    const { link, groups, notices } = setup();
    link.replies.set('room:join', () => ({ ok: true, callId: 'r1', room: 'standup', participants: [user('bob'), user('carol')] }));
    await groups.joinRoom('standup');
    await settle();
    link.emit('call:peer-connection', { callId: 'r1', connected: false, username: 'bob' });
    expect(notices.announcement).toBe('Bob lost the connection to the server. Waiting for them…');
    link.emit('call:peer-connection', { callId: 'r1', connected: true, username: 'carol' });
    expect(notices.announcement).toBe('Bob lost the connection to the server. Waiting for them…');
    link.emit('call:peer-connection', { callId: 'r1', connected: true, username: 'bob' });
    expect(notices.announcement).toBe('');
  });
});
