import type { Selectable } from 'kysely';
import type { MomentTable } from '../../platform/db/tables.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { isoTime } from '../../platform/iso-time.ts';
import { tagsOf } from './moment-tags.ts';

export type MomentRow = Selectable<MomentTable>;

export type SlaState = 'none' | 'running' | 'due_soon' | 'breached' | 'paused' | 'met';

/** A pending hand-off: the sender stays owner until the receiver accepts. */
export type Handoff = {
  readonly fromOwnerId: string;
  readonly toTeamId: string | null;
  readonly toAgentId: string | null;
  readonly reason: string;
  readonly note: string | null;
  readonly requestedAt: number;
  readonly requestedBy: string;
};

/** A moment as the API, the stream and the web app show it (times as ISO strings). */
export type MomentView = {
  readonly id: string;
  readonly customerId: string;
  readonly channel: string;
  readonly externalId: string | null;
  readonly subject: string;
  readonly preview: string;
  readonly status: string;
  readonly priority: string;
  readonly language: string | null;
  readonly businessUnitId: string | null;
  readonly teamId: string | null;
  readonly ownerId: string;
  readonly queued: boolean;
  readonly queuedAt: string | null;
  readonly handoff: (Omit<Handoff, 'requestedAt'> & { readonly requestedAt: string }) | null;
  readonly tags: readonly string[];
  readonly sla: {
    readonly state: SlaState;
    readonly policyId: string | null;
    readonly firstResponseDue: string | null;
    readonly nextResponseDue: string | null;
    readonly resolutionDue: string | null;
    readonly dueAt: string | null;
    readonly breachedAt: string | null;
    readonly pausedAt: string | null;
  };
  readonly firstResponseAt: string | null;
  readonly snoozedUntil: string | null;
  readonly resolvedAt: string | null;
  readonly closedAt: string | null;
  readonly mergedInto: string | null;
  readonly messageCount: number;
  readonly lastMessageAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
};

const iso = (ms: number | null): string | null => (ms === null ? null : isoTime(ms));

/** The columns a hand-off is stored in: the JSON, and its target for indexed visibility. */
export function handoffColumns(h: Handoff | null): Pick<MomentRow, 'handoff' | 'handoff_agent_id' | 'handoff_team_id'> {
  return { handoff: h === null ? null : JSON.stringify(h), handoff_agent_id: h?.toAgentId ?? null, handoff_team_id: h?.toTeamId ?? null };
}

export function parseHandoff(text: string | null): Handoff | null {
  if (text === null) return null;
  const h = parseJsonObject(text);
  return typeof h.fromOwnerId === 'string' ? (h as unknown as Handoff) : null;
}

/** Where the moment stands against its SLA at `now`. */
export function slaStateOf(row: MomentRow, now: number, dueSoonMs: number): SlaState {
  if (row.sla_breached_at !== null) return 'breached';
  if (row.sla_policy_id === null) return 'none';
  if (row.sla_paused_at !== null) return 'paused';
  if (row.sla_due_at === null) return 'met';
  if (row.sla_due_at <= now) return 'breached';
  return row.sla_due_at - now <= dueSoonMs ? 'due_soon' : 'running';
}

export function toMomentView(row: MomentRow, now: number, dueSoonMs: number): MomentView {
  const handoff = parseHandoff(row.handoff);
  return {
    id: row.id,
    customerId: row.customer_id,
    channel: row.channel,
    externalId: row.external_id,
    subject: row.subject,
    preview: row.preview,
    status: row.status,
    priority: row.priority,
    language: row.language,
    businessUnitId: row.business_unit_id,
    teamId: row.team_id,
    ownerId: row.owner_id,
    queued: row.queued_at !== null,
    queuedAt: iso(row.queued_at),
    handoff: handoff ? { ...handoff, requestedAt: isoTime(handoff.requestedAt) } : null,
    tags: tagsOf(row),
    sla: {
      state: slaStateOf(row, now, dueSoonMs),
      policyId: row.sla_policy_id,
      firstResponseDue: iso(row.first_response_due),
      nextResponseDue: iso(row.next_response_due),
      resolutionDue: iso(row.resolution_due),
      dueAt: iso(row.sla_due_at),
      breachedAt: iso(row.sla_breached_at),
      pausedAt: iso(row.sla_paused_at),
    },
    firstResponseAt: iso(row.first_response_at),
    snoozedUntil: iso(row.snoozed_until),
    resolvedAt: iso(row.resolved_at),
    closedAt: iso(row.closed_at),
    mergedInto: row.merged_into,
    messageCount: row.message_count,
    lastMessageAt: isoTime(row.last_message_at),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}
