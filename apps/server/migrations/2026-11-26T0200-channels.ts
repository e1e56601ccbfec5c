import type { Kysely } from 'kysely';

/**
 * Channels: where customers reach the company (an inbox address, a WhatsApp number, a page, a
 * chat widget, a Twilio number, an API integration), each with its business unit, settings,
 * write-only secrets, cost per contact and connection health.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('channel')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('business_unit_id', 'text')
    .addColumn('address', 'text')
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('secrets', 'text', (c) => c.notNull())
    .addColumn('cost_per_contact', 'double precision', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('health', 'text', (c) => c.notNull())
    .addColumn('health_error', 'text')
    .addColumn('health_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('channel_pk', ['workspace_id', 'id'])
    .execute();
  // A provider's webhook URL carries only the channel id: the one lookup before the tenant is known.
  await db.schema.createIndex('channel_by_id').unique().on('channel').column('id').execute();
  // Inbound mail names only its recipient address.
  await db.schema.createIndex('channel_by_address').on('channel').columns(['kind', 'address']).execute();
}
