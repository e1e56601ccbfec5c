import type { Db, Tx } from '../../../platform/db/database.ts';
import { hoursFromRow } from './business-hours-record.ts';
import type { BusinessHours } from './business-time.ts';
import { selectPolicy, type SlaSubject } from './select-policy.ts';
import { policyFromRow, type SlaPolicy } from './sla-policy.ts';

/** A policy and the business hours its minutes count in (null: around the clock). */
export type LoadedSla = { readonly policy: SlaPolicy; readonly hours: BusinessHours | null };

/**
 * The SLA for a new moment: the most specific matching policy of the workspace. A workspace
 * has a handful of policies, so one primary-key range read beats a cache that other
 * processes' edits would make stale.
 */
export async function loadSla(db: Db | Tx, workspaceId: string, subject: SlaSubject): Promise<LoadedSla | null> {
  const rows = await db.selectFrom('sla_policy').selectAll().where('workspace_id', '=', workspaceId).where('retired_at', 'is', null).execute();
  const policy = selectPolicy(rows.map(policyFromRow), subject);
  return policy ? { policy, hours: await loadHours(db, workspaceId, policy.businessHoursId) } : null;
}

/** The SLA a running moment started with (its `sla_policy_id`), retired or not; null when it has none. */
export async function loadSlaPolicy(db: Db | Tx, workspaceId: string, policyId: string | null): Promise<LoadedSla | null> {
  if (policyId === null) return null;
  const row = await db.selectFrom('sla_policy').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', policyId).executeTakeFirst();
  if (!row) return null;
  const policy = policyFromRow(row);
  return { policy, hours: await loadHours(db, workspaceId, policy.businessHoursId) };
}

async function loadHours(db: Db | Tx, workspaceId: string, id: string | null): Promise<BusinessHours | null> {
  if (id === null) return null;
  const row = await db.selectFrom('business_hours').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? hoursFromRow(row) : null;
}
