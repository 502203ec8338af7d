import { describe, expect, it } from 'vitest';
import { invitationDetail, namesList, peerStateText, peopleCount, tileName } from './stage-text.js';

describe('stage words', () => {
  it('lists names as a sentence does', () => {
    expect(namesList([])).toBe('');
    expect(namesList(['Bob'])).toBe('Bob');
    expect(namesList(['Bob', 'Carol'])).toBe('Bob and Carol');
    expect(namesList(['Bob', 'Carol', 'Dave'])).toBe('Bob, Carol and Dave');
  });

  it('says what a group invitation is into', () => {
    expect(invitationDetail(null, [])).toBe('');
    expect(invitationDetail(null, ['Bob', 'Carol'])).toBe('into a call with Bob and Carol');
    expect(invitationDetail('standup', [])).toBe('into room standup');
    expect(invitationDetail('standup', ['Bob'])).toBe('into room standup with Bob');
  });

  it("says a participant's state, away first, nothing once connected", () => {
    expect(peerStateText('ringing', false)).toBe('Ringing…');
    expect(peerStateText('interrupted', false)).toBe('Reconnecting…');
    expect(peerStateText('silent', false)).toBe('No audio arriving');
    expect(peerStateText('failed', false)).toBe('Cannot connect');
    expect(peerStateText('connected', false)).toBeNull();
    expect(peerStateText('connected', true)).toBe('Lost the server, waiting…');
  });

  it('counts people', () => {
    expect(peopleCount(1)).toBe('1 person');
    expect(peopleCount(3)).toBe('3 people');
  });

  it('names a tile in words, never with the level meter\'s number', () => {
    expect(tileName('Bob Chen', { note: null, muted: false, speaking: false })).toBe('Bob Chen');
    expect(tileName('Bob Chen', { note: null, muted: false, speaking: true })).toBe('Bob Chen, speaking');
    expect(tileName('Bob Chen', { note: null, muted: true, speaking: true })).toBe('Bob Chen, muted');
    expect(tileName('Bob Chen', { note: 'Reconnecting…', muted: false, speaking: false })).toBe('Bob Chen, Reconnecting…');
  });
});
