/**
 * History by day, as a phone's call log shows it: rows under "Today",
 * "Yesterday", a weekday for the rest of the past week, then the date; each
 * row then needs only its time.
 */
import type { HistoryRow } from './history-view.js';

export interface HistoryDay {
  /** The day's local midnight, as a string: stable while the day's rows change. */
  key: string;
  label: string;
  rows: HistoryRow[];
}

/** Local midnight at the start of `at`'s day. */
function dayStart(at: number): number {
  return new Date(at).setHours(0, 0, 0, 0);
}

/** Calendar days from `at`'s day to `now`'s: 0 today (or later, a clock running ahead); a day of 23 or 25 hours still counts one. */
function daysAgo(at: number, now: number): number {
  return Math.max(0, Math.round((dayStart(now) - dayStart(at)) / 86_400_000));
}

/** The next local midnight after `now`: when "Today" becomes "Yesterday". */
export function nextDayAt(now: number): number {
  return new Date(now).setHours(24, 0, 0, 0);
}

/** The day's header: "Today", "Yesterday", "Monday" within the week, then "3 March" (with the year when it is not this one). */
export function dayLabel(at: number, now: number, locale?: string): string {
  const days = daysAgo(at, now);
  if (days === 0) return 'Today';
  if (days === 1) return 'Yesterday';
  const date = new Date(at);
  if (days < 7) return date.toLocaleDateString(locale, { weekday: 'long' });
  const thisYear = date.getFullYear() === new Date(now).getFullYear();
  return date.toLocaleDateString(locale, thisYear ? { day: 'numeric', month: 'long' } : { day: 'numeric', month: 'long', year: 'numeric' });
}

/** A row's time of day ("14:05"); its day is its header's. */
export function rowTime(at: number, locale?: string): string {
  return new Date(at).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}

/** The rows (newest first) under their days' headers, in the same order. */
export function historyDays(rows: readonly HistoryRow[], now: number, locale?: string): HistoryDay[] {
  const days: HistoryDay[] = [];
  for (const row of rows) {
    const key = String(dayStart(row.startedAt));
    const last = days.at(-1);
    if (last?.key === key) last.rows.push(row);
    else days.push({ key, label: dayLabel(row.startedAt, now, locale), rows: [row] });
  }
  return days;
}
