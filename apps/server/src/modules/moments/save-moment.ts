import type { MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';

/**
 * Writes a moment's changed state (all but its owner and team: changeOwner writes those, with the ledger).
 * Given the row as this transaction read it, only the columns that differ are written: the moment
 * has a dozen indexes, and SQLite rewrites the entries of every index whose columns are set.
 */
export async function saveMoment(w: MomentWrite, row: MomentRow, stored?: MomentRow): Promise<void> {
  const { workspace_id: _w, id: _i, owner_id: _o, team_id: _t, ...rest } = row;
  const changes = stored ? changedColumns(rest, stored) : rest;
  if (Object.keys(changes).length === 0) return;
  await w.tx.updateTable('moment').set(changes).where('workspace_id', '=', w.workspaceId).where('id', '=', row.id).execute();
}

function changedColumns<T extends object>(next: T, stored: MomentRow): Partial<T> {
  const before = stored as Readonly<Record<string, unknown>>;
  return Object.fromEntries(Object.entries(next).filter(([column, value]) => value !== before[column])) as Partial<T>;
}
