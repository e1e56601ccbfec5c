import { MAX_WARN_BEFORE_MINUTES } from '@touchpoint/contracts';
import { writeAudit } from '../../../platform/audit.ts';
import type { Db, Tx } from '../../../platform/db/database.ts';
import { lockWorkspace } from '../../../platform/db/lock-workspace.ts';
import type { Deps } from '../../../platform/deps.ts';
import { AppError } from '../../../platform/errors.ts';
import { parseJsonObject } from '../../../platform/json.ts';
import { checkBusinessUnit } from '../../workspaces/index.ts';
import { hoursFromRow, type BusinessHoursRecord } from './business-hours-record.ts';
import { validateBusinessHours } from './business-time.ts';
import { BREACH_ACTIONS, policyFromRow, PRIORITIES, type BreachAction, type Priority, type SlaPolicy } from './sla-policy.ts';

type Scope = { readonly workspaceId: string; readonly actor: string };

export type BusinessHoursInput = { readonly name: string; readonly timeZone: string; readonly weekly: unknown; readonly holidays?: unknown };

export type SlaPolicyInput = {
  readonly name: string;
  readonly priority?: Priority | null;
  readonly channel?: string | null;
  readonly businessUnitId?: string | null;
  readonly firstResponseMinutes?: number | null;
  readonly nextResponseMinutes?: number | null;
  readonly resolutionMinutes?: number | null;
  readonly businessHoursId?: string | null;
  readonly warnBeforeMinutes?: number;
  readonly breachActions?: readonly BreachAction[];
};

const DEFAULT_WARN_BEFORE_MINUTES = 15;

export async function listBusinessHours(db: Db, workspaceId: string): Promise<BusinessHoursRecord[]> {
  const rows = await db.selectFrom('business_hours').selectAll().where('workspace_id', '=', workspaceId).where('retired_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  return rows.map(hoursFromRow);
}

export async function getBusinessHours(db: Db | Tx, workspaceId: string, id: string): Promise<BusinessHoursRecord> {
  const row = await db.selectFrom('business_hours').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', `no business hours ${id}`, 'id');
  return hoursFromRow(row);
}

export async function createBusinessHours(deps: Deps, input: Scope & BusinessHoursInput): Promise<BusinessHoursRecord> {
  const hours = validateBusinessHours(input);
  return inSettingsTx(deps, input.workspaceId, async (tx) => {
    const record: BusinessHoursRecord = { id: deps.ids.next(), name: input.name, ...hours, createdAt: deps.clock.now() };
    await tx
      .insertInto('business_hours')
      .values({ workspace_id: input.workspaceId, id: record.id, name: record.name, time_zone: record.timeZone, weekly: JSON.stringify(record.weekly), holidays: JSON.stringify(record.holidays), created_at: record.createdAt })
      .execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'business_hours.created', target: record.id });
    return record;
  });
}

/** Changes apply to deadlines computed from now on; running moments keep theirs. */
export async function updateBusinessHours(deps: Deps, input: Scope & { readonly id: string; readonly patch: Partial<BusinessHoursInput> }): Promise<BusinessHoursRecord> {
  return inSettingsTx(deps, input.workspaceId, async (tx) => {
    const current = await getBusinessHours(tx, input.workspaceId, input.id);
    const given = defined(input.patch);
    const hours = validateBusinessHours({ ...current, ...given });
    const record: BusinessHoursRecord = { ...current, ...hours, name: given.name ?? current.name };
    await tx
      .updateTable('business_hours')
      .set({ name: record.name, time_zone: record.timeZone, weekly: JSON.stringify(record.weekly), holidays: JSON.stringify(record.holidays) })
      .where('workspace_id', '=', input.workspaceId)
      .where('id', '=', input.id)
      .execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'business_hours.updated', target: input.id, details: { fields: Object.keys(given) } });
    return record;
  });
}

/**
 * Takes business hours away from settings (retires them: moments of retired policies still
 * count in them). Refused while a policy counts in these hours (its new moments would silently
 * run around the clock) or a chat channel opens by them (its widget would silently stay open).
 */
