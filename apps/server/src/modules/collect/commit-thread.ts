import { Worker } from 'node:worker_threads';
import type { Clock } from '../../platform/clock.ts';
import { forCommitThread, type RecordOutcome, type Touchpoint } from '../profiles/index.ts';
import type { CommitBatches, WorkspaceBatch } from './commit-batches.ts';

export type CommitThreadOptions = {
  readonly dataDir: string;
  /** PostgreSQL (with its schema, if any) instead of SQLite under dataDir. */
  readonly databaseUrl?: string;
  readonly pgSchema?: string;
  readonly sqliteSynchronous: 'FULL' | 'NORMAL' | 'OFF';
  /** SQLite: the server's connection and this thread's wake each other's waits for the write lock. */
  readonly sqliteWriteLock?: SharedArrayBuffer;
  readonly logLevel: string;
  readonly slowQueryMs: number | null;
};

type Reply = { readonly id: number; readonly outcomes?: RecordOutcome[]; readonly error?: string };

/**
 * Runs ingest commits on a thread of their own, with its own connection, on both engines.
 * - SQLite: better-sqlite3 is synchronous; on the main thread every commit (its inserts and
 *   its fsync) would stop the server from reading the next requests.
 * - PostgreSQL: the commit is a dozen round trips, and on the main thread each reply waited its
 *   turn behind the HTTP parsing of the next batches (a 100-event batch is about 1 ms of it), so
 *   the transaction, and with it the workspace lock, lasted a third longer: 33.8 ms a group, 1.5
 *   of them for one single-row upsert. Here: 14,700–17,800 → 18,000–20,400 events/s (P3, four
 *   alternating pairs).
 * Meanwhile the HTTP thread parses and validates the next group, on the second core. The
 * group-commit queue sends the thread one group at a time, each touchpoint readied by `prepare`
 * (forCommitThread) on its way into the queue.
 */
export async function startCommitThread(options: CommitThreadOptions, clock: Clock): Promise<{ readonly commit: CommitBatches; readonly prepare: (touchpoint: Touchpoint) => Touchpoint; readonly close: () => Promise<void> }> {
  const worker = new Worker(new URL('./commit-thread-worker.js', import.meta.url), { workerData: options });
  const waiting = new Map<number, { resolve: (o: RecordOutcome[]) => void; reject: (e: Error) => void }>();
  let next = 0;
  let failed: Error | null = null;
  const failAll = (error: Error) => {
    failed = error;
    for (const w of waiting.values()) w.reject(error);
    waiting.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: { type?: string; error?: string }) => (m.type === 'ready' ? resolve() : reject(new Error(m.error ?? 'commit thread failed to start'))));
    worker.once('error', reject);
  });
  worker.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.outcomes) w.resolve(reply.outcomes);
    else w.reject(new Error(`ingest commit failed: ${reply.error ?? 'unknown error'}`));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', (code) => failAll(new Error(`commit thread exited with code ${code}`)));

  const commit: CommitBatches = (batches: readonly WorkspaceBatch[]) => {
    if (failed) return Promise.reject(failed);
    const id = ++next;
    return new Promise<RecordOutcome[]>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      // The commit uses the caller's clock, so tests that move time move ingest too.
      // The ingest queue readied each touchpoint with `prepare` as its request arrived.
      worker.postMessage({ id, now: clock.now(), batches });
    });
  };
  const close = async () => {
    if (failed) return;
    worker.postMessage({ type: 'close' });
    await new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  };
  return { commit, prepare: forCommitThread, close };
}
