import { describe, expect, it } from 'vitest';
import { IDLE, TRANSITIONS, answered, inCall, transition, type CallEvent, type CallPhase, type EventType, type PhaseKind } from './call-state.js';

const peer = { username: 'bob', displayName: 'Bob' };
const phases: Record<PhaseKind, CallPhase> = {
  idle: IDLE,
  outgoing: { kind: 'outgoing', callId: 'c1', peer, ringing: false, since: 0 },
  incoming: { kind: 'incoming', callId: 'c1', peer, since: 0 },
  connecting: { kind: 'connecting', callId: 'c1', peer, polite: false, since: 0 },
  active: { kind: 'active', callId: 'c1', peer, polite: false, answeredAt: 1000 },
  reconnecting: { kind: 'reconnecting', callId: 'c1', peer, polite: false, answeredAt: 1000 },
  ended: { kind: 'ended', callId: 'c1', peer, reason: 'hangup', local: true, durationMs: 5, at: 5 },
};
const events: Record<EventType, CallEvent> = {
  dial: { type: 'dial', peer, at: 10 },
  invited: { type: 'invited', callId: 'c1' },
  ringing: { type: 'ringing', callId: 'c1' },
  incoming: { type: 'incoming', callId: 'c2', peer, at: 10 },
  room: { type: 'room', callId: 'c3', peer: { username: 'alice', displayName: 'standup' }, at: 10 },
  rejoin: { type: 'rejoin', callId: 'c4', peer, answeredAt: 500 },
  moved: { type: 'moved', callId: 'c5', peer: { username: 'carol', displayName: 'Carol' }, at: 10 },
  peer: { type: 'peer', peer: { username: 'carol', displayName: 'Carol' } },
  answer: { type: 'answer', at: 10 },
  accepted: { type: 'accepted', callId: 'c1', polite: false, at: 10 },
  connected: { type: 'connected', at: 2000 },
  interrupted: { type: 'interrupted' },
  end: { type: 'end', reason: 'hangup', local: false, at: 4000 },
  reset: { type: 'reset' },
};

/** What each legal (phase, event) pair leads to. */
const expected: Partial<Record<`${PhaseKind}+${EventType}`, PhaseKind>> = {
  'idle+dial': 'outgoing',
  'ended+dial': 'outgoing',
  'outgoing+ringing': 'outgoing',
  'idle+incoming': 'incoming',
  'ended+incoming': 'incoming',
  'idle+room': 'active',
  'ended+room': 'active',
  'idle+rejoin': 'reconnecting',
  'ended+rejoin': 'reconnecting',
  'connecting+moved': 'connecting',
  'active+moved': 'connecting',
  'reconnecting+moved': 'connecting',
  'connecting+peer': 'connecting',
  'active+peer': 'active',
  'reconnecting+peer': 'reconnecting',
  'incoming+answer': 'connecting',
  'outgoing+accepted': 'connecting',
  'connecting+connected': 'active',
  'reconnecting+connected': 'active',
  'active+interrupted': 'reconnecting',
  'outgoing+end': 'ended',
  'incoming+end': 'ended',
  'connecting+end': 'ended',
  'active+end': 'ended',
  'reconnecting+end': 'ended',
  'ended+reset': 'idle',
};

describe('call state machine', () => {
  const cases = (Object.keys(phases) as PhaseKind[]).flatMap((p) =>
    (Object.keys(events) as EventType[]).map((e) => [p, e] as const),
  );

  it.each(cases)('%s + %s', (p, e) => {
    const result = transition(phases[p], events[e]);
    const target = expected[`${p}+${e}`];
    if (target) {
      expect(result.ok).toBe(true);
      expect(result.phase.kind).toBe(target);
    } else if (p === 'outgoing' && e === 'invited') {
      // Legal only before the call id is known (covered below).
      expect(result.ok).toBe(false);
    } else {
      expect(result.ok).toBe(false);
      expect(result.phase).toBe(phases[p]);
      if (!result.ok) expect(result.error).toMatch(e);
    }
  });

  it('the table and the expectations agree', () => {
    for (const [p, e] of cases) {
      const legal = TRANSITIONS[e].includes(p);
      const listed = expected[`${p}+${e}`] !== undefined || (p === 'outgoing' && e === 'invited');
      expect(legal, `${p}+${e}`).toBe(listed);
    }
  });

  it('an outgoing call learns its id once, then rings', () => {
    let phase = transition(IDLE, events.dial).phase;
    expect(phase).toMatchObject({ kind: 'outgoing', callId: null, ringing: false });
    phase = transition(phase, { type: 'invited', callId: 'c9' }).phase;
    expect(phase).toMatchObject({ callId: 'c9' });
    expect(transition(phase, { type: 'invited', callId: 'c9' }).ok).toBe(false);
    phase = transition(phase, { type: 'ringing', callId: 'c9' }).phase;
    expect(phase).toMatchObject({ kind: 'outgoing', ringing: true });
  });

  it('refuses events about another call', () => {
    const result = transition(phases.active, { type: 'accepted', callId: 'other', polite: true, at: 1 });
    expect(result.ok).toBe(false);
    expect(transition(phases.outgoing, { type: 'ringing', callId: 'other' }).ok).toBe(false);
  });

  it('the callee is polite and the caller takes the role the server gives', () => {
    expect(transition(phases.incoming, events.answer).phase).toMatchObject({ kind: 'connecting', polite: true });
    expect(transition(phases.outgoing, events.accepted).phase).toMatchObject({ kind: 'connecting', polite: false });
  });

  it('records talk time for an answered call and none for an unanswered one', () => {
    expect(transition(phases.active, events.end).phase).toMatchObject({ kind: 'ended', durationMs: 3000, reason: 'hangup' });
    expect(transition(phases.outgoing, events.end).phase).toMatchObject({ kind: 'ended', durationMs: null });
    expect(transition(phases.reconnecting, events.end).phase).toMatchObject({ durationMs: 3000 });
  });

  it('moved into another call: connecting there, polite toward its people, under its id; a transfer changes who it is with', () => {
    expect(transition(phases.active, events.moved).phase).toMatchObject({ kind: 'connecting', callId: 'c5', polite: true, peer: { username: 'carol' } });
    expect(transition(phases.active, events.peer).phase).toMatchObject({ kind: 'active', callId: 'c1', answeredAt: 1000, peer: { username: 'carol' } });
  });

  it('reconnecting keeps the answer time', () => {
    const back = transition(transition(phases.active, events.interrupted).phase, events.connected).phase;
    expect(back).toMatchObject({ kind: 'active', answeredAt: 1000 });
  });

  it('a call is held from dialling or ringing on, and answered (busy to others) only once accepted', () => {
    const held = (Object.keys(phases) as PhaseKind[]).filter((k) => inCall(phases[k]));
    expect(held).toEqual(['outgoing', 'incoming', 'connecting', 'active', 'reconnecting']);
    expect((Object.keys(phases) as PhaseKind[]).filter((k) => answered(phases[k]))).toEqual(['connecting', 'active', 'reconnecting']);
  });
});
