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
 *
 * Who goes first: a waiter also counts itself as waiting, and a writer that gives way (the
 * ingest thread: group commit turns a later start into a larger group) does not begin while
 * another writer waits. Otherwise the ingest thread, already running when its commit woke
 * the server's thread, mostly took the lock again first, and a webhook's moment write waited
 * out a second ingest transaction (under P8 the server's waits were 2–4 ms each; now they are
 * too short to count, and the ingest thread waits instead).
 */
export class WriteLockSignal {
  readonly #releases: Int32Array;
  readonly #waiting: Int32Array;
  /** Whether this writer lets a waiting one go first (`othersFirst` before it begins). */
  readonly givesWay: boolean;

  /** `memory` from `WriteLockSignal.memory()`, the same for every writer of the file. */
  constructor(memory: SharedArrayBuffer, givesWay = false) {
    this.#releases = new Int32Array(memory, 0, 1);
    this.#waiting = new Int32Array(memory, Int32Array.BYTES_PER_ELEMENT, 1);
    this.givesWay = givesWay;
  }

  /** What the writers of one file share; it crosses to a worker thread as it is, not copied. */
  static memory(): SharedArrayBuffer {
    return new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
  }

  /** A writer found the lock taken and waits for it; `stopWaiting` once it has it (or gave up). */
  startWaiting(): void {
    Atomics.add(this.#waiting, 0, 1);
  }

  stopWaiting(): void {
    Atomics.sub(this.#waiting, 0, 1);
  }

  /** For a writer that gives way: resolves once no other writer waits for the lock, or after `ms`. */
  async othersFirst(ms: number): Promise<void> {
    const until = performance.now() + ms;
    for (let left = ms; Atomics.load(this.#waiting, 0) > 0 && left > 0; left = until - performance.now()) {
      // The waiter stops waiting once it has the lock, which it may take a moment to try for.
      await this.untilReleased(this.releases(), Math.min(left, 1));
    }
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
