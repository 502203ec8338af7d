import type { HistoryEntry } from 'parley-server/protocol';
import { describe, expect, it } from 'vitest';
import { contactRows } from './contacts-view.js';
import { endReasonText, outcomeLabel } from '../call/end-reasons.js';
import { mergeHistory } from './history.svelte.js';
import { formatDuration, historyRows } from './history-view.js';

describe('contacts view', () => {
  const directory = [
    { username: 'zoe', displayName: 'Zoe', status: 'available' as const },
    { username: 'adam', displayName: 'Adam', status: 'offline' as const },
    { username: 'bea', displayName: 'Bea', status: 'busy' as const },
    { username: 'carl', displayName: 'Carl', status: 'away' as const },
    { username: 'dina', displayName: 'Dina Offline', status: 'offline' as const },
  ];

  it('pins favorites on top, then orders by reachability and name', () => {
    const rows = contactRows(directory, new Set(['dina']), '');
    expect(rows.map((r) => r.username)).toEqual(['dina', 'zoe', 'carl', 'bea', 'adam']);
    expect(rows[0]!.favorite).toBe(true);
  });

  it('searches username and display name, case-insensitively', () => {
    expect(contactRows(directory, new Set(), 'OFFLINE').map((r) => r.username)).toEqual(['dina']);
    expect(contactRows(directory, new Set(), ' ca ').map((r) => r.username)).toEqual(['carl']);
  });
});

describe('history view', () => {
  const entry = (over: Partial<HistoryEntry>): HistoryEntry => ({
    seq: 1,
    callId: 'c1',
    direction: 'outgoing',
    peer: { username: 'bob', displayName: 'Bob' },
    media: { audio: true, video: false },
    startedAt: 1000,
    answeredAt: null,
    endedAt: 2000,
    outcome: 'no-answer',
    missed: false,
    ...over,
  });

  it('shows direction, outcome, duration and missed calls', () => {
    const rows = historyRows([
      entry({ callId: 'a', answeredAt: 1000, endedAt: 188_000, outcome: 'hangup' }),
      entry({ callId: 'b', direction: 'incoming', outcome: 'cancelled', missed: true }),
      entry({ callId: 'c', outcome: 'declined' }),
    ]);
    expect(rows.map((r) => [r.outcome, r.duration, r.missed])).toEqual([
      ['Answered', '3:07', false],
      ['Missed', null, true],
      ['Declined', null, false],
    ]);
  });

  it('notes a video call and a call with chat (older servers send no chat flag)', () => {
    const rows = historyRows([
      entry({ callId: 'a', media: { audio: true, video: true }, chat: true }),
      // Different people: calls alike in a row would be one row.
      entry({ callId: 'b', chat: false, peer: { username: 'carol', displayName: 'Carol' } }),
      entry({ callId: 'c' }),
    ]);
    expect(rows.map((r) => [r.video, r.chat])).toEqual([
      [true, true],
      [false, false],
      [false, false],
    ]);
  });

  it('says who transferred a call to whom, on every side alike', () => {
    const [bob, carol, alice] = (['bob', 'carol', 'alice'] as const).map((u) => ({ username: u, displayName: u[0]!.toUpperCase() + u.slice(1) }));
    const rows = historyRows([
      entry({ callId: 'moved', outcome: 'hangup', answeredAt: 1000, endedAt: 61_000, transfer: { by: alice!, from: bob!, to: carol! } }),
      entry({ callId: 'plain', outcome: 'hangup', answeredAt: 1000, endedAt: 61_000 }),
    ]);
    expect(rows.map((r) => r.transfer)).toEqual(['Bob → Carol, by Alice', null]);
  });

  it('reads a room as the room, joined, not as a call placed or received, whoever opened it', () => {
    const room = { room: 'standup', participants: [{ username: 'alice', displayName: 'Alice' }], answeredAt: 1000, endedAt: 61_000 };
    const rows = historyRows([
      entry({ callId: 'joined', direction: 'incoming', peer: { username: 'alice', displayName: 'Alice' }, outcome: 'hangup', ...room }),
      entry({ callId: 'opened', direction: 'outgoing', outcome: 'hangup', ...room }),
      entry({ ...room, callId: 'now', direction: 'incoming', outcome: null, endedAt: null }),
      entry({ callId: 'call', direction: 'incoming', outcome: 'hangup', answeredAt: 1000 }),
    ]);
    expect(rows.map((r) => [r.key, r.joined, r.outcome, r.group?.title ?? null])).toEqual([
      ['joined', true, 'Joined', 'Room standup'],
      ['opened', true, 'Joined', 'Room standup'],
      ['now', true, 'In the room now', 'Room standup'],
      ['call', false, 'Answered', null],
    ]);
  });

  it('counts a refusal repeated within the hour (older servers send no count)', () => {
    const rows = historyRows([entry({ callId: 'a', attempts: 4, outcome: 'offline' }), entry({ callId: 'b' })]);
    expect(rows.map((r) => r.attempts)).toEqual([4, 1]);
  });

  it('folds unanswered calls in a row that read alike into one row within the hour, and nothing else', () => {
    const missed = (callId: string, startedAt: number, over: Partial<HistoryEntry> = {}) =>
      entry({ callId, startedAt, direction: 'incoming', outcome: 'cancelled', missed: true, ...over });
    const min = 60_000;
    const rows = historyRows([
      ...Array.from({ length: 9 }, (_, i) => missed(`m${i}`, 100 * min - i * min)),
      missed('other-person', 90 * min, { peer: { username: 'carol', displayName: 'Carol' } }),
      missed('again', 89 * min),
      missed('after-a-gap', 20 * min),
      entry({ callId: 'answered', startedAt: 10 * min, answeredAt: 10 * min, endedAt: 11 * min, outcome: 'hangup' }),
      entry({ callId: 'answered-too', startedAt: 9 * min, answeredAt: 9 * min, endedAt: 10 * min, outcome: 'hangup' }),
    ]);
    expect(rows.map((r) => [r.key, r.attempts])).toEqual([
      ['m0', 9],
      ['other-person', 1],
      ['again', 1],
      ['after-a-gap', 1],
      ['answered', 1],
      ['answered-too', 1],
    ]);
  });

  it('merges pages newest first without duplicates', () => {
    const merged = mergeHistory([entry({ seq: 1, callId: 'a' }), entry({ seq: 2, callId: 'b' })], [entry({ seq: 3, callId: 'c' }), entry({ seq: 2, callId: 'b', outcome: 'hangup' })]);
    expect(merged.map((e) => e.callId)).toEqual(['c', 'b', 'a']);
    expect(merged[1]!.outcome).toBe('hangup');
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(59_400)).toBe('0:59');
    expect(formatDuration(3_725_000)).toBe('1:02:05');
  });
});

