import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rowsByLiteral } from './rows-by-literal.ts';

describe('rowsByLiteral', () => {
  let db: SQLite.Database;
  beforeEach(() => {
    db = new SQLite(':memory:');
    db.exec(`create table t (id text primary key, n integer, x real, b blob, note text);
      insert into t values ('a', 1, 1.5, x'00ff', null), ('b', 9007199254740991, -0.25, null, 'naïve "quoted" text');`);
  });
  afterEach(() => db.close());

  /** The rows better-sqlite3 makes itself, beside the rows of the wrapped statement. */
  const both = (sql: string, parameters: unknown[] = []) => ({
    usual: db.prepare(sql).all(...parameters),
    literal: rowsByLiteral(db.prepare(sql)).all(parameters),
  });

  it('gives the same rows, values and key order as better-sqlite3', () => {
    const { usual, literal } = both('select * from t order by id');
    expect(literal).toEqual(usual);
    expect(literal.map((row) => Object.keys(row as object))).toEqual(usual.map((row) => Object.keys(row as object)));
    expect((literal[0] as { b: Buffer }).b).toEqual(Buffer.from([0, 255]));
  });

  it('binds parameters as the driver passes them (one array)', () => {
    const { usual, literal } = both('select id, n from t where n > ? and id <> ?', [0, 'a']);
    expect(literal).toEqual([{ id: 'b', n: 9007199254740991 }]);
    expect(literal).toEqual(usual);
  });

  it('lets the last of two same-named columns win, as better-sqlite3 does', () => {
    const { usual, literal } = both(`select id, note as id, n from t where id = 'b'`);
    expect(literal).toEqual(usual);
    expect(literal).toEqual([{ id: 'naïve "quoted" text', n: 9007199254740991 }]);
  });

  it('makes any column name a plain own key, quotes and all', () => {
    const { usual, literal } = both(`select 1 as "a""b", 2 as "c: d}", 3 as "constructor"`);
    expect(literal).toEqual(usual);
    expect(Object.getPrototypeOf(literal[0])).toBe(Object.prototype);
  });

  it('keeps the usual rows for a column named __proto__', () => {
    const statement = rowsByLiteral(db.prepare(`select 'x' as "__proto__", 2 as n`));
    expect(statement.all([])).toEqual(db.prepare(`select 'x' as "__proto__", 2 as n`).all());
  });

  it('iterates row by row the same way', () => {
    const statement = rowsByLiteral(db.prepare('select id, note from t order by id'));
    expect([...statement.iterate([])]).toEqual(db.prepare('select id, note from t order by id').all());
  });

  it('leaves a writing statement as it is', () => {
    const insert = db.prepare(`insert into t (id, n) values (?, ?)`);
    expect(rowsByLiteral(insert)).toBe(insert);
    expect(rowsByLiteral(insert).run(['c', 3]).changes).toBe(1);
  });
});
