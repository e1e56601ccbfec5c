import { sql, type Kysely } from 'kysely';

/**
 * Provider message and conversation ids are unique per configured channel, not per channel
 * kind: two API channels (or two WhatsApp numbers) each have their message "1" and their
 * conversation "T-1". A message now records the channel it came in or went out on; moments
 * already did. Moments and messages opened through the API without a channel keep one
 * scope per kind (the empty channel key), so their ids stay unique as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('message').addColumn('channel_id', 'text').execute();
  // A message's channel is its moment's (a merged one's, for messages moved by a merge: the best that is known).
  await sql`update message set channel_id = (select m.channel_id from moment m where m.workspace_id = message.workspace_id and m.id = message.moment_id)`.execute(db);

  // The index keys must match the lookups' expression exactly (channel-scope.ts) for both engines to use them.
  await db.schema.dropIndex('message_external').execute();
  await sql`create unique index message_external on message (workspace_id, channel, (coalesce(channel_id, '')), external_id)`.execute(db);
  await db.schema.dropIndex('moment_external').execute();
  await sql`create unique index moment_external on moment (workspace_id, channel, (coalesce(channel_id, '')), external_id)`.execute(db);
}
