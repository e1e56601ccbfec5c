import type { MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';

/** Writes a moment's changed state (all but its owner and team: changeOwner writes those, with the ledger). */
export async function saveMoment(w: MomentWrite, row: MomentRow): Promise<void> {
  const { workspace_id: _w, id: _i, owner_id: _o, team_id: _t, ...rest } = row;
  await w.tx.updateTable('moment').set(rest).where('workspace_id', '=', w.workspaceId).where('id', '=', row.id).execute();
}
