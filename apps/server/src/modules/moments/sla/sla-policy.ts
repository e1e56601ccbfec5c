import type { Selectable } from 'kysely';
import type { SlaPolicyTable } from '../../../platform/db/tables.ts';

export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** What happens when a deadline passes, besides recording it. */
export const BREACH_ACTIONS = ['reassign', 'notify_lead', 'raise_priority'] as const;
export type BreachAction = (typeof BREACH_ACTIONS)[number];

/**
 * Deadlines for the moments a policy matches (null scope fields match any). Minutes count
 * business time when the policy has business hours, wall time otherwise.
 */
export type SlaPolicy = {
  readonly id: string;
  readonly name: string;
  readonly priority: Priority | null;
  readonly channel: string | null;
  readonly businessUnitId: string | null;
  readonly firstResponseMinutes: number | null;
  readonly nextResponseMinutes: number | null;
  readonly resolutionMinutes: number | null;
  readonly businessHoursId: string | null;
  readonly warnBeforeMinutes: number;
  readonly breachActions: readonly BreachAction[];
  readonly createdAt: number;
};

export function policyFromRow(row: Selectable<SlaPolicyTable>): SlaPolicy {
  let actions: unknown;
  try {
    actions = JSON.parse(row.breach_actions);
  } catch {
    actions = [];
  }
  return {
    id: row.id,
    name: row.name,
    priority: PRIORITIES.includes(row.priority as Priority) ? (row.priority as Priority) : null,
    channel: row.channel,
    businessUnitId: row.business_unit_id,
    firstResponseMinutes: row.first_response_minutes,
    nextResponseMinutes: row.next_response_minutes,
    resolutionMinutes: row.resolution_minutes,
    businessHoursId: row.business_hours_id,
    warnBeforeMinutes: row.warn_before_minutes,
    // A damaged value reads as no actions rather than failing the sweep.
    breachActions: Array.isArray(actions) ? actions.filter((a): a is BreachAction => BREACH_ACTIONS.includes(a)) : [],
    createdAt: row.created_at,
  };
}
