import type { Kysely } from 'kysely';

/**
 * Unsends that came before the message they take back (Meta retries a delivery that failed
 * while its unsend went through): the message is not stored when it comes. Kept a week, as
 * long as Meta retries a delivery.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('unsent_ahead')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    // The channel scope of the provider's id (channel-scope.ts): the configured channel's id.
    .addColumn('channel_id', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('unsent_ahead_pk', ['workspace_id', 'channel_id', 'external_id'])
    .execute();
  await db.schema.createIndex('unsent_ahead_by_age').on('unsent_ahead').column('created_at').execute();
}
