import fs from 'node:fs';
import { BUSY_TIMEOUT_MS } from './sqlite-dialect.ts';

/** Runs one pragma on the connection that checkpoints and gives back its rows. */
export type RunPragma = (pragma: string) => Promise<readonly Readonly<Record<string, unknown>>[]>;

export type WalLimits = {
  /** WAL pages (4 KB each) past which a checkpoint makes sure the log starts over. */
  readonly restartAfterPages: number;
  /** A log file this large while little is written is what a burst left behind: it is cut back. */
  readonly truncateAboveBytes: number;
};

/** About 40 MB of log before it must start over; a file of 64 MB left by a burst is cut back. */
export const WAL_LIMITS: WalLimits = { restartAfterPages: 10_000, truncateAboveBytes: 64 * 1024 * 1024 };

/** Fewer WAL pages than this written since the last checkpoint: the burst is over. */
const QUIET_PAGES = 1_000;

/** How long a restarting checkpoint waits for other connections, holding their writes meanwhile. */
const RESTART_WAIT_MS = 100;

/**
 * SQLite: a checkpoint to run every second or so, which copies the write-ahead log back into
 * the database file, through `pragma` on a connection that never commits anything (the
 * checkpoint thread's; see checkpoint-thread.ts). `walFile` is the log's path
 * (`touchpoint.sqlite-wal`).
 *
 * A PASSIVE checkpoint copies without holding anyone up, but the log only starts over from its
 * beginning when a writer begins while everything is copied and nobody reads from it. Under a
 * steady stream of moment writes from the server's thread that moment never comes: each
 * checkpoint copies all that was committed while the next write is already under way, and the
 * log grew by about 60 MB a second under webhook load, without end. So when the log has
 * passed `limits.restartAfterPages`, a RESTART checkpoint follows: it holds new writes (theirs
 * wait on a timer, not on the event loop) until the last few pages are copied and readers have
 * moved on, so the next writer starts the log over.
 *
 * The file itself keeps the size of the largest burst (SQLite writes over it rather than
 * growing it again). Once writing is quiet again, a file over `limits.truncateAboveBytes` is
 * cut back to nothing (TRUNCATE). Not while busy: regrowing the file each second cost batch
 * ingest about 15 %.
 *
 * Both wait at most RESTART_WAIT_MS for other connections and are tried again a second later
 * if a long read was in the way.
 */
export function walCheckpointer(pragma: RunPragma, walFile: string, limits: WalLimits = WAL_LIMITS): () => Promise<void> {
  // The log at the last checkpoint (its pages, and how many times it had started over): what
  // came since tells a burst from quiet.
  let previous = { pages: 0, restarts: -1 };
  return async () => {
    const rows = await pragma('wal_checkpoint(PASSIVE)');
    const log = Number(rows[0]?.log ?? 0);
    const restarts = restartsOf(walFile);
    const added = restarts === previous.restarts ? log - previous.pages : log;
    previous = { pages: log, restarts };
    const mode = log >= limits.restartAfterPages ? 'RESTART' : added < QUIET_PAGES && fileBytes(walFile) > limits.truncateAboveBytes ? 'TRUNCATE' : null;
    if (!mode) return;
    await pragma(`busy_timeout = ${RESTART_WAIT_MS}`);
    try {
      await pragma(`wal_checkpoint(${mode})`);
    } finally {
      await pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  };
}

function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** The WAL header's checkpoint sequence number, which goes up each time the log starts over (-1: no header). */
function restartsOf(file: string): number {
  const header = Buffer.alloc(16);
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    return fs.readSync(fd, header, 0, 16, 0) === 16 ? header.readUInt32BE(12) : -1;
  } catch {
    return -1;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
