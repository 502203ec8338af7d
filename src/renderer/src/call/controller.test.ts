/**
 * The call controller against a fake signaling connection and a fake media
 * platform: every request it sends and every server event it handles, without
 * WebRTC. (The browser suite runs the same paths with real media.)
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SessionReady } from 'parley-server/protocol';
import { ME, settle, setup, user } from '../test-support/call-fakes.js';
import type { Signal } from './call-session.js';
import { LEVEL_TICK_MS } from './speaking.js';
import { CALL_START_MS } from '../lib/when-idle.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('call controller: a call this side places', () => {
  it('dials, rings, connects when answered and hangs up', async () => {
    const { link, calls, sessions, stopped, microphone, tones } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    expect(link.last('call:invite')).toEqual({ to: 'bob', media: { audio: true, video: false } });
    expect(calls.phase).toMatchObject({ kind: 'outgoing', callId: 'c1', peer: user('bob') });
    // The offer is made while it rings, held until the answer.
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.request).toMatchObject({ polite: false, ahead: 'held' });

    link.emit('call:ringing', { callId: 'c1' });
    expect(calls.phase).toMatchObject({ kind: 'outgoing', ringing: true });
    expect(tones.played).toContain('ringback');

    link.emit('call:accepted', { callId: 'c1', polite: false });
    expect(calls.phase.kind).toBe('connecting');
    expect(sessions[0]!.released).toBe(true);
    sessions[0]!.request.onMediaState('connected');
    expect(calls.phase.kind).toBe('active');
    expect(calls.title).toBe('Bob');

    void calls.hangup();
    await settle();
    expect(link.last('call:hangup')).toEqual({ callId: 'c1' });
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'hangup', local: true });
    expect(sessions[0]!.closed).toBe(true);
    expect(stopped).toContain(microphone);
  });

  it("reconnects to a peer whose window reloaded: a new connection it offers, the call reconnecting until it is up", async () => {
    const { link, calls, sessions } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    sessions[0]!.request.onMediaState('connected');
    expect(calls.phase.kind).toBe('active');

    link.emit('call:peer-connection', { callId: 'c1', connected: true, username: 'bob', fresh: true });
    expect(sessions[0]!.closed).toBe(true);
    expect(sessions).toHaveLength(2);
    // This side offers (impolite) to the newcomer, and says it is reconnecting meanwhile, never ended.
    expect(sessions[1]!.request.polite).toBe(false);
    expect(calls.phase.kind).toBe('reconnecting');
    expect(calls.mesh.peers[0]?.state).toBe('interrupted');
    sessions[1]!.request.onMediaState('connected');
    expect(calls.phase.kind).toBe('active');
  });

  it('ends with the refusal as the reason (busy), and sends nothing more', async () => {
    const { link, calls, ended } = setup();
    link.replies.set('call:invite', () => ({ ok: false, code: 'busy', message: 'Bob is in a call' }));
    await calls.dial('bob');
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'busy', local: false });
    expect(calls.endedText()).toBe('Bob is busy');
    expect(link.events()).toEqual(['call:invite']);
    expect(ended).toEqual([false]);
  });

  it('a call refused before it rang (a limit) says why once, on its own card, with the name and the wait, never "connection lost"', async () => {
    const { link, calls, notices } = setup();
    link.replies.set('call:invite', () => ({ ok: false, code: 'rate_limited', message: 'You have called bob too often without an answer: wait and try again', retryAfterMs: 300_000 }));
    await calls.dial('bob');
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'limited' });
    expect(calls.endedText()).toBe('You have called Bob too often without an answer. Try again in 5 min.');
    expect(notices.notice).toBeNull();
  });

  it('cancels a ringing call with a hang-up (the callee may be answering right now)', async () => {
    const { link, calls } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    void calls.cancel();
    await settle();
    expect(link.last('call:hangup')).toEqual({ callId: 'c1' });
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'cancelled' });
    // The answer crossed the cancel: the call is ended for the callee too.
    link.emit('call:accepted', { callId: 'c1', polite: false });
    expect(link.sent.filter((s) => s.event === 'call:hangup')).toHaveLength(2);
  });

  it('opens the microphone only once the call has had its moment to ring: cancelled before, never', async () => {
    const { link, calls, platform, sessions } = setup();
    const waiting: (() => void)[] = [];
    platform.afterRinging = (fn) => waiting.push(fn);
    let opened = 0;
    platform.openMicrophone = () => Promise.resolve((opened++, { getTracks: () => [] } as unknown as MediaStream));
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    const dialing = calls.dial('bob');
    await settle();
    expect(calls.phase).toMatchObject({ kind: 'outgoing', callId: 'c1' });
    expect(waiting).toHaveLength(1);
    expect(opened).toBe(0);
    void calls.cancel();
    await settle();
    waiting[0]!();
    await dialing;
    expect(opened).toBe(0);
    expect(sessions).toHaveLength(0);
  });

  it('mutes every peer session, rests the microphone and tells the server', async () => {
    const { link, calls, sessions, rested } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    calls.toggleMute();
    expect(calls.muted).toBe(true);
    expect(sessions[0]!.muted).toBe(true);
    expect(link.last('call:mute')).toEqual({ callId: 'c1', muted: true });
    calls.toggleMute();
    expect(link.last('call:mute')).toEqual({ callId: 'c1', muted: false });
    // Its noise suppression does no work while nothing goes out.
    expect(rested).toEqual([true, false]);
  });

  it("push-to-talk's key up rests the microphone as muting does, from the moment it opens", async () => {
    const { link, calls, rested } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    // Push-to-talk on: the gate is closed before any call.
    calls.line.setGate(true);
    await calls.dial('bob');
    expect(rested).toEqual([true]);
    calls.line.setGate(false);
    calls.line.setGate(true);
    expect(rested).toEqual([true, false, true]);
  });
});

describe('call controller: a call that rings here', () => {
  it('rings, answers with the role the server gives, and takes the peer signals', async () => {
    const { link, calls, sessions, tones, rung } = setup();
    link.replies.set('call:accept', () => ({ ok: true, polite: true }));
    link.emit('call:incoming', { callId: 'c2', from: user('bob'), polite: true, media: { audio: true, video: true } });
    await settle();
    expect(calls.phase).toMatchObject({ kind: 'incoming', callId: 'c2' });
    expect(calls.videoCall).toBe(true);
    expect(tones.played).toContain('ringtone');
    expect(rung).toEqual([user('bob')]);
    // Ready to answer at once: the session is made (held) while it rings.
    expect(sessions).toHaveLength(1);

    await calls.answer();
    expect(link.last('call:accept')).toEqual({ callId: 'c2' });
    expect(calls.phase.kind).toBe('connecting');
    expect(sessions[0]!.released).toBe(true);
    const offer: Signal = { description: { type: 'offer', sdp: 'v=0' } };
    link.emit('call:signal', { callId: 'c2', from: 'bob', ...offer });
    expect(sessions[0]!.signals).toEqual([offer]);
    // A signal for another call is not this one's.
    link.emit('call:signal', { callId: 'other', from: 'bob', ...offer });
    expect(sessions[0]!.signals).toHaveLength(1);
  });

  it('declines', async () => {
    const { link, calls, ended } = setup();
    link.emit('call:incoming', { callId: 'c2', from: user('bob'), polite: true, media: { audio: true, video: false } });
    calls.decline();
    await settle();
    expect(link.last('call:decline')).toEqual({ callId: 'c2' });
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'declined', local: true });
    expect(ended).toEqual([false]);
  });

  it('counts a call the caller gave up on as missed', () => {
    const { link, calls, ended } = setup();
    link.emit('call:incoming', { callId: 'c2', from: user('bob'), polite: true, media: { audio: true, video: false } });
    link.emit('call:ended', { callId: 'c2', reason: 'cancelled' });
    expect(calls.endedText()).toBe('Missed call from Bob');
    expect(ended).toEqual([true]);
  });

  it('names who else is in a call it is rung into, and connects to all of them on answer', async () => {
    const { link, calls, sessions, notices } = setup();
    link.replies.set('call:accept', () => ({ ok: true, polite: true, participants: [user('bob'), user('carol'), user('dan')] }));
    link.emit('call:incoming', {
      callId: 'c3',
      from: user('bob'),
      polite: true,
      media: { audio: true, video: false },
      participants: [user('bob'), user('carol')],
    });
    expect(calls.invitedWith).toEqual([user('carol')]);
    expect(calls.title).toBe('Bob, Carol');
    expect(notices.announcement).toContain('Bob is calling you into a call with Carol');
    await calls.answer();
    expect(sessions.map((s) => s.request.user.username).sort()).toEqual(['bob', 'carol', 'dan']);
    expect(calls.title).toBe('Bob, Carol +1');
    expect(calls.group).toBe(true);
  });
});

describe('call controller: ICE servers per call', () => {
  const STUN = { urls: ['stun:stun.example.org'] };
  const turn = (n: number) => ({ urls: ['turn:turn.example.org'], username: `${n}:id`, credential: `c${n}` });
  const grant = (n: number) => ({ iceServers: [STUN, turn(n)], iceExpiresAt: Date.now() + 3600_000 });
  const ready: SessionReady = { protocol: 2, user: ME, sessionId: 's', status: 'available', iceServers: [STUN], missedCalls: 0, presence: [] };

  /** A call's second grant waits past its first second, then for an idle moment (in Node, whenIdle's timeout). */
  const AFTER_REGRANT_MS = CALL_START_MS + 1000;

  it("gives each call's connections the servers of its ack, renewed before they expire, until it ends", async () => {
    vi.useFakeTimers();
    const { link, calls, groups, resume, sessions } = setup();
    resume.sessionReady(ready);
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1', ...grant(1) }));
    link.replies.set('call:ice', () => ({ ok: true, ...grant(2) }));
    await calls.dial('bob');
    expect(sessions[0]!.request.iceServers).toEqual([STUN, turn(1)]);
    link.emit('call:accepted', { callId: 'c1', polite: false });
    sessions[0]!.request.onMediaState('connected');
    await vi.advanceTimersByTimeAsync(3600_000 * 0.8);
    expect(link.last('call:ice')).toEqual({ callId: 'c1' });
    // Granted again: applied once the page is idle, past a call's first second (call-ice.ts).
    await vi.advanceTimersByTimeAsync(AFTER_REGRANT_MS);
    expect(sessions[0]!.iceServers).toEqual([[STUN, turn(2)]]);
    void calls.hangup();
    await vi.advanceTimersByTimeAsync(3 * 3600_000);
    expect(link.events().filter((e) => e === 'call:ice')).toHaveLength(1);

    // Answered here: the connection made while it rang (with the session's) gets the accept's.
    link.replies.set('call:accept', () => ({ ok: true, callId: 'c2', polite: true, ...grant(3) }));
    link.emit('call:incoming', { callId: 'c2', from: user('carol'), polite: true, media: { audio: true, video: false } });
    await vi.advanceTimersByTimeAsync(0);
    expect(sessions[1]!.request.iceServers).toEqual([STUN]);
    await calls.answer();
    expect(sessions[1]!.iceServers).toEqual([[STUN, turn(3)]]);
    expect(calls.line.ice.servers).toEqual([STUN, turn(3)]);
    void calls.hangup();

    // A room: everyone there and everyone who joins later gets the join's; a resume's replace them on every connection.
    link.replies.set('room:join', () => ({ ok: true, callId: 'r1', room: 'standup', participants: [user('bob')], ...grant(4) }));
    calls.dismissEnded();
    await groups.joinRoom('standup');
    link.emit('room:joined', { callId: 'r1', user: user('dan'), polite: false });
    expect(sessions.slice(2).map((s) => s.request.iceServers)).toEqual([[STUN, turn(4)], [STUN, turn(4)]]);
    link.replies.set('call:resume', () => ({ ok: true, state: 'active', polite: true, ...grant(5) }));
    resume.sessionReady(ready);
    await vi.advanceTimersByTimeAsync(AFTER_REGRANT_MS);
    expect(sessions.slice(2).map((s) => s.iceServers.at(-1))).toEqual([[STUN, turn(5)], [STUN, turn(5)]]);
  });
});

