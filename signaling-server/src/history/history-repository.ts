/**
 * Call history: one row per call, written when it starts and completed when
 * it is answered and when it ends, so a crash loses at most the ending. A
 * group call (a named room, or a call someone was added to) also lists who
 * took part, in call_participants.
 */
import type { ExpressionBuilder, Insertable, Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import { prepared } from '../db/prepared.js';
import type { CallsTable, DatabaseSchema } from '../db/schema.js';
import { END_REASONS, FAILURE_CAUSES, type EndReason, type FailureCause, type HistoryEntry, type Media, type UserRef } from '../protocol/index.js';

/** How far apart the same refusal to the same callee still makes one row. */
export const REFUSALS_MERGED_MS = 60 * 60 * 1000;

/** Outcomes that leave the callee with a missed call (declining is a choice, not a miss). */
export const MISSED_OUTCOMES: readonly EndReason[] = ['no-answer', 'cancelled', 'offline', 'busy', 'dnd'];

export interface CallRecordStart {
  callId: string;
  caller: string;
  /** '' for a named room. */
  callee: string;
  media: Media;
  startedAt: number;
  room?: string | null;
  /** An unkept room's join code as stored (room-codes.ts hashCode), kept while the room is open. */
  roomCode?: string | null;
}

export interface StoredCall extends CallRecordStart {
  answeredAt: number | null;
  endedAt: number | null;
  outcome: EndReason | null;
  /** What made a `failed` call fail, when that is known. */
  cause?: FailureCause;
  /** A group call: someone was added to it, or it is a named room. */
  group: boolean;
  /** Its media went through the SFU (see onSfu). */
  sfu: boolean;
}

/** Someone in a call as history has it (see members()). */
export interface CallMember {
  username: string;
  joinedAt: number;
  leftAt: number | null;
}

const isEndReason = (v: string | null): v is EndReason => END_REASONS.includes(v as EndReason);
const isFailureCause = (v: string | null): v is FailureCause => FAILURE_CAUSES.includes(v as FailureCause);

// What every call and every sign-in runs (prepared.ts).
const startedQuery = prepared(
  ['attempts', 'call_id', 'caller', 'callee', 'audio', 'video', 'started_at', 'room', 'room_code'],
  (db, row: Pick<Insertable<CallsTable>, 'call_id' | 'caller' | 'callee' | 'audio' | 'video' | 'started_at'> & { attempts: number; room: string | null; room_code: string | null }) =>
    db.insertInto('calls').values(row),
);
const answeredQuery = prepared(['callId', 'at'], (db, p: { callId: string; at: number }) =>
  db.updateTable('calls').set({ answered_at: p.at }).where('call_id', '=', p.callId),
);
const endedQuery = prepared(['callId', 'outcome', 'at', 'cause'], (db, p: { callId: string; outcome: EndReason; at: number; cause: FailureCause | null }) =>
  db
    .updateTable('calls')
    // A closed room's code has no use any more.
    .set({ ended_at: p.at, outcome: p.outcome, room_code: null, failure_cause: p.cause })
    .where('call_id', '=', p.callId)
    .where('ended_at', 'is', null),
);
const missedCountQuery = prepared(['username', 'since'], (db, p: { username: string; since: number }) =>
  db
    .selectFrom('calls')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('callee', '=', p.username)
    .where('answered_at', 'is', null)
    .where('outcome', 'in', MISSED_OUTCOMES)
    .where('ended_at', '>', p.since),
);

export class HistoryRepository {
  constructor(private readonly db: Database) {}

  async started(call: CallRecordStart, attempts = 1): Promise<void> {
    await startedQuery(this.db, {
      attempts,
      call_id: call.callId,
      caller: call.caller,
      callee: call.callee,
      audio: call.media.audio ? 1 : 0,
      video: call.media.video ? 1 : 0,
      started_at: call.startedAt,
      room: call.room ?? null,
      room_code: call.roomCode ?? null,
    });
  }

  /** A call's row written beside its placing, which the store then refused: it was never placed (its refusal is written instead). */
  async discard(callId: string): Promise<void> {
    await this.db.deleteFrom('calls').where('call_id', '=', callId).where('answered_at', 'is', null).execute();
  }

  /** People join a group call (again, for someone who had left). */
  async joined(callId: string, people: { username: string; joinedAt: number }[]): Promise<void> {
    if (people.length === 0) return;
    await this.db
      .insertInto('call_participants')
      .values(people.map((p) => ({ call_id: callId, username: p.username, joined_at: p.joinedAt })))
      .onConflict((oc) => oc.columns(['call_id', 'username']).doUpdateSet({ left_at: null }))
      .execute();
  }

  async left(callId: string, username: string, at: number): Promise<void> {
    await this.db
      .updateTable('call_participants')
      .set({ left_at: at })
      .where('call_id', '=', callId)
      .where('username', '=', username)
      .execute();
  }

  async answered(callId: string, at: number): Promise<void> {
    await answeredQuery(this.db, { callId, at });
  }

  /** A room's owner changed its code (null: removed). */
  async setRoomCode(callId: string, code: string | null): Promise<void> {
    await this.db.updateTable('calls').set({ room_code: code }).where('call_id', '=', callId).where('ended_at', 'is', null).execute();
  }

  async ended(callId: string, outcome: EndReason, at: number, cause?: FailureCause): Promise<void> {
    await endedQuery(this.db, { callId, outcome, at, cause: outcome === 'failed' ? (cause ?? null) : null });
  }

  /**
   * A room closed: ended like any call, or forgotten when nobody but its
   * opener ever came in. Opening an empty room and leaving it, in a loop,
   * then writes nothing that stays.
   */
  async roomClosed(callId: string, outcome: EndReason, at: number, cause?: FailureCause): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const { n } = await trx.selectFrom('call_participants').select((eb) => eb.fn.countAll<number | string>().as('n')).where('call_id', '=', callId).executeTakeFirstOrThrow();
      if (Number(n) > 1) return new HistoryRepository(trx).ended(callId, outcome, at, cause);
      await trx.deleteFrom('call_participants').where('call_id', '=', callId).execute();
      await trx.deleteFrom('calls').where('call_id', '=', callId).execute();
    });
  }

  /** The call's media moved to the SFU, for good. */
  async onSfu(callId: string): Promise<void> {
    await this.db.updateTable('calls').set({ sfu: 1 }).where('call_id', '=', callId).where('sfu', '=', 0).execute();
  }

  /** The call was transferred: `by` handed `from` to `to` (the last transfer, if it was transferred again). */
  async transferred(callId: string, t: { by: string; from: string; to: string }): Promise<void> {
    await this.db.updateTable('calls').set({ transferred_by: t.by, transferred_from: t.from, transferred_to: t.to }).where('call_id', '=', callId).execute();
  }

  async noteChat(callId: string): Promise<void> {
    await this.db.updateTable('calls').set({ chat: 1 }).where('call_id', '=', callId).execute();
  }

  /**
   * A call that never rang (callee offline, busy, on DND): started and ended
   * at once. When the last call from this caller to this callee was the same
   * refusal, within REFUSALS_MERGED_MS, a row counting both replaces it
   * (numbered anew, so it lists as the newest on both sides).
   */
  async refused(call: CallRecordStart, outcome: EndReason): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const last = await trx
        .selectFrom('calls')
        .select(['call_id', 'outcome', 'answered_at', 'room', 'attempts', 'started_at'])
        .where('caller', '=', call.caller)
        .where('callee', '=', call.callee)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      const repeat = last?.outcome === outcome && last.answered_at === null && last.room === null && call.startedAt - last.started_at < REFUSALS_MERGED_MS;
      if (repeat) await trx.deleteFrom('calls').where('call_id', '=', last.call_id).execute();
      // The merged row keeps its call id, so a client that listed it replaces it rather than showing both.
      const row = repeat ? { ...call, callId: last.call_id } : call;
      const repo = new HistoryRepository(trx);
      await repo.started(row, repeat ? last.attempts + 1 : 1);
      await repo.ended(row.callId, outcome, row.startedAt);
    });
  }

  /** Deletes calls that started before `before` and have ended, with their participants; returns how many. */
  async prune(before: number): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const old = (eb: ExpressionBuilder<DatabaseSchema, 'calls'>) => eb.and([eb('started_at', '<', before), eb('ended_at', 'is not', null)]);
      await trx
        .deleteFrom('call_participants')
        .where('call_id', 'in', (eb) => eb.selectFrom('calls').select('call_id').where(old))
        .execute();
      const res = await trx.deleteFrom('calls').where(old).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }

  /** One call's row, to check a claim to resume it against. */
  async find(callId: string): Promise<StoredCall | undefined> {
    const r = await this.db.selectFrom('calls').selectAll().where('call_id', '=', callId).executeTakeFirst();
    if (!r) return undefined;
    const member = await this.db.selectFrom('call_participants').select('username').where('call_id', '=', callId).executeTakeFirst();
    return {
      callId: r.call_id,
      caller: r.caller,
      callee: r.callee,
      media: { audio: r.audio === 1, video: r.video === 1 },
      startedAt: r.started_at,
      answeredAt: r.answered_at,
      endedAt: r.ended_at,
      outcome: isEndReason(r.outcome) ? r.outcome : null,
      ...(r.outcome === 'failed' && isFailureCause(r.failure_cause) && { cause: r.failure_cause }),
      room: r.room,
      roomCode: r.room_code,
      group: r.room !== null || member !== undefined,
      sfu: r.sfu === 1,
    };
  }

  /**
   * Everyone who took part in an answered call, in the order they joined,
   * with when they left (null: still in it as far as history knows). A 1:1
   * call lists no one in call_participants: its caller and callee.
   */
  async members(call: StoredCall): Promise<CallMember[]> {
    const rows = await this.db
      .selectFrom('call_participants')
      .select(['username', 'joined_at', 'left_at'])
      .where('call_id', '=', call.callId)
      .orderBy('joined_at')
      .orderBy('username')
      .execute();
    if (rows.length > 0) return rows.map((r) => ({ username: r.username, joinedAt: r.joined_at, leftAt: r.left_at }));
    const pair = [
      { username: call.caller, joinedAt: call.startedAt, leftAt: null },
      { username: call.callee, joinedAt: call.answeredAt ?? call.startedAt, leftAt: null },
    ];
    // A named room's row has no callee.
    return pair.filter((m) => m.username !== '');
  }

  /**
   * Calls a previous process left open (started before `before`): all of
   * them, or only those never answered (answered ones may still resume).
   */
  async dangling(before: number, which: 'unanswered' | 'all'): Promise<string[]> {
    let q = this.db.selectFrom('calls').select('call_id').where('ended_at', 'is', null).where('started_at', '<', before);
    if (which === 'unanswered') q = q.where('answered_at', 'is', null);
    return (await q.execute()).map((r) => r.call_id);
  }

  /** Calls that may still be ringing as far as history knows (neither answered nor ended), started in [since, before). */
  async unansweredOpen(since: number, before: number): Promise<{ callId: string; caller: string; callee: string }[]> {
    return this.db
      .selectFrom('calls')
      .select(['call_id as callId', 'caller', 'callee'])
      .where('ended_at', 'is', null)
      .where('answered_at', 'is', null)
      .where('started_at', '>=', since)
      .where('started_at', '<', before)
      .execute();
  }

  /** The user's calls, newest first, before the `before` cursor. */
  /** `since`: the account's creation, so a re-created username does not inherit calls. */
  async list(
    username: string,
    options: { before?: number; limit: number; since: number },
    refs: (usernames: string[]) => Promise<Map<string, UserRef>>,
  ): Promise<HistoryEntry[]> {
    let q = this.db
      .selectFrom('calls')
      .selectAll()
      .where((eb) =>
        eb.or([
          eb('caller', '=', username),
          eb('callee', '=', username),
          eb('call_id', 'in', eb.selectFrom('call_participants').select('call_id').where('username', '=', username)),
        ]),
      )
      .where('started_at', '>=', options.since)
      // A call refused by the caller's limit never rang: it is the caller's to see, not the callee's.
      .where((eb) => eb.or([eb('outcome', 'is', null), eb('outcome', '!=', 'limited'), eb('callee', '!=', username)]));
    if (options.before !== undefined) q = q.where('seq', '<', options.before);
    const rows = await q.orderBy('seq', 'desc').limit(options.limit).execute();
    const ids = rows.map((r) => r.call_id);
    const members =
      ids.length === 0
        ? []
        : await this.db
            .selectFrom('call_participants')
            .select(['call_id', 'username'])
            .where('call_id', 'in', ids)
            .orderBy('joined_at')
            .orderBy('username')
            .execute();
    const byCall = new Map<string, string[]>();
    for (const m of members) byCall.set(m.call_id, [...(byCall.get(m.call_id) ?? []), m.username]);
    const peerOf = (r: Selectable<CallsTable>) => (r.caller !== username ? r.caller : r.callee || (byCall.get(r.call_id) ?? []).find((u) => u !== username) || username);
    const transfers = rows.flatMap((r) => [r.transferred_by, r.transferred_from, r.transferred_to]).filter((u): u is string => u !== null);
    const names = new Set([...rows.map(peerOf), ...members.map((m) => m.username), ...transfers]);
    const known = await refs([...names]);
    return rows.map((r) => toEntry(r, username, peerOf(r), byCall.get(r.call_id), known));
  }

  async missedCount(username: string, since: number): Promise<number> {
    const [row] = await missedCountQuery(this.db, { username, since });
    return Number(row?.n ?? 0);
  }
}

