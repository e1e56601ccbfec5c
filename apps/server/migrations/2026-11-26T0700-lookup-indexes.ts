import type { Kysely } from 'kysely';

/**
 * Two lookups that read a whole workspace's rows for want of an index:
 * - a Messenger read receipt names the reader by address and marks the replies up to a time as
 *   read: their moments are found by the messages that address sent, which read every message
 *   of the channel in the workspace;
 * - merging two moments moves the absorbed one's attachments, which read every attachment.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('message_by_sender').on('message').columns(['workspace_id', 'channel', 'address']).execute();
  await db.schema.createIndex('attachment_by_moment').on('attachment').columns(['workspace_id', 'moment_id']).execute();
}
