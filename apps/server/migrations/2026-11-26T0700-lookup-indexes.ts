import { sql, type Kysely } from 'kysely';

/**
 * Lookups that read a whole workspace's rows (or every workspace's) for want of an index:
 * - a Messenger read receipt names the reader by address and marks the replies up to a time as
 *   read: their moments are found by the messages that address sent, which read every message
 *   of the channel in the workspace;
 * - merging two moments moves the absorbed one's attachments, which read every attachment;
 * - the sweep that closes resolved moments now asks each workspace for those past its own
 *   reopen window: by workspace and time, resolved ones only (this replaces moment_resolved,
 *   by time alone across workspaces).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('message_by_sender').on('message').columns(['workspace_id', 'channel', 'address']).execute();
  await db.schema.createIndex('attachment_by_moment').on('attachment').columns(['workspace_id', 'moment_id']).execute();
  await db.schema.createIndex('moment_resolved_at').on('moment').columns(['workspace_id', 'resolved_at']).where(sql<boolean>`status = 'resolved'`).execute();
  await db.schema.dropIndex('moment_resolved').execute();
}
