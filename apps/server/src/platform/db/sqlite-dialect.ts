import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';
import type { BusyTimeout } from './busy-timeout.ts';
import type { CommitDurability } from './commit-durability.ts';
import type { WriteLockSignal } from './write-lock-signal.ts';

/** How long a statement waits for another connection's write lock before it fails with SQLITE_BUSY. */
export const BUSY_TIMEOUT_MS = 5_000;
const LONGEST_PAUSE_MS = 20;
/** The longest a writer that gives way waits for others before it tries the lock itself. */
const GIVE_WAY_MS = 50;

/**
 * Kysely's SQLite dialect, with transactions that wait for the write lock without holding up
 * the event loop.
 *
 * Two connections write to the file: this one and the ingest thread's. A transaction begins
 * IMMEDIATE, taking the write lock at once; otherwise a read-then-write would fail with
 * SQLITE_BUSY halfway instead of waiting its turn. But SQLite waits for a lock by sleeping in
 * the waiting thread, here the event loop: every socket stalled for as long as the ingest
 * thread's transaction ran (0.66 ms a moment write on average under webhook load, up to a
 * whole ingest group). So `begin immediate` runs without a busy timeout, and while the lock
 * is taken it is tried again when another writer of this process lets go of it (`writeLock`,
 * write-lock-signal.ts) or after a short timer; every statement outside a transaction still
 * waits by the timeout (busy-timeout.ts switches it).
 *
 * With `durability` (the connection syncs its WAL off the event loop, see wal-sync.ts), a use
 * of the connection that committed hands the connection on first and then waits for the sync:
 * its caller gets its result once the write is on disk, and other callers run meanwhile.
 */
export class SqliteDialectWithAsyncBegin extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  readonly #durability: CommitDurability | null;
  readonly #busyTimeout: BusyTimeout;
  readonly #writeLock: WriteLockSignal | null;

  constructor(config: SqliteDialectConfig & { readonly durability?: CommitDurability | null; readonly busyTimeout: BusyTimeout; readonly writeLock?: WriteLockSignal | null }) {
    super(config);
    this.#config = config;
    this.#durability = config.durability ?? null;
    this.#busyTimeout = config.busyTimeout;
    this.#writeLock = config.writeLock ?? null;
  }

  override createDriver(): Driver {
    return new AsyncBeginDriver(this.#config, this.#durability, this.#busyTimeout, this.#writeLock);
  }
}

class AsyncBeginDriver extends SqliteDriver {
  readonly #durability: CommitDurability | null;
  readonly #busyTimeout: BusyTimeout;
  readonly #writeLock: WriteLockSignal | null;

  constructor(config: SqliteDialectConfig, durability: CommitDurability | null, busyTimeout: BusyTimeout, writeLock: WriteLockSignal | null) {
    super(config);
    this.#durability = durability;
    this.#busyTimeout = busyTimeout;
    this.#writeLock = writeLock;
  }

  override async releaseConnection(): Promise<void> {
    const synced = this.#durability?.endOfUse() ?? null;
    await super.releaseConnection();
    if (synced) await synced;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    const lock = this.#writeLock;
    if (lock?.givesWay) await lock.othersFirst(GIVE_WAY_MS);
    let waiting = false;
    try {
      for (let pause = 1; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
        const seen = lock?.releases() ?? 0;
        this.#busyTimeout.off();
        try {
          await connection.executeQuery(CompiledQuery.raw('begin immediate'));
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
        }
        if (lock && !waiting) {
          lock.startWaiting();
          waiting = true;
        }
        await (lock ? lock.untilReleased(seen, pause) : new Promise((resolve) => setTimeout(resolve, pause)));
      }
    } finally {
      if (waiting) lock?.stopWaiting();
    }
  }
}
