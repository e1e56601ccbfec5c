import type { Db, Tx } from '../../platform/db/database.ts';
import type { Role } from '../workspaces/index.ts';
import { parseHandoff, type MomentRow } from './moment-view.ts';

/** Who is looking at moments, and what they may see. */
export type Viewer = {
  readonly workspaceId: string;
  readonly agentId: string | null;
  /** Owners, admins, analysts and API keys see every moment of the workspace. */
  readonly seesAll: boolean;
  readonly teamIds: ReadonlySet<string>;
};

/** An agent sees the moments of their teams, those they own, and hand-offs addressed to them. */
export async function viewerOf(db: Db | Tx, principal: { readonly workspaceId: string; readonly agentId: string | null; readonly role: Role }): Promise<Viewer> {
  const seesAll = principal.role !== 'agent' || principal.agentId === null;
  if (seesAll || principal.agentId === null) return { workspaceId: principal.workspaceId, agentId: principal.agentId, seesAll: true, teamIds: new Set() };
  const rows = await db.selectFrom('team_member').select('team_id').where('workspace_id', '=', principal.workspaceId).where('agent_id', '=', principal.agentId).execute();
  return { workspaceId: principal.workspaceId, agentId: principal.agentId, seesAll: false, teamIds: new Set(rows.map((r) => r.team_id)) };
}

/** Whether the viewer may see this moment (the rule above). */
export function maySee(c: Viewer, row: Pick<MomentRow, 'owner_id' | 'team_id' | 'handoff'>): boolean {
  if (c.seesAll) return true;
  if (row.owner_id === c.agentId) return true;
  if (row.team_id !== null && c.teamIds.has(row.team_id)) return true;
  const handoff = parseHandoff(row.handoff);
  return handoff !== null && (handoff.toAgentId === c.agentId || (handoff.toTeamId !== null && c.teamIds.has(handoff.toTeamId)));
}
