import type { Tx } from '../../platform/db/database.ts';
import type { Deps } from '../../platform/deps.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import type { Activity } from './activity.ts';
import { ACTIVE_STATUSES } from './agent-load.ts';
import { fillFromQueue } from './fill-from-queue.ts';
import { withdrawHandoffsTo } from './handoff.ts';
import { inMomentTx, withinTx, type MomentsCtx } from './moment-tx.ts';
import type { OwnershipReason } from './ownership.ts';
import { rerouteInTeam } from './reroute.ts';
import { unindexedText } from '../../platform/db/unindexed.ts';

/**
 * People left a team (settings are read before the transaction: SQLite has one connection,
 * and it is busy with the caller's transaction): the team's active moments they own go to someone else in the team (or
 * wait with its fallback owner), inside the transaction that changed the membership. Returns
 * the activities to publish once that transaction commits.
 */
export async function rerouteLeavers(
  deps: Deps,
  settings: WorkspaceSettings,
  change: { readonly tx: Tx; readonly workspaceId: string; readonly teamId: string; readonly agentIds: readonly string[]; readonly actor: string },
): Promise<Activity[]> {
  return rerouteOwned(deps, settings, change, { ownerIds: change.agentIds, teamId: change.teamId, reason: 'member_removed', note: 'the owner left the team' });
}

/**
 * Someone became an analyst, who only reads: they hold nothing from now on. Each of their
 * active moments goes to someone else in its team (or waits with the team's fallback owner;
 * outside a team, to the workspace's owner), inside the transaction that changed the role.
 * Hand-offs waiting for them are withdrawn. Returns the activities to publish once that
 * transaction commits.
 */
export async function rerouteFromReader(
  deps: Deps,
  settings: WorkspaceSettings,
  change: { readonly tx: Tx; readonly workspaceId: string; readonly agentId: string; readonly actor: string },
): Promise<Activity[]> {
  const handedBack = await rerouteOwned(deps, settings, change, { ownerIds: [change.agentId], teamId: null, reason: 'read_only', note: 'the owner became an analyst' });
  const { activities } = await withinTx(deps, settings, change.tx, change.workspaceId, (w) => withdrawHandoffsTo(w, change.agentId, change.actor, 'the receiver became an analyst'));
  return [...handedBack, ...activities];
}

/**
 * Routes again the active moments these people own (in one team, or in any, waiting in a line
 * included), inside the caller's transaction.
 */
async function rerouteOwned(
  deps: Deps,
  settings: WorkspaceSettings,
  change: { readonly tx: Tx; readonly workspaceId: string; readonly actor: string },
  which: { readonly ownerIds: readonly string[]; readonly teamId: string | null; readonly reason: OwnershipReason; readonly note: string },
): Promise<Activity[]> {
  const { tx, workspaceId, actor } = change;
  const { activities } = await withinTx(deps, settings, tx, workspaceId, async (w) => {
    let query = tx.selectFrom('moment').selectAll().where('workspace_id', '=', workspaceId).where('owner_id', 'in', which.ownerIds).where('status', 'in', ACTIVE_STATUSES);
    if (which.teamId !== null) query = query.where('team_id', '=', which.teamId).where('queued_at', 'is', null);
    // By the owners' index, not a walk of the workspace by id (unindexed.ts).
    const owned = await query.orderBy(unindexedText('id')).execute();
    for (const m of owned) await rerouteInTeam(w, m, which.reason, actor, which.note);
  });
  return activities;
}

/** People joined a team or got more capacity: they take what waits in their teams' lines. */
export async function offerWaitingWork(ctx: MomentsCtx, workspaceId: string, agentIds: readonly string[]): Promise<void> {
  for (const agentId of agentIds) await inMomentTx(ctx, workspaceId, (w) => fillFromQueue(w, agentId, 'capacity', 'system'));
}