describe('end reasons in words', () => {
  const peer = { username: 'bob', displayName: 'Bob' };
  it.each([
    ['declined', 'Bob declined'],
    ['busy', 'Bob is busy'],
    ['no-answer', 'No answer'],
    ['offline', 'Bob is offline'],
    ['dnd', 'Bob does not want to be disturbed'],
    ['hangup', 'Bob hung up'],
    ['failed', 'Call failed: the connection was lost'],
  ] as const)('caller side, %s → %s', (reason, text) => {
    expect(endReasonText({ reason, local: false, peer }, true)).toBe(text);
  });

  it('callee side and local ends', () => {
    expect(endReasonText({ reason: 'cancelled', local: false, peer }, false)).toBe('Missed call from Bob');
    expect(endReasonText({ reason: 'no-answer', local: false, peer }, false)).toBe('Missed call from Bob');
    expect(endReasonText({ reason: 'answered-elsewhere', local: false, peer }, false)).toBe('Answered on another device');
    expect(endReasonText({ reason: 'declined', local: true, peer }, false)).toBe('Call declined');
    expect(endReasonText({ reason: 'cancelled', local: true, peer }, true)).toBe('Call cancelled');
    expect(endReasonText({ reason: 'hangup', local: true, peer }, true)).toBe('Call ended');
  });

  it('history labels', () => {
    expect(outcomeLabel(null, 'outgoing', false)).toBe('In progress');
    expect(outcomeLabel('cancelled', 'outgoing', false)).toBe('Cancelled');
    expect(outcomeLabel('dnd', 'outgoing', false)).toBe('Do not disturb');
  });
});
