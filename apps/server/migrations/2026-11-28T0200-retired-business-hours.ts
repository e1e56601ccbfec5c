import type { Kysely } from 'kysely';

/**
 * Business hours taken away stay readable (`retired_at`), as retired SLA policies do: the
 * moments a retired policy still times keep counting in its hours, where a deleted row left
 * their deadlines running around the clock.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('business_hours').addColumn('retired_at', 'bigint').execute();
}