export async function deleteBusinessHours(deps: Deps, input: Scope & { readonly id: string }): Promise<void> {
  await inSettingsTx(deps, input.workspaceId, async (tx) => {
    await getBusinessHours(tx, input.workspaceId, input.id);
    // A retired policy does not hold the hours: they are retired too, and its moments still count in them.
    const user = await tx.selectFrom('sla_policy').select(['id', 'name']).where('workspace_id', '=', input.workspaceId).where('business_hours_id', '=', input.id).where('retired_at', 'is', null).executeTakeFirst();
    if (user) throw new AppError('conflict', `policy "${user.name}" (${user.id}) uses these business hours`);
    // A workspace has a few chat channels: their settings are read here rather than by JSON path, which each engine writes its own way.
    const chats = await tx.selectFrom('channel').select(['id', 'name', 'settings']).where('workspace_id', '=', input.workspaceId).where('kind', '=', 'chat').execute();
    const chat = chats.find((c) => parseJsonObject(c.settings).businessHoursId === input.id);
    if (chat) throw new AppError('conflict', `chat channel "${chat.name}" (${chat.id}) opens by these business hours`);
    await tx.updateTable('business_hours').set({ retired_at: deps.clock.now() }).where('workspace_id', '=', input.workspaceId).where('id', '=', input.id).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'business_hours.deleted', target: input.id });
  });
}

export async function listSlaPolicies(db: Db, workspaceId: string): Promise<SlaPolicy[]> {
  const rows = await db.selectFrom('sla_policy').selectAll().where('workspace_id', '=', workspaceId).where('retired_at', 'is', null).orderBy('created_at').orderBy('id').execute();
  return rows.map(policyFromRow);
}

export async function getSlaPolicy(db: Db | Tx, workspaceId: string, id: string): Promise<SlaPolicy> {
  const row = await db.selectFrom('sla_policy').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).where('retired_at', 'is', null).executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', `no SLA policy ${id}`, 'id');
  return policyFromRow(row);
}

export async function createSlaPolicy(deps: Deps, input: Scope & SlaPolicyInput): Promise<SlaPolicy> {
  return inSettingsTx(deps, input.workspaceId, async (tx) => {
    const policy = await checkedPolicy(tx, input.workspaceId, {
      id: deps.ids.next(),
      name: input.name,
      priority: input.priority ?? null,
      channel: input.channel ?? null,
      businessUnitId: input.businessUnitId ?? null,
      firstResponseMinutes: input.firstResponseMinutes ?? null,
      nextResponseMinutes: input.nextResponseMinutes ?? null,
      resolutionMinutes: input.resolutionMinutes ?? null,
      businessHoursId: input.businessHoursId ?? null,
      warnBeforeMinutes: input.warnBeforeMinutes ?? DEFAULT_WARN_BEFORE_MINUTES,
      breachActions: input.breachActions ?? [],
      createdAt: deps.clock.now(),
    });
    await tx.insertInto('sla_policy').values({ workspace_id: input.workspaceId, ...policyColumns(policy), id: policy.id, created_at: policy.createdAt }).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'sla_policy.created', target: policy.id });
    return policy;
  });
}

/**
 * Fields given replace the stored ones (null clears). New moments and the sweep's warnings and
 * breach actions follow the change; running moments keep the deadlines they were given.
 */
export async function updateSlaPolicy(deps: Deps, input: Scope & { readonly id: string; readonly patch: Partial<SlaPolicyInput> }): Promise<SlaPolicy> {
  return inSettingsTx(deps, input.workspaceId, async (tx) => {
    const current = await getSlaPolicy(tx, input.workspaceId, input.id);
    const given = defined(input.patch);
    const policy = await checkedPolicy(tx, input.workspaceId, { ...current, ...given });
    await tx.updateTable('sla_policy').set(policyColumns(policy)).where('workspace_id', '=', input.workspaceId).where('id', '=', input.id).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'sla_policy.updated', target: input.id, details: { fields: Object.keys(given) } });
    return policy;
  });
}

