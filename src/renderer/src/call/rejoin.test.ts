import { describe, expect, it } from 'vitest';
import { settle, setup, user } from '../test-support/call-fakes.js';
import type { RememberedCall } from './call-memory.svelte.js';
import { rejoin } from './rejoin.js';

const bob = user('bob');
const remembered: RememberedCall = { callId: 'c1', peer: bob, room: null, outgoing: true, answeredAt: 1000 };
const offer = { description: { type: 'offer' as const, sdp: 'v=0' } };

describe('rejoin after a reload', () => {
  it("bob's offer, sent the moment the server answers the resume, lands in the new session even while the microphone is slow to open", async () => {
    const t = setup();
    let openMic: (() => void) | null = null;
    t.platform.openMicrophone = () => new Promise((resolve) => (openMic = () => resolve(t.microphone)));
    t.link.replies.set('call:resume', () => {
      // The server tells bob at once; his offer comes back right behind the answer.
      setTimeout(() => t.link.emit('call:signal', { callId: 'c1', from: 'bob', ...offer }), 0);
      return { ok: true, state: 'active', polite: true, participants: [bob] };
    });
    const done = rejoin(t.calls, t.deps, remembered);
    await settle();
    openMic!();
    expect(await done).toBe(true);
    await settle();
    expect(t.sessions).toHaveLength(1);
    expect(t.sessions[0]!.polite).toBe(true);
    expect(t.sessions[0]!.signals).toEqual([offer]);
    expect(t.calls.phase.kind).not.toBe('idle');
  });

  it('a call the server ended meanwhile closes the microphone it opened and says so', async () => {
    const t = setup();
    t.link.replies.set('call:resume', () => ({ ok: true, state: 'ended', reason: 'hangup' }));
    expect(await rejoin(t.calls, t.deps, remembered)).toBe(true);
    expect(t.stopped).toEqual([t.microphone]);
    expect(t.sessions).toHaveLength(0);
    expect(t.notices.announcement).toContain('The call ended while Parley reloaded.');
  });

  it('an unreachable server: the microphone is closed and the rejoin is tried again later', async () => {
    const t = setup();
    t.link.connected = false;
    expect(await rejoin(t.calls, t.deps, remembered)).toBe(false);
    expect(t.stopped).toEqual([t.microphone]);
  });

  it('a reloaded window learns from the answer who records the call', async () => {
    const t = setup();
    t.link.replies.set('call:resume', () => ({ ok: true, state: 'active', polite: true, participants: [bob], recording: ['bob'] }));
    expect(await rejoin(t.calls, t.deps, remembered)).toBe(true);
    expect(t.calls.line.recording.others).toEqual(['bob']);
  });
});