describe('call controller: group calls', () => {
  it('joins a named room with whoever is there, polite toward each, and hands on who owns it', async () => {
    const { link, calls, groups, sessions, rooms, entered } = setup();
    const ownership = { owner: user('carol'), canChangeCode: false, hasCode: true };
    link.replies.set('room:join', () => ({ ok: true, callId: 'r1', room: 'standup', participants: [user('bob'), user('carol')], ownership }));
    await groups.joinRoom('  Standup ', '1234');
    expect(link.last('room:join')).toEqual({ name: 'standup', code: '1234' });
    expect(calls.phase).toMatchObject({ kind: 'active', callId: 'r1' });
    expect(calls.title).toBe('Room standup');
    expect(rooms).toEqual([{ name: 'standup', code: '1234' }]);
    expect(entered).toEqual([{ callId: 'r1', room: 'standup', ownership }]);
    expect(sessions.map((s) => [s.request.user.username, s.request.polite])).toEqual([
      ['bob', true],
      ['carol', true],
    ]);
    link.emit('room:joined', { callId: 'r1', user: user('dan'), polite: false });
    expect(calls.mesh.size).toBe(3);
    link.emit('room:left', { callId: 'r1', username: 'bob', reason: 'hangup' });
    expect(calls.mesh.peers.map((p) => p.user.username)).toEqual(['carol', 'dan']);
  });

  it('rung into a room and answering: hands on who owns it, as the answer says', async () => {
    const { link, calls, entered } = setup();
    const ownership = { owner: ME, canChangeCode: true, hasCode: false };
    link.replies.set('call:accept', () => ({ ok: true, callId: 'r2', polite: true, participants: [user('bob')], ownership }));
    link.emit('call:incoming', { callId: 'r2', from: user('bob'), polite: true, media: { audio: true, video: false }, participants: [user('bob')], room: 'standup' });
    await calls.answer();
    expect(calls.room).toBe('standup');
    expect(entered).toEqual([{ callId: 'r2', room: 'standup', ownership }]);
  });

  it('shows a refused join as the server words it', async () => {
    const { link, calls, groups, notices, stopped } = setup();
    link.replies.set('room:join', () => ({ ok: false, code: 'forbidden', message: 'Wrong join code' }));
    await groups.joinRoom('standup', 'nope');
    expect(calls.phase.kind).toBe('idle');
    expect(notices.notice).toBe('Wrong join code');
    expect(stopped).toHaveLength(1);
  });

  it('rings a person into the call, and takes them off the list when refused', async () => {
    const { link, calls, groups, notices } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    calls.mesh.setState('bob', 'connected');
    calls.apply({ type: 'connected', at: Date.now() });

    await groups.addPerson('carol');
    expect(link.last('call:add')).toEqual({ callId: 'c1', to: 'carol' });
    expect(calls.mesh.peer('carol')?.state).toBe('ringing');

    link.replies.set('call:add', () => ({ ok: false, code: 'busy', message: 'Dan is in another call' }));
    await groups.addPerson('dan');
    expect(calls.mesh.peer('dan')).toBeUndefined();
    expect(notices.notice).toBe('Dan is in another call');
  });
});

