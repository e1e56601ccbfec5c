import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Tables } from './tables.ts';
import { pageLimit } from './page-limit.ts';

const compilers = {
  sqlite: new Kysely<Tables>({ dialect: { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new SqliteIntrospector(db), createQueryCompiler: () => new SqliteQueryCompiler() } }),
  postgres: new Kysely<Tables>({ dialect: { createAdapter: () => new PostgresAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new PostgresIntrospector(db), createQueryCompiler: () => new PostgresQueryCompiler() } }),
};

describe('pageLimit', () => {
  it.each(Object.entries(compilers))('writes the limit into the SQL on %s, leaving the parameters to the filters', (_engine, db) => {
    const query = db.selectFrom('moment').select('id').where('workspace_id', '=', 'w').limit(pageLimit(51)).compile();
    expect(query.sql).toMatch(/ limit 51$/);
    expect(query.parameters).toEqual(['w']);
  });

  it('refuses anything but a whole number of rows in range', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, 1_002]) expect(() => pageLimit(bad)).toThrow(RangeError);
    expect(() => pageLimit(1_001)).not.toThrow();
  });
});
