import { Worker } from 'node:worker_threads';
import type { Clock } from '../../platform/clock.ts';
import { forCommitThread, type RecordOutcome, type Touchpoint } from '../profiles/index.ts';
import type { CommitBatches, WorkspaceBatch } from './commit-batches.ts';

export type CommitThreadOptions = { readonly dataDir: string; readonly sqliteSynchronous: 'FULL' | 'NORMAL' | 'OFF'; readonly logLevel: string; readonly slowQueryMs: number | null };

type Reply = { readonly id: number; readonly outcomes?: RecordOutcome[]; readonly error?: string };

/**
 * Runs SQLite ingest commits on a thread of their own. better-sqlite3 is synchronous: on the
 * main thread every commit (its inserts and its fsync) would stop the server from reading the
 * next requests. Here the HTTP thread keeps parsing and validating the next group while this
 * one writes, on the second core. The thread has its own connection to the same file;
 * the group-commit queue sends it one group at a time, each touchpoint readied by `prepare`
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
