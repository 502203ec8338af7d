/** The ringing call as the popup and the notifications word it (src/shared/ringing.ts). */
import { describe, expect, it } from 'vitest';
import type { DesktopState } from '../../src/shared/desktop-state.js';
import { answerWords, duringWords, ringingCall } from '../../src/shared/ringing.js';

const bob = { username: 'bob', displayName: 'Bob' };
const cyd = { username: 'cyd', displayName: 'Cyd' };
const inCall = (extra: object): Pick<DesktopState, 'call'> => ({
  call: { kind: 'in-call', callId: 'c1', peer: bob, muted: false, answeredAt: 1, waiting: { callId: 'c2', peer: cyd }, ...extra },
});

describe('the ringing call in words', () => {
  it('a call ringing in is answered; nothing is said about another call', () => {
    const call = ringingCall({ call: { kind: 'ringing-in', callId: 'c1', peer: bob } });
    expect(call && [answerWords(call), duringWords(call, true)]).toEqual(['Answer', null]);
  });

  it('a call waiting beside a call of two can hold it: the popup names the call, the notification what answering ends', () => {
    const call = ringingCall(inCall({ hold: { mine: false, theirs: false } }));
    expect(call?.during).toEqual({ peer: bob, held: false, holdable: true });
    expect(call && [answerWords(call), duringWords(call, true), duringWords(call)]).toEqual(['End and answer', 'You are in a call with Bob.', 'Answering ends your call with Bob.']);
  });

  it('beside a call already on hold, the popup says it is on hold', () => {
    const call = ringingCall(inCall({ hold: { mine: true, theirs: false } }));
    expect(call && [duringWords(call, true), duringWords(call)]).toEqual(['Your call with Bob is on hold.', 'Answering ends your held call with Bob.']);
  });

  it('a group call (no hold) or one with a call held aside already cannot be held: answering ends it', () => {
    for (const extra of [{}, { hold: { mine: false, theirs: false }, aside: { callId: 'c0', peer: cyd } }]) {
      const call = ringingCall(inCall(extra));
      expect(call?.during?.holdable).toBe(false);
      expect(call && duringWords(call, true)).toBe('Answering ends your call with Bob.');
    }
  });
});
