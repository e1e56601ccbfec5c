import type { Deps } from '../../platform/deps.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';
import { checkAgentIds, checkBusinessUnit, checkCanHoldMoments } from './check-references.ts';

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
    // Check, then insert: on PostgreSQL two requests at once would both pass the check.
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const clash = await tx.selectFrom('team').select('id').where('workspace_id', '=', input.workspaceId).where('key', '=', input.key).executeTakeFirst();
    if (clash) throw new AppError('conflict', `a team with key "${input.key}" exists`, 'key');
    if (input.businessUnitId) await checkBusinessUnit(tx, input.workspaceId, input.businessUnitId);
    const agentIds = [...new Set(input.agentIds ?? [])];
    await checkAgentIds(tx, input.workspaceId, agentIds);
    if (input.fallbackOwnerId) await checkCanHoldMoments(tx, input.workspaceId, input.fallbackOwnerId, 'fallbackOwnerId');
    if (input.leadId) await checkCanHoldMoments(tx, input.workspaceId, input.leadId, 'leadId');
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
