import type { Kysely } from 'kysely';

/**
 * An SLA policy taken away stops applying to new moments but stays readable (`retired_at`):
 * the moments it was timing keep its terms when they are reopened or wait on the customer
 * again, where a deleted row left them with no deadline at all ("met" without an answer).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sla_policy').addColumn('retired_at', 'bigint').execute();
}
