import fs from 'node:fs';

/** Flushes a file's data to the disk, off the calling thread (libuv's pool). */
export type SyncFile = (file: string, done: (error: Error | null) => void) => void;

/**
 * `fdatasync` of the file through a descriptor opened at the first sync and kept: one trip to
 * the thread pool a sync instead of three. SQLite never replaces the WAL file while a
 * connection has the database open (it starts it over or truncates it in place), and it
 * places no POSIX locks on it, so this descriptor neither goes stale nor, once closed, drops
 * a lock of SQLite's.
 */
export function fdatasyncKeptOpen(): { readonly syncFile: SyncFile; readonly close: () => void } {
  let fd: number | null = null;
  return {
    syncFile: (file, done) => {
      if (fd !== null) return fs.fdatasync(fd, done);
      fs.open(file, 'r', (openError, opened) => {
        if (openError) return done(openError);
        fd = opened;
        fs.fdatasync(opened, done);
      });
    },
    close: () => {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}

type Waiter = { readonly upTo: number; readonly resolve: () => void; readonly reject: (error: Error) => void };

/**
 * Makes commits durable without the event loop waiting for the disk.
 *
 * SQLite with `synchronous = FULL` fsyncs its WAL inside every COMMIT, on the calling thread:
 * 1.2–1.4 ms on this VM during which no socket is read and nothing else runs. With
 * `synchronous = NORMAL` a commit only writes its pages into the WAL (the OS's cache), and is
 * lost if the machine goes down before the next sync; the file is never corrupted. This class
 * adds the missing sync back: each commit is counted, and `durable()` resolves once an
 * `fdatasync` of the WAL that began after the commit has finished, run on libuv's thread pool.
 * Commits that arrive meanwhile share the next sync. Since the WAL is one append-only file,
 * a sync covers every commit written before it began, this connection's or another's.
 *
 * A caller acknowledges a write only after `durable()`: the same promise as FULL. What changes
 * is that a commit is visible to other readers before it is on disk (as it is to the live
 * stream, on purpose). Anything written because of it commits after it, and that later
 * commit's sync covers it too.
 */
export class WalSync {
  readonly #wal: string;
  readonly #syncFile: SyncFile;
  readonly #close: () => void;
  /** Commits counted so far, and how many of them a finished sync covers. */
  #commits = 0;
  #synced = 0;
  #syncing = false;
  #failure: Error | null = null;
  readonly #waiters: Waiter[] = [];

  constructor(walFile: string, syncFile?: SyncFile) {
    // A descriptor is opened only at the first sync: with syncFile given, never, and close does nothing.
    const kept = fdatasyncKeptOpen();
    this.#wal = walFile;
    this.#syncFile = syncFile ?? kept.syncFile;
    this.#close = kept.close;
  }

  /** Syncs what is left and lets go of the file (the database is closing). */
  async close(): Promise<void> {
    this.counted();
    try {
      await this.durable();
    } finally {
      this.#close();
    }
  }

  /** A commit was written (its pages are in the WAL): `durable()` from now on waits for it. */
  counted(): void {
    this.#commits += 1;
  }

  /** Resolves when every commit counted so far is on disk; rejects if the sync failed. */
  durable(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const upTo = this.#commits;
    if (this.#synced >= upTo) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ upTo, resolve, reject });
      this.#startSync();
    });
  }

  #startSync(): void {
    if (this.#syncing) return;
    this.#syncing = true;
    // Every commit counted by now has written its pages: this sync covers them all.
    const covers = this.#commits;
    this.#syncFile(this.#wal, (error) => {
      this.#syncing = false;
      if (error) {
        // After a failed fsync the kernel may have dropped the dirty pages: nothing written
        // since the last good sync can be called durable again (the PostgreSQL lesson).
        this.#failure = error;
        for (const w of this.#waiters.splice(0)) w.reject(error);
        return;
      }
      this.#synced = covers;
      const still: Waiter[] = [];
      for (const w of this.#waiters.splice(0)) {
        if (w.upTo <= covers) w.resolve();
        else still.push(w);
      }
      this.#waiters.push(...still);
      if (still.length > 0) this.#startSync();
    });
  }
}
