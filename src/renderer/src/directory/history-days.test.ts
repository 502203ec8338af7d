/** History's day headers (history-days.ts), in the machine's local time as the app shows them. */
import type { HistoryEntry } from 'parley-server/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { dayLabel, historyDays, nextDayAt, rowTime } from './history-days.js';
import { historyRows } from './history-view.js';

const TZ = process.env.TZ;
afterEach(() => {
  if (TZ === undefined) delete process.env.TZ;
  else process.env.TZ = TZ;
});

/** Local time: year, month (1-12), day, hour, minute. */
const at = (y: number, mo: number, d: number, h = 12, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();

const entry = (callId: string, startedAt: number): HistoryEntry => ({
  seq: startedAt,
  callId,
  direction: 'outgoing',
  peer: { username: 'bob', displayName: 'Bob' },
  media: { audio: true, video: false },
  startedAt,
  answeredAt: startedAt,
  endedAt: startedAt + 60_000,
  outcome: 'hangup',
  missed: false,
});

describe('history by day', () => {
  // Wednesday 11 March 2026, 09:30.
  const now = at(2026, 3, 11, 9, 30);

  it('names the day as a phone does: Today, Yesterday, the weekday this past week, then the date, with the year when not this one', () => {
    expect(dayLabel(at(2026, 3, 11, 0, 1), now, 'en-GB')).toBe('Today');
    expect(dayLabel(at(2026, 3, 10, 23, 59), now, 'en-GB')).toBe('Yesterday');
    expect(dayLabel(at(2026, 3, 10, 0, 0), now, 'en-GB')).toBe('Yesterday');
    expect(dayLabel(at(2026, 3, 9), now, 'en-GB')).toBe('Monday');
    expect(dayLabel(at(2026, 3, 5), now, 'en-GB')).toBe('Thursday');
    expect(dayLabel(at(2026, 3, 4), now, 'en-GB')).toBe('4 March');
    expect(dayLabel(at(2026, 3, 4), now, 'en-US')).toBe('March 4');
    expect(dayLabel(at(2025, 12, 31), now, 'en-GB')).toBe('31 December 2025');
    // A server clock a little ahead of this one: still today, not a day to come.
    expect(dayLabel(now + 60_000, now, 'en-GB')).toBe('Today');
  });

  it('counts calendar days, not 24-hour spans, across a change to summer time', () => {
    process.env.TZ = 'Europe/London'; // clocks went forward on Sunday 29 March 2026: that day had 23 hours
    const monday = at(2026, 3, 30, 0, 30);
    expect(dayLabel(at(2026, 3, 29, 0, 30), monday, 'en-GB')).toBe('Yesterday');
    expect(dayLabel(at(2026, 3, 28, 23, 30), monday, 'en-GB')).toBe('Saturday');
    expect(nextDayAt(at(2026, 3, 28, 23, 30))).toBe(at(2026, 3, 29, 0, 0));
    expect(nextDayAt(at(2026, 3, 29, 0, 30)) - at(2026, 3, 29, 0, 0)).toBe(23 * 3_600_000);
  });

  it('puts the rows, newest first, under one header per day, each row with its time only', () => {
    const rows = historyRows([
      entry('late-today', at(2026, 3, 11, 9, 5)),
      entry('early-today', at(2026, 3, 11, 0, 10)),
      entry('last-night', at(2026, 3, 10, 23, 50)),
      entry('monday', at(2026, 3, 9, 8)),
      entry('last-week', at(2026, 3, 2, 17, 45)),
    ]);
    const days = historyDays(rows, now, 'en-GB');
    expect(days.map((d) => [d.label, d.rows.map((r) => r.key)])).toEqual([
      ['Today', ['late-today', 'early-today']],
      ['Yesterday', ['last-night']],
      ['Monday', ['monday']],
      ['2 March', ['last-week']],
    ]);
    expect(new Set(days.map((d) => d.key)).size).toBe(4);
    expect(rowTime(at(2026, 3, 2, 17, 45), 'en-GB')).toBe('17:45');
    expect(historyDays([], now)).toEqual([]);
  });
});
