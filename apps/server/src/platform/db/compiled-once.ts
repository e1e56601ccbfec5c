import { CompiledQuery, type Compilable, type DialectAdapter } from 'kysely';
import type { Db } from './database.ts';

type Params = Readonly<Record<string, unknown>>;

/** What a query compiled to: its SQL, and for each parameter a value of the call's or a constant. */
type Compiled = { readonly sql: string; readonly keys: number; readonly slots: readonly ({ readonly name: string } | { readonly value: unknown })[] };

const SENTINEL = '\u0000param:';

/**
 * A query whose shape never changes, built and compiled by Kysely once per dialect and then
 * run with each call's values. Kysely builds and compiles a query anew on every call: for a
 * 17-column insert that is 20–60 µs, more than SQLite takes to run it. Hot writes (each chat
 * message, each webhook delivery) use this.
 *
 * `build` is handed placeholders for the call's values: it must use them as values only
 * (never look at them, branch on them or spread lists), and it sees the keys of the first
 * call's `params`; every later call must give the same keys (a call with more or fewer throws).
 * @example
 * const byId = compiledOnce((db, p: { workspaceId: string; id: string }) => db.selectFrom('moment').selectAll().where('workspace_id', '=', p.workspaceId).where('id', '=', p.id));
 * const [row] = await byId(tx, { workspaceId, id });
 */
export function compiledOnce<P extends Params, R>(build: (db: Db, params: P) => Compilable<R>): (on: Db, params: P) => Promise<R[]> {
  const byDialect = new WeakMap<DialectAdapter, Compiled>();
  return async (on, params) => {
    const adapter = on.getExecutor().adapter;
    let compiled = byDialect.get(adapter);
    if (!compiled) byDialect.set(adapter, (compiled = compile(on, build, params)));
    // A key the first call did not have would be left out of an insert without a word.
    if (Object.keys(params).length !== compiled.keys) throw new Error(`compiledOnce: called with ${Object.keys(params).join(', ')}, compiled for ${compiled.keys} keys`);
    const values = compiled.slots.map((slot) => {
      if (!('name' in slot)) return slot.value;
      const value = params[slot.name];
      if (value === undefined) throw new Error(`compiledOnce: no value for ${slot.name}`);
      return value;
    });
    const result = await on.executeQuery<R>(CompiledQuery.raw(compiled.sql, values));
    return result.rows;
  };
}

function compile<P extends Params>(on: Db, build: (db: Db, params: P) => Compilable<unknown>, sample: P): Compiled {
  // Any property read is a placeholder (a key the first call lacks is still caught at run time);
  // the keys an insert lists are the first call's.
  const placeholder = (name: string | symbol) => (typeof name === 'string' ? `${SENTINEL}${name}` : undefined);
  const placeholders = new Proxy({} as P, {
    get: (_target, name) => placeholder(name),
    ownKeys: () => Object.keys(sample),
    getOwnPropertyDescriptor: (_target, name) => ({ value: placeholder(name), enumerable: true, configurable: true, writable: false }),
  });
  const { sql, parameters } = build(on, placeholders).compile();
  if (sql.includes(SENTINEL)) throw new Error(`compiledOnce: a placeholder was written into the SQL, not passed as a value: ${sql}`);
  return { sql, keys: Object.keys(sample).length, slots: parameters.map((value) => (typeof value === 'string' && value.startsWith(SENTINEL) ? { name: value.slice(SENTINEL.length) } : { value })) };
}
