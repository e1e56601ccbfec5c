import type { Db } from '../../platform/db/database.ts';
import { parseJsonObject } from '../../platform/json.ts';

/** Where a reply's progress is kept: the message's meta, shown with it (the ids of what the customer received). */
const KEY = 'sentParts';

/**
 * Keeps, on a queued reply sent in several parts (a long SMS, text then files), the provider ids
 * of the parts accepted so far, so that the next attempt resumes after them instead of sending
 * them again. A reply already settled is left alone.
 */
export async function recordPartsSent(db: Db, workspaceId: string, messageId: string, ids: readonly (string | null)[]): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('message').select(['meta', 'delivery']).where('workspace_id', '=', workspaceId).where('id', '=', messageId).executeTakeFirst();
    if (!row || row.delivery !== 'queued') return;
    await tx.updateTable('message').set({ meta: JSON.stringify({ ...parseJsonObject(row.meta), [KEY]: ids }) }).where('workspace_id', '=', workspaceId).where('id', '=', messageId).execute();
  });
}

/** The provider ids of the parts of a reply earlier attempts delivered, from its meta (none when unset or malformed). */
export function partsSentOf(meta: Readonly<Record<string, unknown>>): readonly (string | null)[] {
  const ids = meta[KEY];
  return Array.isArray(ids) && ids.every((id) => id === null || typeof id === 'string') ? (ids as (string | null)[]) : [];
}
