import type { SqliteStatement } from 'kysely';

type Connection = { readonly inTransaction: boolean };

/**
 * The statement, calling `ended` each time it succeeds and leaves the connection outside a
 * transaction that was written in: it ended one (the statements `endsTransaction` matches
 * may), or it wrote outside any, which commits by itself. Other statements that SQLite calls
 * read-only are returned as they are.
 */
export function whenWritesEnd(sql: string, statement: SqliteStatement, readonly: boolean, connection: Connection, endsTransaction: RegExp, ended: () => void): SqliteStatement {
  if (readonly && !endsTransaction.test(sql)) return statement;
  const after = (wasInTransaction: boolean) => {
    if (!connection.inTransaction && (wasInTransaction || !readonly)) ended();
  };
  return {
    reader: statement.reader,
    all: (parameters) => {
      const was = connection.inTransaction;
      const rows = statement.all(parameters);
      after(was);
      return rows;
    },
    iterate: (parameters) => statement.iterate(parameters),
    run: (parameters) => {
      const was = connection.inTransaction;
      const result = statement.run(parameters);
      after(was);
      return result;
    },
  };
}
