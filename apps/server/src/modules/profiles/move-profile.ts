import type { Tx } from '../../platform/db/database.ts';

/**
 * Points everything stored under `fromRoot` (its profile rows, identities and events) at
 * `toRoot`. Used when two profiles merge; the rows keep their `profile_id`, which is what
 * lets an unmerge send them back.
 */
export async function moveProfile(tx: Tx, workspaceId: string, fromRoot: string, toRoot: string): Promise<void> {
  await tx.updateTable('customer').set({ root_id: toRoot }).where('workspace_id', '=', workspaceId).where('root_id', '=', fromRoot).execute();
  await tx.updateTable('identity').set({ customer_id: toRoot }).where('workspace_id', '=', workspaceId).where('customer_id', '=', fromRoot).execute();
  await tx.updateTable('event').set({ customer_id: toRoot }).where('workspace_id', '=', workspaceId).where('customer_id', '=', fromRoot).execute();
}
