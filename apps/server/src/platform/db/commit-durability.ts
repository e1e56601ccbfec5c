import type { SqliteStatement } from 'kysely';
import type { Db } from './database.ts';
import type { WalSync } from './wal-sync.ts';
import { whenWritesEnd } from './when-writes-end.ts';

/**
 * When a use of the connection that committed waits for the disk:
 * - `on-release`: before its caller gets the result (every write, unless it says otherwise);
 * - `by-caller`: never here; the caller awaits `whenDurable` itself before it answers anyone
 *   (group commit: the next group's statements run while this one's sync is under way);
 * - `never`: bookkeeping that is redone when lost (transactionWithoutFsync); not counted, so
 *   `whenDurable` does not wait for it either. A later sync covers it all the same.
 */
export type DiskWait = 'on-release' | 'by-caller' | 'never';

type Connection = { readonly inTransaction: boolean };

/**
 * The commits of one SQLite connection whose WAL is synced by a WalSync rather than inside
 * COMMIT (see wal-sync.ts). The connection's statements report commits (`watch`); the
 * driver asks, when a use of the connection ends, what it must wait for (`endOfUse`).
 * SQLite has one connection per Kysely instance and Kysely lends it to one user at a time,
 * so "the current use" is well defined.
 */
export class CommitDurability {
  readonly wal: WalSync;
  readonly #connection: Connection;
  #committed = false;
  #wait: DiskWait = 'on-release';

  constructor(wal: WalSync, connection: Connection) {
    this.wal = wal;
    this.#connection = connection;
  }

  /**
   * The statement, reporting when it ended a transaction that it or earlier statements wrote
   * in (COMMIT, or a write outside any transaction, which commits by itself). Statements that
   * can do neither are returned as they are.
   */
  watch(sql: string, statement: SqliteStatement, readonly: boolean): SqliteStatement {
    return whenWritesEnd(sql, statement, readonly, this.#connection, ENDS_TRANSACTION, () => (this.#committed = true));
  }

  /** Sets what the current use of the connection waits for when it ends. */
  setWait(wait: DiskWait): void {
    this.#wait = wait;
  }

  /**
   * Called as a use of the connection ends, before the connection is lent again: the sync to
   * wait for, or null. Counts the use's commit unless it was bookkeeping.
   */
  endOfUse(): Promise<void> | null {
    const committed = this.#committed;
    const wait = this.#wait;
    this.#committed = false;
    this.#wait = 'on-release';
    if (!committed || wait === 'never') return null;
    this.wal.counted();
    return wait === 'on-release' ? this.wal.durable() : null;
  }
}

/** COMMIT or END (and RELEASE, which commits a transaction that a SAVEPOINT began). */
const ENDS_TRANSACTION = /^\s*(commit|end|release)\b/i;

const trackers = new WeakMap<Db, CommitDurability>();

export function trackCommits(db: Db, durability: CommitDurability): void {
  trackers.set(db, durability);
}

/**
 * Resolves once every write committed so far on `db` is on disk. Immediate where commits sync
 * inside COMMIT (PostgreSQL, SQLite opened without `sqliteSyncOffThread`).
 */
export function whenDurable(db: Db): Promise<void> {
  return trackers.get(db)?.wal.durable() ?? Promise.resolve();
}

/**
 * Runs `work` holding `db`'s one connection, with its commits waiting for the disk as `wait`
 * says. Null where `db` syncs inside COMMIT: the caller does what it would do there.
 */
export function onTrackedConnection<T>(db: Db, wait: Exclude<DiskWait, 'on-release'>, work: (connection: Db) => Promise<T>): Promise<T> | null {
  const durability = trackers.get(db);
  if (!durability) return null;
  return db.connection().execute((connection) => {
    durability.setWait(wait);
    return work(connection);
  });
}
