import type { Deps } from '../../../platform/deps.ts';
import type { Db, Tx } from '../../../platform/db/database.ts';
import { lockWorkspace } from '../../../platform/db/lock-workspace.ts';
import { AppError } from '../../../platform/errors.ts';
import { writeAudit } from '../../../platform/audit.ts';
import { checkAgentIds, checkBusinessUnit, checkCanHoldMoments, type Role } from '../../workspaces/index.ts';

/** How a team shares out new moments among members online with room. */
export type TeamStrategy = 'round_robin' | 'least_loaded' | 'skills';

/** A team as its settings screen shows it. */
export type TeamRouting = {
  readonly id: string;
  readonly key: string;
  readonly name: string;
  readonly businessUnitId: string | null;
  readonly strategy: TeamStrategy;
  /** Holds the team's moments while nobody can take them (null: the workspace owner). */
  readonly fallbackOwnerId: string | null;
  /** Who escalations go to. */
  readonly leadId: string | null;
  readonly members: readonly { readonly id: string; readonly name: string; readonly email: string; readonly role: Role; readonly presence: string }[];
  readonly createdAt: number;
};

/**
 * Called inside the transaction that took agents out of a team, with the workspace lock held,
 * so that the moments they own for that team can be routed again before anyone sees the change.
 */
export type MembersRemovedHook = (tx: Tx, workspaceId: string, teamId: string, agentIds: readonly string[]) => Promise<void>;

export async function getTeam(db: Db | Tx, workspaceId: string, teamId: string): Promise<TeamRouting> {
  const row = await db.selectFrom('team').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', teamId).executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', 'no such team in this workspace', 'id');
  const members = await db
    .selectFrom('team_member')
    .innerJoin('agent', (j) => j.onRef('agent.workspace_id', '=', 'team_member.workspace_id').onRef('agent.id', '=', 'team_member.agent_id'))
    .select(['agent.id', 'agent.name', 'agent.email', 'agent.role', 'agent.presence'])
    .where('team_member.workspace_id', '=', workspaceId)
    .where('team_member.team_id', '=', teamId)
    .orderBy('agent.name')
    .orderBy('agent.id')
    .execute();
  return {
    id: row.id,
    key: row.key,
    name: row.name,
    businessUnitId: row.business_unit_id,
    strategy: row.strategy as TeamStrategy,
    fallbackOwnerId: row.fallback_owner_id,
    leadId: row.lead_id,
    members,
    createdAt: row.created_at,
  };
}

/** Changes a team's name, business unit, strategy, fallback owner or lead. */
export async function updateTeam(
  deps: Deps,
  input: {
    readonly workspaceId: string;
    readonly teamId: string;
    readonly name?: string;
    readonly businessUnitId?: string | null;
    readonly strategy?: TeamStrategy;
    readonly fallbackOwnerId?: string | null;
    readonly leadId?: string | null;
    readonly actor: string;
  },
): Promise<TeamRouting> {
  const name = input.name?.trim();
  if (name === '') throw new AppError('invalid_field', 'a team needs a name', 'name');
  return deps.db.transaction().execute(async (tx) => {
    // A person named fallback owner or lead must not turn analyst meanwhile (updateAgent takes the same lock).
    if (input.fallbackOwnerId || input.leadId) await lockWorkspace(tx, deps.engine, input.workspaceId);
    await getTeam(tx, input.workspaceId, input.teamId);
    if (input.businessUnitId) await checkBusinessUnit(tx, input.workspaceId, input.businessUnitId);
    if (input.fallbackOwnerId) await checkCanHoldMoments(tx, input.workspaceId, input.fallbackOwnerId, 'fallbackOwnerId');
    if (input.leadId) await checkCanHoldMoments(tx, input.workspaceId, input.leadId, 'leadId');
    const changes = {
      ...(name !== undefined ? { name } : {}),
      ...(input.businessUnitId !== undefined ? { business_unit_id: input.businessUnitId } : {}),
      ...(input.strategy !== undefined ? { strategy: input.strategy } : {}),
      ...(input.fallbackOwnerId !== undefined ? { fallback_owner_id: input.fallbackOwnerId } : {}),
      ...(input.leadId !== undefined ? { lead_id: input.leadId } : {}),
    };
    if (Object.keys(changes).length > 0) {
      await tx.updateTable('team').set(changes).where('workspace_id', '=', input.workspaceId).where('id', '=', input.teamId).execute();
    }
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'team.updated', target: input.teamId, details: changes });
    return getTeam(tx, input.workspaceId, input.teamId);
  });
}

/**
 * Replaces a team's membership. Agents taken out may own moments of this team: the
 * members-removed hook re-routes them in the same transaction. Returns who came and went.
 */
export async function setTeamMembers(
  deps: Deps,
  input: {
    readonly workspaceId: string;
    readonly teamId: string;
    readonly agentIds: readonly string[];
    readonly actor: string;
    /** Re-routes the moments removed members own in this team (the moments module). */
    readonly onMembersRemoved: MembersRemovedHook;
  },
): Promise<{ readonly team: TeamRouting; readonly addedAgentIds: readonly string[]; readonly removedAgentIds: readonly string[] }> {
  const wanted = [...new Set(input.agentIds)];
  return deps.db.transaction().execute(async (tx) => {
    // Re-routing writes moment activity, whose order is taken under the workspace lock.
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const before = await getTeam(tx, input.workspaceId, input.teamId);
    await checkAgentIds(tx, input.workspaceId, wanted);
    const current = new Set(before.members.map((m) => m.id));
    const keep = new Set(wanted);
    const addedAgentIds = wanted.filter((id) => !current.has(id));
    const removedAgentIds = [...current].filter((id) => !keep.has(id));
    if (removedAgentIds.length > 0) {
      await tx.deleteFrom('team_member').where('workspace_id', '=', input.workspaceId).where('team_id', '=', input.teamId).where('agent_id', 'in', removedAgentIds).execute();
    }
    if (addedAgentIds.length > 0) {
      await tx.insertInto('team_member').values(addedAgentIds.map((agentId) => ({ workspace_id: input.workspaceId, team_id: input.teamId, agent_id: agentId }))).execute();
    }
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'team.members_set', target: input.teamId, details: { added: addedAgentIds, removed: removedAgentIds } });
    if (removedAgentIds.length > 0) await input.onMembersRemoved(tx, input.workspaceId, input.teamId, removedAgentIds);
    return { team: await getTeam(tx, input.workspaceId, input.teamId), addedAgentIds, removedAgentIds };
  });
}
