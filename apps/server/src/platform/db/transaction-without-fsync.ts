import { sql } from 'kysely';
import type { Db, Engine, Tx } from './database.ts';
import { onTrackedConnection } from './commit-durability.ts';

/** SQLite's `pragma synchronous` levels: OFF 0, NORMAL 1, FULL 2, EXTRA 3. */
const NORMAL = 1;

/**
 * A transaction whose commit does not wait for the disk: for bookkeeping that is redone when
 * lost, never for a write someone is told is stored. The outbox worker's leases and delivered
 * marks are such: a lost lease is taken again, a lost mark delivers the event again, which
 * every listener takes anyway (at least once). Each of them cost the event loop an fsync, 0.4–2
 * ms on this VM, several times a second while chats wait behind it.
 *
 * SQLite whose WAL is synced off the thread (commit-durability.ts): the commit is not counted
 * and nothing waits for its sync. Otherwise (WAL): `synchronous = NORMAL` for this commit only. Such a commit survives a crash of
 * the process, since it is in the OS's cache, and is lost only if the machine goes down before
 * the next synced commit; the file is never corrupted. The level is set back before the
 * connection is given to anyone else. PostgreSQL: `synchronous_commit = off` for this
 * transaction, the same promise (lost only if the server goes down within a few hundred ms).
 */
export async function transactionWithoutFsync<T>(db: Db, engine: Engine, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (engine === 'postgres') {
    return db.transaction().execute(async (tx) => {
      await sql`set local synchronous_commit = off`.execute(tx);
      return work(tx);
    });
  }
  const untracked = onTrackedConnection(db, 'never', (connection) => connection.transaction().execute(work));
  if (untracked) return untracked;
  // One connection held throughout: between the commit and setting the level back, no other
  // caller's durable write may slip in and commit without its fsync.
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(connection);
    const level = Number(rows[0]?.synchronous);
    if (!(level > NORMAL)) return connection.transaction().execute(work);
    await sql.raw(`pragma synchronous = ${NORMAL}`).execute(connection);
    try {
      return await connection.transaction().execute(work);
    } finally {
      await sql.raw(`pragma synchronous = ${level}`).execute(connection);
    }
  });
}
