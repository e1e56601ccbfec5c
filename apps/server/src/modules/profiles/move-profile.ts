import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Tx } from '../../platform/db/database.ts';

/** Events moved per statement. */
const MOVE_PAGE = 500;

/**
 * Points everything stored under `fromRoot` (its profile rows, identities and events) at
 * `toRoot`. Used when two profiles merge; the rows keep their `profile_id`, which is what
 * lets an unmerge send them back.
 * Events go a page at a time by primary key, the event loop running between pages: one UPDATE
 * of a 10,000-event profile held the server's thread 151 ms (a merge by hand).
 */
export async function moveProfile(tx: Tx, workspaceId: string, fromRoot: string, toRoot: string): Promise<void> {
  await tx.updateTable('customer').set({ root_id: toRoot }).where('workspace_id', '=', workspaceId).where('root_id', '=', fromRoot).execute();
  await tx.updateTable('identity').set({ customer_id: toRoot }).where('workspace_id', '=', workspaceId).where('customer_id', '=', fromRoot).execute();
  for (;;) {
    // Moved events no longer match: each read finds the next ones.
    const page = await tx.selectFrom('event').select('message_id').where('workspace_id', '=', workspaceId).where('customer_id', '=', fromRoot).limit(MOVE_PAGE).execute();
    await moveEvents(tx, workspaceId, page.map((e) => e.message_id), toRoot);
    if (page.length < MOVE_PAGE) return;
    await nextTurn();
  }
}

/** Points these events (by message id, the primary key; a page's worth) at `toRoot`. */
export async function moveEvents(tx: Tx, workspaceId: string, messageIds: readonly string[], toRoot: string): Promise<void> {
  if (messageIds.length === 0) return;
  await tx.updateTable('event').set({ customer_id: toRoot }).where('workspace_id', '=', workspaceId).where('message_id', 'in', messageIds).execute();
}
