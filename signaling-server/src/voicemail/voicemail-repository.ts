/**
 * Stored voicemail: one row per message, its audio in the row (see migration
 * 0014), so storing one is a single insert that lands whole or not at all.
 * Every query names the callee: nobody reaches a message of someone else's,
 * whatever id they try.
 */
import { randomBytes } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { Database } from '../db/database.js';
import type { SqlDialect } from '../db/migrations.js';
import type { VoicemailsTable } from '../db/schema.js';
import { VOICEMAIL_LIST_LIMIT, VOICEMAIL_MIMES, type VoicemailMime } from '../protocol/index.js';

/** 144 random bits, 24 URL-safe characters (voicemailIdSchema). */
export const newVoicemailId = (): string => randomBytes(18).toString('base64url');

export interface NewVoicemail {
  callee: string;
  caller: string;
  createdAt: number;
  durationMs: number;
  mime: VoicemailMime;
  audio: Buffer;
}

export interface StoredVoicemail {
  id: string;
  caller: string;
  createdAt: number;
  durationMs: number;
  size: number;
  mime: VoicemailMime;
  heard: boolean;
}

/** Per callee: most messages and most bytes of audio kept at once. */
export interface MailboxLimits {
  count: number;
  bytes: number;
}

export type StoreResult = { stored: StoredVoicemail } | { refused: 'full' | 'no_callee' };

const asMime = (m: string): VoicemailMime => (VOICEMAIL_MIMES.includes(m as VoicemailMime) ? (m as VoicemailMime) : 'audio/webm');

const toStored = (r: Omit<Selectable<VoicemailsTable>, 'audio' | 'callee'>): StoredVoicemail => ({
  id: r.id,
  caller: r.caller,
  createdAt: r.created_at,
  durationMs: r.duration_ms,
  size: r.size,
  mime: asMime(r.mime),
  heard: r.heard_at !== null,
});

const SUMMARY = ['id', 'caller', 'created_at', 'duration_ms', 'size', 'mime', 'heard_at'] as const;

export class VoicemailRepository {
  constructor(
    private readonly db: Database,
    private readonly dialect: SqlDialect,
  ) {}

  /**
   * Stores a message unless the callee is gone, disabled, or would go past
   * `limits`, in one transaction. On PostgreSQL an advisory lock per callee
   * makes messages to one callee from several nodes wait for each other, so
   * none slips past the limits; SQLite has one writer at a time anyway.
   */
  async store(message: NewVoicemail, limits: MailboxLimits): Promise<StoreResult> {
    return this.db.transaction().execute(async (trx): Promise<StoreResult> => {
      if (this.dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${`voicemail:${message.callee}`}))`.execute(trx);
      const callee = await trx.selectFrom('users').select('disabled').where('username', '=', message.callee).executeTakeFirst();
      if (!callee || callee.disabled === 1) return { refused: 'no_callee' };
      const used = await usage(trx, message.callee);
      if (used.count + 1 > limits.count || used.bytes + message.audio.length > limits.bytes) return { refused: 'full' };
      const row = {
        id: newVoicemailId(),
        callee: message.callee,
        caller: message.caller,
        created_at: message.createdAt,
        duration_ms: message.durationMs,
        size: message.audio.length,
        mime: message.mime,
        heard_at: null,
        audio: message.audio,
      };
      await trx.insertInto('voicemails').values(row).execute();
      return { stored: toStored(row) };
    });
  }

  /** How much of the callee's box is taken. */
  async usage(callee: string): Promise<{ count: number; bytes: number }> {
    return usage(this.db, callee);
  }

  /** The callee's messages, unheard first, then newest first. */
  async list(callee: string): Promise<StoredVoicemail[]> {
    const rows = await this.db
      .selectFrom('voicemails')
      .select(SUMMARY)
      .where('callee', '=', callee)
      .orderBy(sql`case when heard_at is null then 0 else 1 end`)
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(VOICEMAIL_LIST_LIMIT)
      .execute();
    return rows.map(toStored);
  }

  async unheard(callee: string): Promise<number> {
    const row = await this.db
      .selectFrom('voicemails')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('callee', '=', callee)
      .where('heard_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One message's audio, only for its callee. */
  async audio(callee: string, id: string): Promise<{ mime: VoicemailMime; audio: Buffer } | undefined> {
    const row = await this.db.selectFrom('voicemails').select(['mime', 'audio']).where('id', '=', id).where('callee', '=', callee).executeTakeFirst();
    return row && { mime: asMime(row.mime), audio: Buffer.from(row.audio) };
  }

  /** Marks a message heard (it stays heard); false when the callee has no such message. */
  async markHeard(callee: string, id: string, at: number): Promise<boolean> {
    await this.db.updateTable('voicemails').set({ heard_at: at }).where('id', '=', id).where('callee', '=', callee).where('heard_at', 'is', null).execute();
    const row = await this.db.selectFrom('voicemails').select('id').where('id', '=', id).where('callee', '=', callee).executeTakeFirst();
    return row !== undefined;
  }

  async remove(callee: string, id: string): Promise<boolean> {
    const res = await this.db.deleteFrom('voicemails').where('id', '=', id).where('callee', '=', callee).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  /**
   * Deletes every message left for `username` (the admin's `voicemail purge`) and, with `greeting`,
   * their greeting too (their account was disabled or removed); returns how many messages.
   */
  async purge(username: string, greeting: boolean): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (greeting) await trx.deleteFrom('voicemail_greetings').where('username', '=', username).execute();
      const res = await trx.deleteFrom('voicemails').where('callee', '=', username).executeTakeFirst();
      return Number(res.numDeletedRows);
    });
  }

  /** Deletes messages left before `before`; returns how many. */
  async prune(before: number): Promise<number> {
    const res = await this.db.deleteFrom('voicemails').where('created_at', '<', before).executeTakeFirst();
    return Number(res.numDeletedRows);
  }

  /** Every stored message: how many and their bytes (metrics). */
  async totals(): Promise<{ count: number; bytes: number }> {
    return usage(this.db);
  }
}

/** How many messages and bytes of audio are stored: for one callee, or (no callee) in all. */
async function usage(db: Database, callee?: string): Promise<{ count: number; bytes: number }> {
  let q = db
    .selectFrom('voicemails')
    .select((eb) => [eb.fn.countAll<number | string>().as('n'), eb.fn.coalesce(eb.fn.sum<number | string>('size'), sql<number>`0`).as('bytes')]);
  if (callee !== undefined) q = q.where('callee', '=', callee);
  const row = await q.executeTakeFirstOrThrow();
  return { count: Number(row.n), bytes: Number(row.bytes) };
}
