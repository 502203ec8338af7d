/** Call history rows as shown: who, which way, how it went, how long. */
import type { HistoryEntry } from 'parley-server/protocol';
import { callTitle } from '../call/call-title.js';
import { outcomeLabel } from '../call/end-reasons.js';
import { failureLabel } from '../call/failure.js';

export interface HistoryRow {
  key: string;
  peer: HistoryEntry['peer'];
  direction: HistoryEntry['direction'];
  /**
   * A named room: this user came into it (opened it, joined it, or answered
   * a call into it). Not a call placed or received, whoever opened the room.
   */
  joined: boolean;
  outcome: string;
  missed: boolean;
  /** "3:07", or null for a call that was never answered. */
  duration: string | null;
  startedAt: number;
  /** Placed as a video call. */
  video: boolean;
  /** Someone chatted during the call (what was said is not kept anywhere). */
  chat: boolean;
  /** A transferred call, as every side's history says it: "Bob → Carol, by Alice". */
  transfer: string | null;
  /** Calls this row stands for: the same refusal repeated within an hour is one row. */
  attempts: number;
  /** A group call: its title ("Room standup", or "Bob, Carol +1"), its room, and the others who took part, each once. */
  group: { title: string; room: string | null; participants: HistoryEntry['peer'][] } | null;
}

/** How a group call is named in the list: its room, or the people in it. */
function groupOf(e: HistoryEntry): HistoryRow['group'] {
  if (!e.participants && !e.room) return null;
  const participants = [...new Map((e.participants ?? []).map((p) => [p.username, p])).values()];
  const title = callTitle(e.room ?? null, participants.length > 0 ? participants : [e.peer]);
  return { title, room: e.room ?? null, participants };
}

export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** How it went, in a word or two: a room is "Joined" (its `direction` only says who opened it). */
function outcomeOf(e: HistoryEntry): string {
  if (e.outcome === 'failed' && !e.missed) return failureLabel(e.cause, e.answeredAt !== null);
  if (e.room !== undefined) return e.outcome === null ? 'In the room now' : 'Joined';
  return outcomeLabel(e.outcome, e.direction, e.missed);
}

/** Unanswered calls in a row that read alike are one row within this span (a person called nine times is one entry, ×9). */
const GROUPED_WITHIN_MS = 60 * 60_000;

/** `older` reads as `newer` does (the same person, way and outcome, never answered, no room) and came within the span. */
function alike(newer: HistoryRow, older: HistoryRow, oldestAt: number): boolean {
  return (
    newer.group === null && older.group === null && newer.duration === null && older.duration === null && newer.outcome !== 'In progress' &&
    newer.peer.username === older.peer.username && newer.direction === older.direction && newer.outcome === older.outcome &&
    newer.missed === older.missed && newer.video === older.video && oldestAt - older.startedAt < GROUPED_WITHIN_MS
  );
}

/** The rows as shown, newest first: unanswered calls in a row that read alike folded into one, counted. */
export function historyRows(entries: readonly HistoryEntry[]): HistoryRow[] {
  const rows: HistoryRow[] = [];
  let oldestAt = 0;
  for (const row of entries.map(rowOf)) {
    const last = rows.at(-1);
    if (last && alike(last, row, oldestAt)) {
      rows[rows.length - 1] = { ...last, attempts: last.attempts + row.attempts, chat: last.chat || row.chat };
    } else {
      rows.push(row);
    }
    oldestAt = row.startedAt;
  }
  return rows;
}

function rowOf(e: HistoryEntry): HistoryRow {
  return {
    key: e.callId,
    peer: e.peer,
    direction: e.direction,
    joined: e.room !== undefined,
    outcome: outcomeOf(e),
    missed: e.missed,
    duration: e.answeredAt !== null && e.endedAt !== null ? formatDuration(e.endedAt - e.answeredAt) : null,
    startedAt: e.startedAt,
    video: e.media.video,
    chat: e.chat === true,
    transfer: e.transfer ? `${e.transfer.from.displayName} → ${e.transfer.to.displayName}, by ${e.transfer.by.displayName}` : null,
    attempts: e.attempts ?? 1,
    group: groupOf(e),
  };
}
