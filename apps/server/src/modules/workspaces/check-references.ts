import type { Db, Tx } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';

/** Refuses a business unit id that is not of this workspace. */
export async function checkBusinessUnit(tx: Db | Tx, workspaceId: string, businessUnitId: string): Promise<void> {
  const unit = await tx.selectFrom('business_unit').select('id').where('workspace_id', '=', workspaceId).where('id', '=', businessUnitId).executeTakeFirst();
  if (!unit) throw new AppError('invalid_field', 'no such business unit in this workspace', 'businessUnitId');
}

/** Refuses a team id that is not of this workspace; `field` names where the request gave it. */
export async function checkTeam(tx: Tx, workspaceId: string, teamId: string, field: string): Promise<void> {
  const team = await tx.selectFrom('team').select('id').where('workspace_id', '=', workspaceId).where('id', '=', teamId).executeTakeFirst();
  if (!team) throw new AppError('invalid_field', 'no such team in this workspace', field);
}

/** Refuses agent ids (distinct) that are not all of this workspace. */
export async function checkAgentIds(tx: Tx, workspaceId: string, agentIds: readonly string[]): Promise<void> {
  if (agentIds.length === 0) return;
  const found = await tx.selectFrom('agent').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', agentIds).execute();
  if (found.length !== agentIds.length) throw new AppError('invalid_field', 'an agent id is not in this workspace', 'agentIds');
}

/** A fallback owner or lead must be a person of this workspace who may work moments. */
export async function checkCanHoldMoments(tx: Tx, workspaceId: string, agentId: string, field: string): Promise<void> {
  const agent = await tx.selectFrom('agent').select('role').where('workspace_id', '=', workspaceId).where('id', '=', agentId).executeTakeFirst();
  if (!agent) throw new AppError('invalid_field', 'no such agent in this workspace', field);
  if (agent.role === 'analyst') throw new AppError('invalid_field', 'analysts have read-only access and cannot hold moments', field);
}
