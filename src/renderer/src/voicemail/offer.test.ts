import { END_REASONS, type EndReason } from 'parley-server/protocol';
import { describe, expect, it } from 'vitest';
import type { CallPhase } from '../call/call-state.js';
import { clock, leftMessageText } from '../../../shared/voicemail-text.js';
import { OFFERED_AFTER, offerFor } from './offer.svelte.js';

const bob = { username: 'bob', displayName: 'Bob' };
const ended = (reason: EndReason, peer = bob): CallPhase => ({ kind: 'ended', callId: 'c1', peer, reason, local: false, durationMs: null, at: 0 });

describe('the offer to leave a message', () => {
  it.each(END_REASONS.map((reason) => [reason, OFFERED_AFTER.includes(reason)] as const))('after a call I placed that ended %s: offered %s', (reason, offered) => {
    expect(offerFor(ended(reason), true)).toEqual(offered ? bob : null);
  });

  it('never after a call someone placed to me, nor while a call is on, nor for a room', () => {
    expect(offerFor(ended('no-answer'), false)).toBeNull();
    expect(offerFor({ kind: 'outgoing', callId: 'c1', peer: bob, ringing: true, since: 0 }, true)).toBeNull();
    expect(offerFor(ended('no-answer', { username: 'Room standup', displayName: 'standup' }), true)).toBeNull();
  });
});

describe('voicemail in words', () => {
  it.each([
    [0, '0:00'],
    [41_999, '0:41'],
    [125_400, '2:05'],
  ])('%i ms reads %s on a timer', (ms, text) => {
    expect(clock(ms)).toBe(text);
  });

  it('names the caller and the length, to the nearest second', () => {
    expect(leftMessageText({ from: bob, durationMs: 41_700 })).toBe('Bob left a message, 0:42');
  });
});
