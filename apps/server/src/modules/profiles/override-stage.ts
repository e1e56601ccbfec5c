import type { Deps } from '../../platform/deps.ts';
import { writeAudit } from '../../platform/audit.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { recordStageChanges } from './record-stage-changes.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { computeStage, type Stage } from './lifecycle.ts';
import { rootOf } from './profiles.queries.ts';

/**
 * Sets a lifecycle stage by hand, with the reason people will see, or clears the override
 * (stage null) so the rules decide again.
 */
export async function overrideStage(
  deps: Deps,
  input: { readonly workspaceId: string; readonly customerId: string; readonly stage: Stage | null; readonly reason: string | null; readonly actor: string; readonly settings: WorkspaceSettings },
): Promise<{ readonly customerId: string; readonly stage: Stage }> {
  const { workspaceId } = input;
  return deps.db.transaction().execute(async (tx) => {
    // Ingest on PostgreSQL reads a profile and writes it back whole under this lock (as merges
    // do): without it, an override committed in between would be written over.
    await lockWorkspace(tx, deps.engine, workspaceId);
    const row = await rootOf(tx, workspaceId, input.customerId, 'id');
    const now = deps.clock.now();
    const stage = computeStage(
      { identified: row.identified === 1, orderCount: row.order_count, advocate: row.advocate === 1, lastSeen: row.last_seen, override: input.stage },
      input.settings.lifecycle,
      now,
    );
    await tx
      .updateTable('customer')
      .set({ stage, stage_override: input.stage, stage_override_reason: input.stage ? input.reason : null, updated_at: now })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', row.id)
      .execute();
    // A stage set by hand is on the history even when the rules gave the same: its reason is
    // the record of who decided it and why, and the stage no longer moves with the rules.
    if (stage !== row.stage || input.stage !== null) {
      await recordStageChanges(tx, deps, workspaceId, [{ customerId: row.id, from: row.stage, to: stage, reason: input.stage ? `set by hand: ${input.reason}` : input.reason ? `handed back to the rules: ${input.reason}` : 'handed back to the rules' }]);
    }
    await writeAudit(tx, deps, { workspaceId, actor: input.actor, action: input.stage ? 'customer.stage_overridden' : 'customer.stage_override_cleared', target: row.id, details: { stage: input.stage, reason: input.reason } });
    return { customerId: row.id, stage };
  });
}
