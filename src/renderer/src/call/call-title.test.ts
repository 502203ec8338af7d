import { describe, expect, it } from 'vitest';
import { callTitle, incomingNotice } from './call-title.js';

const bob = { username: 'bob', displayName: 'Bob' };
const carol = { username: 'carol', displayName: 'Carol' };

describe('call titles', () => {
  it('name a room, or up to two people and how many more', () => {
    expect(callTitle('standup', [bob])).toBe('Room standup');
    expect(callTitle(null, [bob, carol])).toBe('Bob, Carol');
    expect(callTitle(null, [bob, carol, bob, carol])).toBe('Bob, Carol +2');
  });

  it('show the caller’s username beside a display name anyone could copy, in the system notification', () => {
    const lookalike = { username: 'mallory', displayName: 'Bob' };
    expect(incomingNotice(lookalike, [])).toEqual({ title: 'Incoming call from Bob (@mallory)', body: 'Open Parley to answer' });
    expect(incomingNotice(bob, [carol]).body).toBe('Into a call with Carol');
  });
});
