/**
 * Rooms an admin keeps (`parley-server room add`), so a team's room name
 * cannot be squatted: whoever opens an unkept name sets its code for as long
 * as it is open, but a kept room's owner and join code outlive every call in
 * it. Only its owner (from the app, `room:code`) or an admin (the CLI)
 * changes its code. The code is stored as a salted SHA-256 (room-codes.ts).
 */
import type { Database } from '../db/database.js';
import { codeMatcher as matcher, hashCode } from './room-codes.js';

export interface PersistentRoom {
  name: string;
  owner: string;
  hasCode: boolean;
  createdAt: number;
  /** Whether `given` is the room's code; with no code, any join is let in. */
  matches: (given: string | undefined) => boolean;
}

export class RoomExistsError extends Error {
  override name = 'RoomExistsError';
}

export class PersistentRooms {
  constructor(private readonly db: Database) {}

  async find(name: string): Promise<PersistentRoom | undefined> {
    const row = await this.db.selectFrom('rooms').selectAll().where('name', '=', name).executeTakeFirst();
    return row && { name: row.name, owner: row.owner, hasCode: row.code_hash !== null, createdAt: row.created_at, matches: matcher(row.code_hash) };
  }

  async list(): Promise<PersistentRoom[]> {
    const rows = await this.db.selectFrom('rooms').selectAll().orderBy('name').execute();
    return rows.map((row) => ({ name: row.name, owner: row.owner, hasCode: row.code_hash !== null, createdAt: row.created_at, matches: matcher(row.code_hash) }));
  }

  async create(room: { name: string; owner: string; code: string | null }): Promise<void> {
    const res = await this.db
      .insertInto('rooms')
      .values({ name: room.name, owner: room.owner, code_hash: room.code === null ? null : hashCode(room.code), created_at: Date.now() })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) === 0) throw new RoomExistsError(`There is a room "${room.name}" already`);
  }

  /** Sets or (null) removes the code; false if there is no such room. */
  async setCode(name: string, code: string | null): Promise<boolean> {
    const res = await this.db.updateTable('rooms').set({ code_hash: code === null ? null : hashCode(code) }).where('name', '=', name).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async setOwner(name: string, owner: string): Promise<boolean> {
    const res = await this.db.updateTable('rooms').set({ owner }).where('name', '=', name).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  async remove(name: string): Promise<boolean> {
    const res = await this.db.deleteFrom('rooms').where('name', '=', name).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }
}