/**
 * Takes a policy away: it times no new moment and leaves the lists, while the moments it was
 * timing keep its terms (reopened, or back from waiting on the customer) and its breach actions.
 */
export async function deleteSlaPolicy(deps: Deps, input: Scope & { readonly id: string }): Promise<void> {
  await inSettingsTx(deps, input.workspaceId, async (tx) => {
    await getSlaPolicy(tx, input.workspaceId, input.id);
    await tx.updateTable('sla_policy').set({ retired_at: deps.clock.now() }).where('workspace_id', '=', input.workspaceId).where('id', '=', input.id).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'sla_policy.deleted', target: input.id });
  });
}

/** Settings writes are rare; the workspace lock keeps a delete from racing a policy that refers to the hours. */
async function inSettingsTx<T>(deps: Deps, workspaceId: string, work: (tx: Tx) => Promise<T>): Promise<T> {
  return deps.db.transaction().execute(async (tx) => {
    await lockWorkspace(tx, deps.engine, workspaceId);
    return work(tx);
  });
}

/** Checks what the schema cannot: references are of this workspace, values within range. */
async function checkedPolicy(tx: Tx, workspaceId: string, p: SlaPolicy): Promise<SlaPolicy> {
  if (p.name.trim() === '') throw new AppError('invalid_field', 'name must not be blank', 'name');
  if (p.priority !== null && !PRIORITIES.includes(p.priority)) throw new AppError('invalid_field', `priority must be one of ${PRIORITIES.join(', ')} or null`, 'priority');
  for (const field of ['firstResponseMinutes', 'nextResponseMinutes', 'resolutionMinutes'] as const) {
    const v = p[field];
    if (v !== null && (!Number.isInteger(v) || v < 1)) throw new AppError('invalid_field', `${field} must be a positive whole number of minutes or null`, field);
  }
  // A policy without a deadline would still win the match and show its moments as met at once.
  if (p.firstResponseMinutes === null && p.nextResponseMinutes === null && p.resolutionMinutes === null) {
    throw new AppError('invalid_field', 'a policy needs at least one deadline: firstResponseMinutes, nextResponseMinutes or resolutionMinutes', 'firstResponseMinutes');
  }
  if (!Number.isInteger(p.warnBeforeMinutes) || p.warnBeforeMinutes < 0 || p.warnBeforeMinutes > MAX_WARN_BEFORE_MINUTES) {
    throw new AppError('invalid_field', `warnBeforeMinutes must be 0 to ${MAX_WARN_BEFORE_MINUTES}`, 'warnBeforeMinutes');
  }
  const unknownAction = p.breachActions.find((a) => !BREACH_ACTIONS.includes(a));
  if (unknownAction !== undefined) throw new AppError('invalid_field', `unknown breach action "${unknownAction}"`, 'breachActions');
  if (p.businessUnitId !== null) await checkBusinessUnit(tx, workspaceId, p.businessUnitId);
  if (p.businessHoursId !== null) {
    const hours = await tx.selectFrom('business_hours').select('id').where('workspace_id', '=', workspaceId).where('id', '=', p.businessHoursId).where('retired_at', 'is', null).executeTakeFirst();
    if (!hours) throw new AppError('invalid_field', 'no such business hours in this workspace', 'businessHoursId');
  }
  return { ...p, breachActions: [...new Set(p.breachActions)] };
}

/** A patch without its absent fields, so spreading it never overwrites with undefined. */
function defined<T extends object>(patch: T): Partial<T> {
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function policyColumns(p: SlaPolicy) {
  return {
    name: p.name,
    priority: p.priority,
    channel: p.channel,
    business_unit_id: p.businessUnitId,
    first_response_minutes: p.firstResponseMinutes,
    next_response_minutes: p.nextResponseMinutes,
    resolution_minutes: p.resolutionMinutes,
    business_hours_id: p.businessHoursId,
    warn_before_minutes: p.warnBeforeMinutes,
    breach_actions: JSON.stringify(p.breachActions),
  };
}
