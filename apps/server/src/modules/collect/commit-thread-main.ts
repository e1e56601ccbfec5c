import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../../platform/db/database.ts';
import { slowQueryLog } from '../../platform/db/slow-query-log.ts';
import { systemIds } from '../../platform/ids.ts';
import { createLogger } from '../../platform/logger.ts';
// Not through moments/index.ts: that loads the whole moments module, 250 ms more on every start of this thread.
import { indexInboxText } from '../moments/inbox-text.ts';
import { mergeTextIndexStep } from '../../platform/db/text-index.ts';
import { createProfileCache } from '../profiles/index.ts';
import { commitInProcess, type IngestDeps, type WorkspaceBatch } from './commit-batches.ts';
import type { CommitThreadOptions } from './commit-thread.ts';

type Request = { readonly id: number; readonly now: number; readonly batches: readonly WorkspaceBatch[] } | { readonly type: 'close' };

const port = parentPort;
if (!port) throw new Error('commit-thread-main runs only as a worker thread');
const options = workerData as CommitThreadOptions;
const log = createLogger(options.logLevel);
const database = await openDatabase({ databaseUrl: options.databaseUrl, pgSchema: options.pgSchema, poolSize: 1, dataDir: options.dataDir, sqliteSynchronous: options.sqliteSynchronous, sqliteWriteLock: options.sqliteWriteLock, sqliteGivesWay: true, sqliteAutoCheckpoint: false, sqliteSyncOffThread: true, onQuery: slowQueryLog(log, options.slowQueryMs) });
let now = Date.now();
const deps: IngestDeps = { db: database.db, engine: database.engine, clock: { now: () => now }, ids: systemIds, log, profileCache: createProfileCache() };
const commit = commitInProcess(deps);

// One request at a time, in arrival order, whatever the queue upstream does.
let chain: Promise<void> = Promise.resolve();
let closed = false;
port.on('message', (request: Request) => {
  chain = chain.then(async () => {
    if ('type' in request) {
      closed = true;
      if (upkeep) clearInterval(upkeep);
      await database.close();
      port.close();
      return;
    }
    now = request.now;
    try {
      port.postMessage({ id: request.id, outcomes: await commit(request.batches) });
    } catch (error) {
      deps.log.error({ err: error }, 'ingest commit failed');
      port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
});
// SQLite upkeep, on this thread since it is the one that writes most: once a second it indexes
// the inbox texts written meanwhile (inbox-text.ts) and merges a little of each text index
// (text-index.ts), a few steps of about 7 ms, each between commits. Its commits do not
// checkpoint (sqliteAutoCheckpoint: false): once the WAL passed 10,000 pages, SQLite's automatic
// checkpoint ran inside every commit and copied each commit's pages into the database straight
// away, with an fsync of its own. The checkpoint thread copies the log once a second instead
// (checkpoint-thread.ts), so a page that many commits rewrote is copied once (batch ingest:
// 19,000 → 24,000–26,000 events/s). PostgreSQL does all of this itself.
const UPKEEP_EVERY_MS = 1000;
const INDEX_BATCHES_PER_SECOND = 5;
const MERGE_STEPS_PER_SECOND = 3;
const upkeep = database.engine === 'sqlite' ? setInterval(sqliteUpkeep, UPKEEP_EVERY_MS) : null;
port.postMessage({ type: 'ready' });

function sqliteUpkeep(): void {
  // Each step is its own link of the chain, so commits waiting meanwhile go between them.
  const step = (work: () => Promise<boolean>, left: number, what: string) => {
    chain = chain.then(async () => {
      if (closed) return;
      try {
        if ((await work()) && left > 1) step(work, left - 1, what);
      } catch (error) {
        deps.log.warn({ err: error }, `${what} failed; will try again`);
      }
    });
  };
  step(() => indexInboxText(database.db), INDEX_BATCHES_PER_SECOND, 'indexing the inbox text');
  for (const index of ['customer_text', 'inbox_text'] as const) step(() => mergeTextIndexStep(database.db, index), MERGE_STEPS_PER_SECOND, `merging ${index}`);
}
