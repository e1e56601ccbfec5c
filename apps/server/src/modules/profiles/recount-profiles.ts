import type { Deps } from '../../platform/deps.ts';
import { chunks } from '../../platform/chunks.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { computeStage, stageReason, type Stage } from './lifecycle.ts';
import { rebuildProfile } from './rebuild-profile.ts';
import { recordStageChanges, type StageChange } from './record-stage-changes.ts';

/** Profiles rebuilt per transaction: the write lock is let go between them. */
const PROFILES_PER_TRANSACTION = 50;

/**
 * The lifecycle rules now read some events otherwise (`Purchase` became an order event, a
 * review stopped being an advocate event): every profile that holds such an event is rebuilt
 * from its events, so its orders, revenue, advocate and lead marks and its stage follow the new
 * rules for what it did before, not only from now on. A stage that moves is on its history.
 * Returns how many profiles changed stage.
 */
export async function recountProfiles(deps: Deps, workspaceId: string, eventNames: readonly string[], settings: WorkspaceSettings): Promise<number> {
  if (eventNames.length === 0) return 0;
  // Events point at the profile they count for now (merges move them): its root.
  const holders = await deps.reads.selectFrom('event').select('customer_id').distinct().where('workspace_id', '=', workspaceId).where('name', 'in', [...eventNames]).execute();
  let moved = 0;
  for (const part of chunks(holders.map((h) => h.customer_id), PROFILES_PER_TRANSACTION)) {
    moved += await deps.db.transaction().execute(async (tx) => {
      await lockWorkspace(tx, deps.engine, workspaceId);
      const now = deps.clock.now();
      const stagesBefore = await tx.selectFrom('customer').select(['id', 'stage']).where('workspace_id', '=', workspaceId).where('id', 'in', part).where('merged_into', 'is', null).execute();
      if (stagesBefore.length === 0) return 0;
      for (const { id } of stagesBefore) await rebuildProfile(tx, workspaceId, id, settings, now);
      const after = await tx
        .selectFrom('customer')
        .select(['id', 'stage', 'identified', 'order_count', 'advocate', 'last_seen', 'stage_override'])
        .where('workspace_id', '=', workspaceId)
        .where('id', 'in', stagesBefore.map((c) => c.id))
        .execute();
      const before = new Map(stagesBefore.map((c) => [c.id, c.stage]));
      const changes: StageChange[] = [];
      for (const row of after) {
        const from = before.get(row.id);
        if (from === undefined || from === row.stage) continue;
        const inputs = { identified: row.identified === 1, orderCount: row.order_count, advocate: row.advocate === 1, lastSeen: row.last_seen, override: row.stage_override as Stage | null };
        const stage = computeStage(inputs, settings.lifecycle, now);
        changes.push({ customerId: row.id, from, to: row.stage, reason: `lifecycle rules changed: ${stageReason(stage, inputs, settings.lifecycle, now)}` });
      }
      await recordStageChanges(tx, deps, workspaceId, changes);
      return changes.length;
    });
  }
  return moved;
}
