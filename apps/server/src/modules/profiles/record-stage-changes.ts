import type { Clock } from '../../platform/clock.ts';
import type { Tx } from '../../platform/db/database.ts';
import type { Ids } from '../../platform/ids.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import { PROFILE_EVENTS } from './profiles.events.ts';

export type StageChange = { readonly customerId: string; readonly from: string; readonly to: string; readonly reason: string };

/**
 * Records changes of lifecycle stage in the caller's transaction: each in the customer's stage
 * history, and each as a `customer.stage_changed` event for listeners.
 */
export async function recordStageChanges(tx: Tx, deps: { readonly ids: Ids; readonly clock: Clock }, workspaceId: string, changes: readonly StageChange[]): Promise<void> {
  if (changes.length === 0) return;
  const now = deps.clock.now();
  await tx
    .insertInto('stage_change')
    .values(changes.map((c) => ({ workspace_id: workspaceId, id: deps.ids.next(), customer_id: c.customerId, from_stage: c.from, to_stage: c.to, reason: c.reason, created_at: now })))
    .execute();
  await writeOutbox(tx, deps, changes.map((c) => ({ workspaceId, topic: PROFILE_EVENTS.stageChanged, payload: { customerId: c.customerId, from: c.from, to: c.to, reason: c.reason } })));
}
