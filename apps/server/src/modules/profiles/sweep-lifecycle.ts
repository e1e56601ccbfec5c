import type { Deps } from '../../platform/deps.ts';
import { recordStageChanges } from './record-stage-changes.ts';
import type { SettingsCache } from '../workspaces/index.ts';
import { computeStage } from './lifecycle.ts';

const DAY_MS = 86_400_000;

/**
 * Time alone moves customers to at risk and churned: nothing happens to trigger it. This job
 * finds buyers whose silence crossed a threshold since the last sweep and stores their new
 * stage (reads compute it fresh anyway; the stored value serves filters and insights).
 */
export async function sweepLifecycle(deps: Deps, settings: SettingsCache): Promise<number> {
  const now = deps.clock.now();
  const workspaces = await deps.db.selectFrom('workspace').select('id').execute();
  let changed = 0;
  for (const { id: workspaceId } of workspaces) {
    const rules = (await settings.get(workspaceId)).lifecycle;
    const atRiskBefore = now - rules.atRiskAfterDays * DAY_MS;
    const rows = await deps.db
      .selectFrom('customer')
      .select(['id', 'stage', 'identified', 'order_count', 'advocate', 'last_seen'])
      .where('workspace_id', '=', workspaceId)
      .where('merged_into', 'is', null)
      .where('stage_override', 'is', null)
      .where('order_count', '>', 0)
      .where('last_seen', '<', atRiskBefore)
      .where('stage', '!=', 'churned')
      .execute();
    for (const row of rows) {
      const stage = computeStage({ identified: row.identified === 1, orderCount: row.order_count, advocate: row.advocate === 1, lastSeen: row.last_seen, override: null }, rules, now);
      if (stage === row.stage) continue;
      await deps.db.transaction().execute(async (tx) => {
        await tx.updateTable('customer').set({ stage }).where('workspace_id', '=', workspaceId).where('id', '=', row.id).where('stage', '=', row.stage).execute();
        await recordStageChanges(tx, deps, workspaceId, [{ customerId: row.id, from: row.stage, to: stage, reason: 'inactivity' }]);
      });
      changed += 1;
    }
  }
  return changed;
}
