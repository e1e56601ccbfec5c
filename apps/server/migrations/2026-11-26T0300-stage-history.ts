import type { Kysely } from 'kysely';

/** Every change of a customer's lifecycle stage, with why: the history the customer 360 shows. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stage_change')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('from_stage', 'text', (c) => c.notNull())
    .addColumn('to_stage', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('stage_change_pk', ['workspace_id', 'id'])
    .execute();
  await db.schema.createIndex('stage_change_by_customer').on('stage_change').columns(['workspace_id', 'customer_id', 'id']).execute();
}