/**
 * One row from `username`'s side. `peer` is the other side of the call as it
 * was placed; for a named room, whoever opened it (or, for the one who did,
 * the first to join them).
 */
function toEntry(
  r: Selectable<CallsTable>,
  username: string,
  peer: string,
  members: string[] | undefined,
  known: Map<string, UserRef>,
): HistoryEntry {
  const outgoing = r.caller === username;
  const outcome = isEndReason(r.outcome) ? r.outcome : null;
  const ref = (u: string) => known.get(u) ?? { username: u, displayName: u };
  const group = r.room !== null || members !== undefined;
  return {
    seq: r.seq,
    callId: r.call_id,
    direction: outgoing ? 'outgoing' : 'incoming',
    peer: ref(peer),
    media: { audio: r.audio === 1, video: r.video === 1 },
    startedAt: r.started_at,
    answeredAt: r.answered_at,
    endedAt: r.ended_at,
    outcome,
    ...(outcome === 'failed' && isFailureCause(r.failure_cause) && { cause: r.failure_cause }),
    missed: !outgoing && r.answered_at === null && outcome !== null && MISSED_OUTCOMES.includes(outcome),
    chat: r.chat === 1,
    ...(r.attempts > 1 && { attempts: r.attempts }),
    ...(r.room !== null && { room: r.room }),
    ...(group && { participants: (members ?? []).filter((u) => u !== username).map(ref) }),
    ...(r.transferred_by !== null && r.transferred_from !== null && r.transferred_to !== null && {
      transfer: { by: ref(r.transferred_by), from: ref(r.transferred_from), to: ref(r.transferred_to) },
    }),
  };
}
