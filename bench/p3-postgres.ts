import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { openDatabase } from '../apps/server/src/platform/db/database.ts';
import { copyData } from '../apps/server/src/platform/db/copy-rows.ts';
import { migrateToLatest } from '../apps/server/src/platform/db/migrate.ts';
import type { EventTable } from '../apps/server/src/platform/db/tables.ts';
import { baselineRows, makeTraffic, measureBatchIngest, timedWrites } from './batch-ingest.ts';
import { EVENT_COLUMNS } from './fixtures.ts';
import { log, newStore, PG_URL, pgSchema, result, round, tempDir, type BenchResult } from './lib.ts';

/**
 * P3: batches of 100 track calls through the server on PostgreSQL (DATABASE_URL, its own
 * schema), against `COPY event (…) FROM STDIN` of the same rows into the same table and
 * indexes in a fresh schema, 1,000 rows per COPY (each its own commit, like P2's
 * transactions). Target: ≥ 0.5 of the COPY rate.
 */
export async function runP3(): Promise<BenchResult> {
  const traffic = makeTraffic();
  log('P3 Touchpoint: seeding people, then POST /v1/batch (100 events) on PostgreSQL');
  const store = newStore('postgres', 'p3');
  let ingest: Awaited<ReturnType<typeof measureBatchIngest>>;
  try {
    ingest = await measureBatchIngest(store, traffic);
  } finally {
    await store.drop();
  }

  log(`P3 baseline: COPY of ${ingest.measuredEvents.toLocaleString('en-US')} rows, 1,000 per COPY`);
  const copy = await rawCopy(ingest.warmupEvents, ingest.measuredEvents, traffic);
  return result(
    'p3',
    'batch ingest (PostgreSQL)',
    { label: 'Touchpoint', value: ingest.eventsPerSec, unit: 'events/s' },
    { label: 'COPY FROM STDIN', value: copy.rowsPerSec, unit: 'rows/s' },
    { op: '>=', value: 0.5 },
    { ...ingest.details, baseline: { ...copy, rowsPerSec: round(copy.rowsPerSec) } },
  );
}

async function rawCopy(warmup: number, measured: number, traffic: ReturnType<typeof makeTraffic>) {
  const schema = pgSchema('tp_bench_p3_copy');
  const data = tempDir('tp-bench-p3-copy-');
  const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema.name}` });
  try {
    const database = await openDatabase({ databaseUrl: PG_URL, dataDir: data.dir, pgSchema: schema.name });
    await migrateToLatest(database.db).finally(() => database.close());
    await client.connect();
    const statement = `COPY event (${EVENT_COLUMNS.join(', ')}) FROM STDIN`;
    // In the pieces the server sends (copyData): one string of a whole COPY lands in pages of
    // its own that this VM is slow to hand out.
    const copy = async (rows: readonly EventTable[]) => {
      await pipeline(Readable.from(copyData(EVENT_COLUMNS, rows)), client.query(copyFrom(statement)));
    };
    return await timedWrites(copy, baselineRows('bench-workspace', traffic), warmup, measured);
  } finally {
    await client.end().catch(() => undefined);
    await schema.drop();
    data.remove();
  }
}
