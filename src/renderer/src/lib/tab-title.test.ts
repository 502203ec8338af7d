import { describe, expect, it } from 'vitest';
import { IDLE, type CallPhase } from '../call/call-state.js';
import { tabTitle } from './tab-title.js';

const bob = { username: 'bob', displayName: 'Bob' };

describe('tab title', () => {
  it('is the app name when nothing happens, with missed calls counted in front', () => {
    expect(tabTitle(IDLE, '', 0)).toBe('Parley');
    expect(tabTitle(IDLE, '', 3)).toBe('(3) Parley');
  });

  it('says who is ringing, and who the call is with', () => {
    const ringing: CallPhase = { kind: 'incoming', callId: 'c', peer: bob, since: 0 };
    expect(tabTitle(ringing, 'Bob', 1)).toBe('(1) Ringing: Bob is calling · Parley');
    const active: CallPhase = { kind: 'active', callId: 'c', peer: bob, polite: true, answeredAt: 0 };
    expect(tabTitle(active, 'Bob, Carol', 0)).toBe('In a call with Bob, Carol · Parley');
  });

  it('counts the voicemail not heard yet after the missed calls', () => {
    expect(tabTitle(IDLE, '', 0, 1)).toBe('1 voicemail · Parley');
    expect(tabTitle(IDLE, '', 2, 3)).toBe('(2) 3 voicemails · Parley');
  });
});
