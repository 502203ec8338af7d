import { describe, expect, it } from 'vitest';
import { setup, user } from '../test-support/call-fakes.js';
import { CallLine } from './call-line.svelte.js';
import { Call } from './call.svelte.js';

function call(): Call {
  const { deps } = setup();
  return new Call((hooks) => new CallLine(deps, hooks), () => undefined);
}

describe('a call records what happened to it through its own methods', () => {
  it('rung into a room call: who else is in it names it until it is answered, then the answer says who is', () => {
    const c = call();
    c.apply({ type: 'incoming', callId: 'c1', peer: user('bob'), at: 0 });
    c.offered(true, null, [user('carol')]);
    expect([c.callId, c.outgoing, c.videoCall, c.title]).toEqual(['c1', false, true, 'Bob, Carol']);
    c.answeredWith([user('carol'), user('dan')]);
    expect(c.invitedWith).toEqual([user('carol'), user('dan')]);
    c.connectedToInvited();
    expect(c.invitedWith).toEqual([]);
  });

  it('over, it keeps who placed it (for its words) and drops mute, room and people; a refusal is its ended text', () => {
    const c = call();
    c.apply({ type: 'room', callId: 'r1', peer: user('alice'), at: 0 });
    c.joinedRoom('standup');
    c.setMuted(true);
    expect([c.group, c.talking, c.title]).toEqual([true, true, 'Room standup']);
    c.apply({ type: 'end', reason: 'failed', local: false, at: 1 });
    c.closed('The room is full.');
    expect([c.outgoing, c.muted, c.room, c.busy, c.endedText()]).toEqual([true, false, null, false, 'The room is full.']);
  });

  it('an illegal step is ignored and the phase stays', () => {
    const c = call();
    expect(c.apply({ type: 'answer', at: 0 })).toBe(false);
    expect(c.phase.kind).toBe('idle');
  });

  it('on hold it keeps its flags, and hears whether the other side holds it too until it is taken back', () => {
    const c = call();
    c.apply({ type: 'dial', peer: user('bob'), at: 0 });
    c.placed(true);
    c.setMuted(true);
    c.heldBy(true); // not on hold here yet: nothing to record
    expect(c.theirs).toBe(false);
    c.heldAside(false);
    c.heldBy(true);
    c.refuseAnswer();
    expect([c.theirs, c.answerRefused, c.outgoing, c.muted, c.videoCall]).toEqual([true, true, true, true, true]);
    c.takenBack();
    expect([c.theirs, c.answerRefused]).toEqual([false, false]);
  });
});
