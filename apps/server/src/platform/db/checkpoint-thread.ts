import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.ts';
import { walCheckpointer, type RunPragma } from './checkpoint-wal.ts';
import { BUSY_TIMEOUT_MS } from './sqlite-dialect.ts';

type Reply = { readonly id: number; readonly rows?: Readonly<Record<string, unknown>>[]; readonly error?: string };

/**
 * SQLite: copies the write-ahead log back into the database every `everyMs` (checkpoint-wal.ts
 * decides how, here), on a thread and connection of their own. No connection that commits
 * checkpoints: SQLite's automatic checkpoint would copy each commit's pages straight away, and
 * on the ingest thread, between its commits, each copy held them up (26–70 ms a second under
 * P1's load, which was the tracking API's p99 inside the server). Beside the commits the copy
 * holds nobody up, but for the RESTART that starts an overlong log over (at most 100 ms).
 */
export function startCheckpointThread(dataDir: string, log: Logger, everyMs = 1000): { readonly close: () => Promise<void> } {
  const file = path.join(dataDir, 'touchpoint.sqlite');
  const worker = new Worker(new URL('./checkpoint-thread-worker.js', import.meta.url), { workerData: { file, busyTimeoutMs: BUSY_TIMEOUT_MS } });
  const waiting = new Map<number, { readonly resolve: (rows: Readonly<Record<string, unknown>>[]) => void; readonly reject: (error: Error) => void }>();
  let next = 0;
  worker.on('message', (reply: Reply) => {
    const w = waiting.get(reply.id);
    if (!w) return;
    waiting.delete(reply.id);
    if (reply.rows) w.resolve(reply.rows);
    else w.reject(new Error(reply.error ?? 'checkpoint failed'));
  });
  worker.on('error', (error) => log.error({ err: error }, 'the WAL checkpoint thread failed'));
  // A stopped thread takes no more messages: what asks it afterwards fails at once instead of waiting for ever.
  let stopped = false;
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      stopped = true;
      for (const w of waiting.values()) w.reject(new Error('the checkpoint thread has stopped'));
      waiting.clear();
      resolve();
    }),
  );
  const pragma: RunPragma = (text) =>
    new Promise((resolve, reject) => {
      if (stopped) return reject(new Error('the checkpoint thread has stopped'));
      const id = ++next;
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, pragma: text });
    });
  const checkpoint = walCheckpointer(pragma, `${file}-wal`);
  // One at a time: a checkpoint slower than a second is not joined by the next.
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(() => checkpoint().catch((error: unknown) => log.warn({ err: error }, 'WAL checkpoint failed; will try again')));
  }, everyMs);
  timer.unref();
  return {
    close: async () => {
      clearInterval(timer);
      await running;
      if (!stopped) worker.postMessage({ type: 'close' });
      await exited;
    },
  };
}
