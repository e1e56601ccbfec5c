import type { Tx } from '../../platform/db/database.ts';
import { rowFromState, type ProfileState } from './profile-state.ts';

/** Writes an in-memory profile back to its row (everything but its id and creation time). */
export async function saveProfile(tx: Tx, workspaceId: string, state: ProfileState): Promise<void> {
  const { workspace_id: _w, id: _id, created_at: _c, ...columns } = rowFromState(workspaceId, state);
  await tx.updateTable('customer').set(columns).where('workspace_id', '=', workspaceId).where('id', '=', state.id).execute();
}
