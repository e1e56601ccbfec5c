import type { SqliteStatement } from 'kysely';

type Handle = { pragma(source: string): unknown; readonly inTransaction: boolean };

/**
 * One SQLite connection's busy timeout, off while `begin immediate` is tried (the dialect then
 * waits for the write lock on a timer, not asleep on the event loop: sqlite-dialect.ts) and on
 * again only when a statement is about to run outside a transaction. Transactions back to back
 * (every moment write, every ingest group) then switch nothing, where a pragma before and after
 * each `begin` cost two statements a transaction (30–80 µs on this VM after a pause).
 * Inside a transaction that holds the write lock nothing waits on a lock (WAL: readers never
 * block it), so no statement there needs the timeout.
 */
export class BusyTimeout {
  readonly #handle: Handle;
  readonly #ms: number;
  #off = false;

  constructor(handle: Handle, ms: number) {
    this.#handle = handle;
    this.#ms = ms;
  }

  /** Before `begin immediate`: SQLITE_BUSY at once when another connection holds the lock. */
  off(): void {
    if (this.#off) return;
    this.#handle.pragma('busy_timeout = 0');
    this.#off = true;
  }

  /** The statement, turning the timeout back on first whenever it runs outside a transaction. */
  guard(sql: string, statement: SqliteStatement): SqliteStatement {
    // A BEGIN runs outside a transaction by nature; it is the one statement that must not wait.
    if (/^\s*begin\b/i.test(sql)) return statement;
    const restore = () => {
      if (this.#off && !this.#handle.inTransaction) {
        this.#handle.pragma(`busy_timeout = ${this.#ms}`);
        this.#off = false;
      }
    };
    return {
      reader: statement.reader,
      all: (parameters) => {
        restore();
        return statement.all(parameters);
      },
      iterate: (parameters) => {
        restore();
        return statement.iterate(parameters);
      },
      run: (parameters) => {
        restore();
        return statement.run(parameters);
      },
    };
  }
}
