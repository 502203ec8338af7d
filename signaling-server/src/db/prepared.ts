/**
 * Queries on the hot paths (a sign-in, a call's setup) built and compiled by
 * Kysely once per database, then only bound to their values. Kysely builds
 * and compiles every query anew: in a profile of a login storm that was half
 * of a sign-in's SQL time, and SQLite's own work (its statements are cached,
 * database.ts) the other half.
 *
 * `build` receives a stand-in for each named value and must pass them as
 * plain values (`where(col, '=', p.name)`, `set({ col: p.name })`): a value
 * Kysely would look into (a list for `in`, null for `is`) cannot be a stand-in.
 * Anything else in the query is fixed when it is first compiled.
 */
import { CompiledQuery, type Compilable } from 'kysely';
import type { Database } from './database.js';

/** What a stand-in is at run time: recognised among the compiled parameters by identity. */
class Slot {
  constructor(readonly name: string) {}
}

export type PreparedQuery<V, R> = (db: Database, values: V) => Promise<R[]>;

export function prepared<V extends Record<string, unknown>, R>(
  names: readonly (keyof V & string)[],
  build: (db: Database, p: V) => Compilable<R>,
): PreparedQuery<V, R> {
  const compiled = new WeakMap<Database, CompiledQuery<R>>();
  return async (db, values) => {
    let query = compiled.get(db);
    if (!query) {
      // The stand-ins travel through Kysely as opaque values: typed as what they stand for.
      query = build(db, standIns(names) as unknown as V).compile();
      const bound = new Set(query.parameters.filter((p) => p instanceof Slot).map((p) => p.name));
      if (names.some((n) => !bound.has(n))) throw new Error(`prepared query: a value is not a parameter: ${query.sql}`);
      compiled.set(db, query);
    }
    const parameters = query.parameters.map((p) => (p instanceof Slot ? values[p.name] : p));
    const { rows } = await db.executeQuery<R>(CompiledQuery.raw(query.sql, parameters));
    return rows;
  };
}

/**
 * A stand-in for each name; reading a name that was not listed throws, so a
 * forgotten name fails the first run rather than dropping a column.
 */
function standIns(names: readonly string[]): Record<string, Slot> {
  const slots: Record<string, Slot> = Object.fromEntries(names.map((n) => [n, new Slot(n)]));
  return new Proxy(slots, {
    get(target, key) {
      if (typeof key === 'string' && !(key in target)) throw new Error(`prepared query: ${key} is not among its values`);
      return Reflect.get(target, key) as unknown;
    },
  });
}
