/**
 * A call across a lost signaling connection (call-resume.ts), against the
 * fakes of test-support/call-fakes.ts: what the app marks and asks when the
 * server answers its `call:resume`.
 */
import { describe, expect, it } from 'vitest';
import type { SessionReady } from 'parley-server/protocol';
import { settle, setup, user } from '../test-support/call-fakes.js';

/** alice's call c1 to bob, answered, its media connected. */
async function answeredCall({ link, calls, sessions }: Pick<ReturnType<typeof setup>, 'link' | 'calls' | 'sessions'>): Promise<void> {
  link.replies.set('call:invite', () => ({ ok: true, callId: 'c1' }));
  await calls.dial('bob');
  link.emit('call:accepted', { callId: 'c1', polite: false });
  sessions[0]!.request.onMediaState('connected');
}

describe('call resume', () => {
  it('after a server restart waits for each other participant to claim the room, keeping those heard back meanwhile', async () => {
    const { link, calls, groups, resume } = setup();
    link.replies.set('room:join', () => ({ ok: true, callId: 'r1', room: 'standup', participants: [user('bob'), user('carol')] }));
    await groups.joinRoom('standup');
    // bob's claim restored the room before the answer to this side's came back.
    link.replies.set('call:resume', () => {
      link.emit('call:peer-connection', { callId: 'r1', connected: true, username: 'bob' });
      return { ok: true, state: 'waiting', polite: true };
    });
    resume.sessionReady({ iceServers: [] } as unknown as SessionReady);
    await settle();
    expect(link.last('call:resume')).toEqual({ callId: 'r1' });
    expect(calls.mesh.peers.map((p) => [p.user.username, p.away])).toEqual([
      ['bob', false],
      ['carol', true],
    ]);
    link.emit('call:peer-connection', { callId: 'r1', connected: true, username: 'carol' });
    expect(calls.mesh.peer('carol')?.away).toBe(false);
    expect(calls.phase.kind).toBe('active');
  });

  it('told on its return that the call ended for want of its connection to the server, this side hears that its own connection was lost', async () => {
    const { link, calls, resume, sessions, notices } = setup();
    await answeredCall({ link, calls, sessions });
    link.replies.set('call:resume', () => ({ ok: true, state: 'ended', reason: 'failed', cause: 'signaling-lost' }));
    resume.sessionReady({ iceServers: [] } as unknown as SessionReady);
    await settle();
    expect(calls.phase).toMatchObject({ kind: 'ended', reason: 'failed', local: false });
    expect(notices.notice).toBe('Your connection to the server was lost and did not come back in time, so the call ended.');
  });

  it('the peer whose connection to the server did not come back in time is named, in a call of two and in a group', async () => {
    const { link, calls, groups, sessions, notices } = setup();
    await answeredCall({ link, calls, sessions });
    link.emit('call:ended', { callId: 'c1', reason: 'failed', cause: 'signaling-lost' });
    expect(notices.notice).toBe("Bob's connection to the server was lost and did not come back in time.");
    calls.dismissEnded();
    link.replies.set('room:join', () => ({ ok: true, callId: 'r1', room: 'standup', participants: [user('bob'), user('carol')] }));
    await groups.joinRoom('standup');
    link.emit('room:left', { callId: 'r1', username: 'carol', reason: 'failed', cause: 'signaling-lost' });
    expect(notices.announcement).toBe('Carol lost the connection to the server and left the call');
  });

  it('a call resumed after a lost connection learns who records it from the answer, and says so', async () => {
    const { link, calls, resume, sessions, notices } = setup();
    await answeredCall({ link, calls, sessions });
    // bob started recording while this side was away: the call:recording never came.
    link.replies.set('call:resume', () => ({ ok: true, state: 'active', polite: false, recording: ['bob'] }));
    resume.sessionReady({ iceServers: [] } as unknown as SessionReady);
    await settle();
    expect(calls.line.recording.others).toEqual(['bob']);
    expect(notices.announcement).toBe('Bob started recording this call');
  });
});
