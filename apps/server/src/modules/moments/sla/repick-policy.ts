import type { Tx } from '../../../platform/db/database.ts';
import type { MomentRow } from '../moment-view.ts';
import { loadSla, loadSlaPolicy } from './load-sla.ts';
import type { SlaClock } from './sla-clock.ts';
import { switchPolicy } from './switch-policy.ts';

/** Which policy timed the moment before a change, and which times it now (null: none). */
export type PolicyChange = { readonly previousPolicyId: string | null; readonly policyId: string | null };

/**
 * The moment's priority is now `row.priority` (set by hand, by an escalation or by a breach):
 * the policy for it, per priority, channel and business unit, times what is still running from
 * now on (switch-policy.ts). Null when that is the policy it already has.
 */
export async function repickPolicy(tx: Tx, workspaceId: string, row: MomentRow): Promise<{ readonly clock: SlaClock; readonly change: PolicyChange } | null> {
  const to = await loadSla(tx, workspaceId, { priority: row.priority, channel: row.channel, businessUnitId: row.business_unit_id });
  const policyId = to?.policy.id ?? null;
  if (policyId === row.sla_policy_id) return null;
  const from = await loadSlaPolicy(tx, workspaceId, row.sla_policy_id);
  const clock = switchPolicy(row, from, to, { openedAt: row.created_at, awaitingSince: row.awaiting_reply_since });
  return { clock, change: { previousPolicyId: row.sla_policy_id, policyId } };
}