describe('call controller: meters', () => {
  it('reads the levels five times a second while the window is shown, and not at all while it is hidden', async () => {
    vi.useFakeTimers();
    const { link, calls, platform, sessions } = setup();
    let shown = true;
    platform.shown = () => shown;
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    sessions[0]!.request.onMediaState('connected');
    await vi.advanceTimersByTimeAsync(300);
    expect(calls.line.inputLevel).toBe(0.5);
    shown = false;
    calls.line.inputLevel = 0;
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls.line.inputLevel).toBe(0);
    shown = true;
    await vi.advanceTimersByTimeAsync(200);
    expect(calls.line.inputLevel).toBe(0.5);
    void calls.hangup();
    vi.useRealTimers();
  });

  it('you speak while your microphone is loud, and not once it is muted', async () => {
    vi.useFakeTimers();
    const { link, calls, sessions } = setup();
    link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
    await calls.dial('bob');
    link.emit('call:accepted', { callId: 'c1', polite: false });
    sessions[0]!.request.onMediaState('connected');
    await vi.advanceTimersByTimeAsync(300);
    // The fake microphone reads 0.5, above the speaking level.
    expect(calls.inputSpeaking).toBe(true);
    calls.toggleMute();
    await vi.advanceTimersByTimeAsync(LEVEL_TICK_MS);
    expect(calls.inputLevel).toBe(0);
    expect(calls.inputSpeaking).toBe(false);
    calls.toggleMute();
    await vi.advanceTimersByTimeAsync(LEVEL_TICK_MS);
    expect(calls.inputSpeaking).toBe(true);
    void calls.hangup();
    expect(calls.inputSpeaking).toBe(false);
    vi.useRealTimers();
  });
});
