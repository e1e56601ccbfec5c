import path from 'node:path';
import SQLite from 'better-sqlite3';
import { openDatabase } from '../apps/server/src/platform/db/database.ts';
import { migrateToLatest } from '../apps/server/src/platform/db/migrate.ts';
import { baselineRows, makeTraffic, measureBatchIngest, timedWrites } from './batch-ingest.ts';
import { EVENT_COLUMNS } from './fixtures.ts';
import { log, newStore, result, round, tempDir, type BenchResult } from './lib.ts';

/**
 * P2: batches of 100 track calls through the server on SQLite (durable, identity resolution
 * on), against raw better-sqlite3 INSERTs of the same rows into the same table and indexes,
 * 1,000 rows per transaction. Target: ≥ 0.5 of the raw insert rate.
 */
export async function runP2(): Promise<BenchResult> {
  const traffic = makeTraffic();
  log('P2 Touchpoint: seeding people, then POST /v1/batch (100 events) on SQLite (synchronous=FULL)');
  const store = newStore('sqlite', 'p2');
  let ingest: Awaited<ReturnType<typeof measureBatchIngest>>;
  try {
    ingest = await measureBatchIngest(store, traffic);
  } finally {
    await store.drop();
  }

  log(`P2 baseline: raw better-sqlite3 INSERT of ${ingest.measuredEvents.toLocaleString('en-US')} rows, 1,000 per transaction`);
  const raw = await rawSqliteInserts(ingest.warmupEvents, ingest.measuredEvents, traffic);
  return result(
    'p2',
    'batch ingest (SQLite)',
    { label: 'Touchpoint', value: ingest.eventsPerSec, unit: 'events/s' },
    { label: 'raw better-sqlite3 inserts', value: raw.rowsPerSec, unit: 'rows/s' },
    { op: '>=', value: 0.5 },
    { ...ingest.details, baseline: { ...raw, rowsPerSec: round(raw.rowsPerSec) } },
  );
}

/** A fresh database migrated like the server's, opened with the server's pragmas. */
async function rawSqliteInserts(warmup: number, measured: number, traffic: ReturnType<typeof makeTraffic>) {
  const data = tempDir('tp-bench-p2-raw-');
  try {
    const database = await openDatabase({ dataDir: data.dir });
    await migrateToLatest(database.db).finally(() => database.close());
    const db = new SQLite(path.join(data.dir, 'touchpoint.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('cache_size = -65536');
    db.pragma('wal_autocheckpoint = 10000');
    const insert = db.prepare(`INSERT INTO event (${EVENT_COLUMNS.join(', ')}) VALUES (${EVENT_COLUMNS.map((c) => `@${c}`).join(', ')})`);
    const insertAll = db.transaction((rows: readonly Record<string, unknown>[]) => {
      for (const row of rows) insert.run(row);
    });
    try {
      return await timedWrites((rows) => insertAll(rows), baselineRows('bench-workspace', traffic), warmup, measured);
    } finally {
      db.close();
    }
  } finally {
    data.remove();
  }
}
