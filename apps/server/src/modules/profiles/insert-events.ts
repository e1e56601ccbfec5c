import { sql } from 'kysely';
import { appendRows } from '../../platform/db/append-rows.ts';
import type { Engine, Tx } from '../../platform/db/database.ts';
import type { EventTable } from '../../platform/db/tables.ts';

const TEXT_COLUMNS = ['workspace_id', 'id', 'customer_id', 'profile_id', 'message_id', 'type', 'name', 'channel', 'anonymous_id', 'user_id', 'properties', 'context'] as const;
const TIME_COLUMNS = ['timestamp', 'received_at'] as const;
const COLUMNS = [...TEXT_COLUMNS, ...TIME_COLUMNS];

/**
 * Appends events; a messageId already stored is skipped. On PostgreSQL one statement takes
 * every row as column arrays (`unnest`): a multi-row VALUES list of thousands of parameters
 * costs more to parse and plan than to execute. SQLite takes plain multi-row inserts.
 */
export async function insertEvents(tx: Tx, engine: Engine, rows: readonly EventTable[]): Promise<void> {
  if (rows.length === 0) return;
  if (engine === 'postgres') {
    const arrays = [
      ...TEXT_COLUMNS.map((c) => sql`${rows.map((r) => r[c])}::text[]`),
      ...TIME_COLUMNS.map((c) => sql`${rows.map((r) => r[c])}::bigint[]`),
    ];
    await sql`insert into event (${sql.join(COLUMNS.map((c) => sql.ref(c)))})
      select * from unnest(${sql.join(arrays)})
      on conflict (workspace_id, message_id) do nothing`.execute(tx);
    return;
  }
  await insertSqlite(tx, rows);
}

/**
 * Appends events whose messageIds the caller has checked are not stored, under the workspace
 * lock (so nobody can store them meanwhile), the cheapest way in (append-rows.ts): on
 * PostgreSQL by COPY, about twice as fast as the `unnest` insert for an ingest group.
 */
export async function appendNewEvents(tx: Tx, engine: Engine, rows: readonly EventTable[]): Promise<void> {
  await appendRows(tx, engine, 'event', COLUMNS, rows);
}

async function insertSqlite(tx: Tx, rows: readonly EventTable[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    await tx
      .insertInto('event')
      .values(rows.slice(i, i + 200))
      .onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())
      .execute();
  }
}
