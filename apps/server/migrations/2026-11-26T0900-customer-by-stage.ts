import type { Kysely } from 'kysely';

/**
 * Customer lists by lifecycle stage (the at-risk list, the advocates) read customers newest
 * first until a page of that stage filled: for a stage one customer in a thousand has, every
 * customer of the workspace (about 40 ms over 50,000 on SQLite). By stage, then recency, a page
 * is one seek. It costs little on ingest: a customer's entry moves only when their stage
 * changes or their last_seen steps to the next hour, as customer_by_last_seen's does.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('customer_by_stage').on('customer').columns(['workspace_id', 'stage', 'last_seen']).execute();
}
