import type { Kysely } from 'kysely';

/**
 * Routing counts each candidate's active moments on a channel (their load) for every moment it
 * places. The owner index leads with status but not channel or queued_at, so each counted
 * moment cost a table row read: routing slowed as inboxes filled (a tenth of webhook ingress
 * time at a few thousand open moments). This index answers the count from the index alone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('moment_owner_load').on('moment').columns(['workspace_id', 'owner_id', 'channel', 'status', 'queued_at']).execute();
}
