import { describe, expect, it } from 'vitest';
import { FakeLink, user } from '../test-support/call-fakes.js';
import { HeldLink } from './held-link.js';

const incoming = { callId: 'c1', from: user('bob'), media: { audio: true, video: false }, polite: true as const };

describe('HeldLink', () => {
  it('keeps held events until release(), then hands them over in the order they came', () => {
    const link = new FakeLink();
    let asked = 0;
    const held = new HeldLink(link, ['call:incoming', 'call:ringing', 'call:ended'], () => (asked += 1));
    link.emit('call:incoming', incoming);
    link.emit('call:ringing', { callId: 'c1' });
    link.emit('call:ended', { callId: 'c1', reason: 'cancelled' });
    expect(held.waiting).toBe(3);
    expect(asked).toBe(3);

    const seen: string[] = [];
    held.on('call:ended', ({ reason }) => seen.push(`ended:${reason}`));
    held.on('call:incoming', ({ callId }) => seen.push(`incoming:${callId}`));
    held.on('call:ringing', ({ callId }) => seen.push(`ringing:${callId}`));
    expect(seen).toEqual([]);

    held.release();
    expect(seen).toEqual(['incoming:c1', 'ringing:c1', 'ended:cancelled']);
    expect(held.waiting).toBe(0);
    // After release, events go through as they come.
    link.emit('call:ringing', { callId: 'c2' });
    expect(seen.at(-1)).toBe('ringing:c2');
  });

  it('passes other events and requests straight through', async () => {
    const link = new FakeLink();
    const held = new HeldLink(link, ['call:incoming']);
    const seen: string[] = [];
    held.on('presence:changed', ({ username }) => seen.push(username));
    link.emit('presence:changed', { username: 'bob', displayName: 'Bob', status: 'available' });
    expect(seen).toEqual(['bob']);
    await held.request('call:invite', { to: 'bob', media: { audio: true, video: false } });
    expect(link.events()).toEqual(['call:invite']);
  });

  it('one failing handler does not cost the events after it', () => {
    const link = new FakeLink();
    const held = new HeldLink(link, ['call:ringing']);
    link.emit('call:ringing', { callId: 'a' });
    link.emit('call:ringing', { callId: 'b' });
    const seen: string[] = [];
    held.on('call:ringing', ({ callId }) => {
      if (callId === 'a') throw new Error('boom');
      seen.push(callId);
    });
    held.release();
    expect(seen).toEqual(['b']);
  });
});
