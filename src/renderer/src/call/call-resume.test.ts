/**
 * A call across a lost signaling connection (call-resume.ts), against the
 * fakes of test-support/call-fakes.ts: what the app marks and asks when the
 * server answers its `call:resume`.
 */
import { describe, expect, it } from 'vitest';
import type { SessionReady } from 'parley-server/protocol';
import { settle, setup, user } from '../test-support/call-fakes.js';

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
});
