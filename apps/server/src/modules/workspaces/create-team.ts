import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';

/** A team (marketing, sales, service, …), optionally inside a business unit, with its members. */
export async function createTeam(
  deps: Deps,
  input: {
    readonly workspaceId: string;
    readonly key: string;
    readonly name: string;
    readonly businessUnitId?: string | null;
    readonly agentIds?: readonly string[];
    /** How new moments are shared out (default round_robin). */
    readonly strategy?: 'round_robin' | 'least_loaded' | 'skills';
    /** Holds the team's moments while no member can take them (null: the workspace owner). */
    readonly fallbackOwnerId?: string | null;
    /** Who escalations go to. */
    readonly leadId?: string | null;
    readonly actor: string;
  },
): Promise<{ readonly id: string }> {
  return deps.db.transaction().execute(async (tx) => {
    const clash = await tx.selectFrom('team').select('id').where('workspace_id', '=', input.workspaceId).where('key', '=', input.key).executeTakeFirst();
    if (clash) throw new AppError('conflict', `a team with key "${input.key}" exists`, 'key');
    if (input.businessUnitId) {
      const unit = await tx.selectFrom('business_unit').select('id').where('workspace_id', '=', input.workspaceId).where('id', '=', input.businessUnitId).executeTakeFirst();
      if (!unit) throw new AppError('invalid_field', 'no such business unit in this workspace', 'businessUnitId');
    }
    const agentIds = [...new Set(input.agentIds ?? [])];
    if (agentIds.length > 0) {
      const found = await tx.selectFrom('agent').select('id').where('workspace_id', '=', input.workspaceId).where('id', 'in', agentIds).execute();
      if (found.length !== agentIds.length) throw new AppError('invalid_field', 'an agent id is not in this workspace', 'agentIds');
    }
    for (const field of ['fallbackOwnerId', 'leadId'] as const) {
      const agentId = input[field];
      if (!agentId) continue;
      const agent = await tx.selectFrom('agent').select('role').where('workspace_id', '=', input.workspaceId).where('id', '=', agentId).executeTakeFirst();
      if (!agent) throw new AppError('invalid_field', 'no such agent in this workspace', field);
      if (agent.role === 'analyst') throw new AppError('invalid_field', 'analysts have read-only access and cannot hold moments', field);
    }
    const id = deps.ids.next();
    await tx
      .insertInto('team')
      .values({
        workspace_id: input.workspaceId,
        id,
        key: input.key,
        name: input.name,
        business_unit_id: input.businessUnitId ?? null,
        strategy: input.strategy ?? 'round_robin',
        fallback_owner_id: input.fallbackOwnerId ?? null,
        lead_id: input.leadId ?? null,
        created_at: deps.clock.now(),
      })
      .execute();
    if (agentIds.length > 0) {
      await tx.insertInto('team_member').values(agentIds.map((agentId) => ({ workspace_id: input.workspaceId, team_id: id, agent_id: agentId }))).execute();
    }
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'team.created', target: id });
    return { id };
  });
}
