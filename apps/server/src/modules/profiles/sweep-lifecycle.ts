import type { Deps } from '../../platform/deps.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { recordStageChanges } from './record-stage-changes.ts';
import type { SettingsCache } from '../workspaces/index.ts';
import { computeStage } from './lifecycle.ts';

const DAY_MS = 86_400_000;

/** What the last sweep of each workspace saw: when it ran, and the thresholds it applied. */
export type LifecycleSweepMemory = Map<string, { readonly at: number; readonly atRiskAfterDays: number; readonly churnedAfterDays: number }>;

/**
 * Time alone moves customers to at risk and churned: nothing happens to trigger it. This job
 * stores their new stage (reads compute it fresh anyway; the stored value serves filters and
 * insights). Given the memory of its last run, it reads only the buyers whose silence crossed
 * a threshold since then: two short ranges of last_seen. Without one (the first run of a
 * process), or when the thresholds or the clock moved otherwise, it reads every buyer silent
 * past the at-risk threshold: in a mature store most of them, which on SQLite held the event
 * loop for the whole read every ten minutes.
 */
export async function sweepLifecycle(deps: Deps, settings: SettingsCache, memory: LifecycleSweepMemory = new Map()): Promise<number> {
  const now = deps.clock.now();
  const workspaces = await deps.db.selectFrom('workspace').select('id').execute();
  let changed = 0;
  for (const { id: workspaceId } of workspaces) {
    const rules = (await settings.get(workspaceId)).lifecycle;
    const last = memory.get(workspaceId);
    const sinceLast = last !== undefined && last.at <= now && last.atRiskAfterDays === rules.atRiskAfterDays && last.churnedAfterDays === rules.churnedAfterDays ? last.at : null;
    // Silent longer than `days` at `at`: last_seen before at − days (computeStage's rule).
    const silentBefore = (at: number, days: number) => at - days * DAY_MS;
    const rows = await deps.db
      .selectFrom('customer')
      .select(['id', 'stage', 'identified', 'order_count', 'advocate', 'last_seen'])
      .where('workspace_id', '=', workspaceId)
      .where((eb) =>
        sinceLast === null
          ? eb('last_seen', '<', silentBefore(now, rules.atRiskAfterDays))
          : eb.or(
              [rules.atRiskAfterDays, rules.churnedAfterDays].map((days) =>
                eb.and([eb('last_seen', '>=', silentBefore(sinceLast, days)), eb('last_seen', '<', silentBefore(now, days))]),
              ),
            ),
      )
      .where('merged_into', 'is', null)
      .where('stage_override', 'is', null)
      .where('order_count', '>', 0)
      .where('stage', '!=', 'churned')
      .execute();
    for (const row of rows) {
      const stage = computeStage({ identified: row.identified === 1, orderCount: row.order_count, advocate: row.advocate === 1, lastSeen: row.last_seen, override: null }, rules, now);
      if (stage === row.stage) continue;
      await deps.db.transaction().execute(async (tx) => {
        // Every writer of a workspace's profiles holds its lock (ingest trusts its cache under it).
        await lockWorkspace(tx, deps.engine, workspaceId);
        await tx.updateTable('customer').set({ stage }).where('workspace_id', '=', workspaceId).where('id', '=', row.id).where('stage', '=', row.stage).execute();
        await recordStageChanges(tx, deps, workspaceId, [{ customerId: row.id, from: row.stage, to: stage, reason: 'inactivity' }]);
      });
      changed += 1;
    }
    memory.set(workspaceId, { at: now, atRiskAfterDays: rules.atRiskAfterDays, churnedAfterDays: rules.churnedAfterDays });
  }
  return changed;
}
