import { sql } from 'kysely';
import type { Db } from './database.ts';
import { BUSY_TIMEOUT_MS } from './sqlite-dialect.ts';

/** WAL pages (4 KB each) past which a checkpoint makes sure the log starts over: about 40 MB. */
export const RESTART_AFTER_PAGES = 10_000;

/** How long a restarting checkpoint waits for other connections, holding their writes meanwhile. */
const RESTART_WAIT_MS = 100;

/**
 * SQLite: copies the write-ahead log back into the database file, on a connection whose own
 * commits never checkpoint (the ingest thread's; see commit-thread-main.ts).
 *
 * A PASSIVE checkpoint copies without holding anyone up, but the log only starts over from its
 * beginning when a writer begins while everything is copied and nobody reads from it. Under a
 * steady stream of moment writes from the server's thread that moment never comes: each
 * checkpoint copies all that was committed while the next write is already under way, and the
 * log grew by about 60 MB a second under webhook load, without end. So when the log has
 * passed `restartAfterPages`, a RESTART checkpoint follows: it holds new writes (theirs wait on
 * a timer, not on the event loop) until the last few pages are copied and readers have moved
 * on, so the next writer starts the log over. It waits at most RESTART_WAIT_MS for them, and
 * tries again a second later if a long read was in the way.
 */
export async function checkpointWal(db: Db, restartAfterPages = RESTART_AFTER_PAGES): Promise<void> {
  const { rows } = await sql<{ busy: number; log: number; checkpointed: number }>`pragma wal_checkpoint(PASSIVE)`.execute(db);
  if ((rows[0]?.log ?? 0) < restartAfterPages) return;
  await sql.raw(`pragma busy_timeout = ${RESTART_WAIT_MS}`).execute(db);
  try {
    await sql`pragma wal_checkpoint(RESTART)`.execute(db);
  } finally {
    await sql.raw(`pragma busy_timeout = ${BUSY_TIMEOUT_MS}`).execute(db);
  }
}
