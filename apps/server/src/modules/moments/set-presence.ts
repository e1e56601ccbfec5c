import { AppError } from '../../platform/errors.ts';
import { ACTIVE_STATUSES } from './agent-load.ts';
import { fillFromQueue } from './fill-from-queue.ts';
import { inMomentTx, type MomentsCtx } from './moment-tx.ts';
import { rerouteInTeam } from './reroute.ts';
import { unindexedText } from '../../platform/db/unindexed.ts';

export const PRESENCES = ['online', 'away', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/**
 * Online agents are routed new work and take waiting moments; away agents keep theirs but get
 * nothing new; an agent going offline hands every active moment they own back to its team
 * (another member, or the fallback owner's line) in the same transaction.
 */
export async function setPresence(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly agentId: string; readonly presence: Presence; readonly actor: string }): Promise<{ readonly presence: Presence; readonly moved: number }> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const agent = await w.tx.selectFrom('agent').select('id').where('workspace_id', '=', w.workspaceId).where('id', '=', input.agentId).executeTakeFirst();
    if (!agent) throw new AppError('resource_not_found', `no agent ${input.agentId}`, 'id');
    await w.tx.updateTable('agent').set({ presence: input.presence, presence_at: w.now }).where('workspace_id', '=', w.workspaceId).where('id', '=', input.agentId).execute();
    let moved = 0;
    if (input.presence === 'offline') {
      const owned = await w.tx
        .selectFrom('moment')
        .selectAll()
        .where('workspace_id', '=', w.workspaceId)
        .where('owner_id', '=', input.agentId)
        .where('status', 'in', ACTIVE_STATUSES)
        .where('queued_at', 'is', null)
        .where('team_id', 'is not', null)
        .orderBy(unindexedText('id')) // by moment_by_owner, not a walk of the workspace by id (unindexed.ts)
        .execute();
      for (const m of owned) {
        await rerouteInTeam(w, m, 'agent_offline', input.actor, 'the owner went offline');
        moved += 1;
      }
    } else if (input.presence === 'online') {
      moved = await fillFromQueue(w, input.agentId, 'came_online', input.actor);
    }
    return { presence: input.presence, moved };
  });
}
