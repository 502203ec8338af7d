/** Each user's own voicemail greeting, played to callers before they record (one per user, replaced when recorded again). */
import type { Database } from '../db/database.js';
import { VOICEMAIL_MIMES, type VoicemailMime } from '../protocol/index.js';

export class GreetingRepository {
  constructor(private readonly db: Database) {}

  async set(username: string, greeting: { mime: VoicemailMime; durationMs: number; audio: Buffer; at: number }): Promise<void> {
    const row = { updated_at: greeting.at, duration_ms: greeting.durationMs, mime: greeting.mime, audio: greeting.audio };
    await this.db
      .insertInto('voicemail_greetings')
      .values({ username, ...row })
      .onConflict((oc) => oc.column('username').doUpdateSet(row))
      .execute();
  }

  async get(username: string): Promise<{ mime: VoicemailMime; audio: Buffer } | undefined> {
    const row = await this.db.selectFrom('voicemail_greetings').select(['mime', 'audio']).where('username', '=', username).executeTakeFirst();
    if (!row || !VOICEMAIL_MIMES.includes(row.mime as VoicemailMime)) return undefined;
    return { mime: row.mime as VoicemailMime, audio: Buffer.from(row.audio) };
  }

  async has(username: string): Promise<boolean> {
    return (await this.db.selectFrom('voicemail_greetings').select('username').where('username', '=', username).executeTakeFirst()) !== undefined;
  }

  async remove(username: string): Promise<boolean> {
    const res = await this.db.deleteFrom('voicemail_greetings').where('username', '=', username).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
