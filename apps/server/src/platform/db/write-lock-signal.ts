import type { SqliteStatement } from 'kysely';
import { whenWritesEnd } from './when-writes-end.ts';

/** Ends a transaction: COMMIT, END, ROLLBACK, or the RELEASE of the savepoint that began it. */
const ENDS_TRANSACTION = /^\s*(commit|end|rollback|release)\b/i;

/**
 * How the writers of one SQLite file inside one process (the server's thread and the ingest
 * thread, each with a connection of its own) hand each other the file's write lock.
 *
 * SQLite keeps no queue for the lock. A `begin immediate` that finds it taken fails at once
 * (sqlite-dialect.ts) and used to try again only after a pause of 1, 2, 4 … 20 ms, so each
 * wait overshot the other writer's transaction by up to a pause: in one P9 run, 12 of 2,084 chat
 * messages found the lock taken and waited 0.7–31 ms, most of them 3–8 ms. Each writer now
 * counts, in memory the threads share, every time it lets go of the lock, and a waiter sleeps
 * until that count moves or its pause runs out, whichever comes first. Writers that do not
 * count (another process, the CLI, the checkpoint thread's RESTART) are waited for by the
 * pause, as before.
 */
export class WriteLockSignal {
  readonly #releases: Int32Array;

  /** `memory` from `WriteLockSignal.memory()`, the same for every writer of the file. */
  constructor(memory: SharedArrayBuffer) {
    this.#releases = new Int32Array(memory, 0, 1);
  }

  /** What the writers of one file share; it crosses to a worker thread as it is, not copied. */
  static memory(): SharedArrayBuffer {
    return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  }

  /** Read before trying the lock: `untilReleased(seen)` then misses no release made meanwhile. */
  releases(): number {
    return Atomics.load(this.#releases, 0);
  }

  /** Resolves when some writer lets go of the lock after `seen` was read, or after `ms`. */
  async untilReleased(seen: number, ms: number): Promise<void> {
    // Asleep off the event loop: other sockets and callers run meanwhile.
    const wait = Atomics.waitAsync(this.#releases, 0, seen, ms);
    if (wait.async) await wait.value;
  }

  released(): void {
    Atomics.add(this.#releases, 0, 1);
    Atomics.notify(this.#releases, 0);
  }

  /**
   * The statement, telling the other writers when it let go of the lock: it ended the
   * transaction (a rollback too), or wrote outside one. Only when it succeeded: a `begin
   * immediate` that found the lock taken (not read-only to SQLite) let go of nothing, and a
   * waiter woken by it would try again at once, round and round.
   */
  watch(sql: string, statement: SqliteStatement, readonly: boolean, connection: { readonly inTransaction: boolean }): SqliteStatement {
    return whenWritesEnd(sql, statement, readonly, connection, ENDS_TRANSACTION, () => this.released());
  }
}
