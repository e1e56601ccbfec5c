import type { Selectable } from 'kysely';
import type { Deps } from '../../../platform/deps.ts';
import type { Db, Tx } from '../../../platform/db/database.ts';
import { compiledOnce } from '../../../platform/db/compiled-once.ts';
import type { AssignmentRuleTable } from '../../../platform/db/tables.ts';
import { lockWorkspace } from '../../../platform/db/lock-workspace.ts';
import { AppError } from '../../../platform/errors.ts';
import { writeAudit } from '../../../platform/audit.ts';
import { parseJsonObject, parseStringList } from '../../../platform/json.ts';
import { firstMatch, validateConditions, type RoutingFacts, type RuleConditions } from './match-rule.ts';
import { checkTeam } from '../../workspaces/index.ts';

/** An enabled rule as routing uses it: the first whose conditions hold names the team. */
export type AssignmentRule = {
  readonly id: string;
  readonly name: string;
  /** 0 is tried first. Positions are kept dense: 0, 1, 2, … */
  readonly position: number;
  readonly conditions: RuleConditions;
  readonly teamId: string;
  /** Skills the picked agent must have (every one). */
  readonly requiredSkills: readonly string[];
};

/** A rule as the settings screen shows it, disabled ones included. */
export type AssignmentRuleView = AssignmentRule & { readonly enabled: boolean; readonly createdAt: number };

type RuleRow = Selectable<AssignmentRuleTable>;

function toRule(row: RuleRow): AssignmentRule {
  return {
    id: row.id,
    name: row.name,
    position: row.position,
    // Stored only after validateConditions accepted it.
    conditions: parseJsonObject(row.conditions) as RuleConditions,
    teamId: row.team_id,
    requiredSkills: parseStringList(row.required_skills),
  };
}

const toView = (row: RuleRow): AssignmentRuleView => ({ ...toRule(row), enabled: row.enabled === 1, createdAt: row.created_at });

/** The workspace's enabled rules in the order they are tried, in one query. */
export async function loadRules(db: Db | Tx, workspaceId: string): Promise<AssignmentRule[]> {
  return (await enabledRules(db, { workspaceId })).map(toRule);
}

// Every moment routed reads them: built and compiled once (compiled-once.ts).
const enabledRules = compiledOnce((db, p: { workspaceId: string }) => db.selectFrom('assignment_rule').selectAll().where('workspace_id', '=', p.workspaceId).where('enabled', '=', 1).orderBy('position').orderBy('id'));

/** Every rule of the workspace, disabled ones included, in order. */
export async function listRules(db: Db | Tx, workspaceId: string): Promise<AssignmentRuleView[]> {
  const rows = await db.selectFrom('assignment_rule').selectAll().where('workspace_id', '=', workspaceId).orderBy('position').orderBy('id').execute();
  return rows.map(toView);
}

type RuleFields = {
  readonly name: string;
  readonly conditions?: unknown;
  readonly teamId: string;
  readonly requiredSkills?: readonly string[];
  readonly enabled?: boolean;
};

/** Adds a rule, after every other one unless a position is given (later rules move down). */
export async function createRule(
  deps: Deps,
  input: RuleFields & { readonly workspaceId: string; readonly position?: number; readonly actor: string },
): Promise<AssignmentRuleView> {
  const conditions = validateConditions(input.conditions);
  const name = ruleName(input.name);
  return deps.db.transaction().execute(async (tx) => {
    // Positions are read then shifted: concurrent edits of one workspace's rules take turns.
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    await checkTeam(tx, input.workspaceId, input.teamId, 'teamId');
    await checkBusinessUnits(tx, input.workspaceId, conditions.businessUnitIds);
    const { n } = await tx.selectFrom('assignment_rule').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', input.workspaceId).executeTakeFirstOrThrow();
    const count = Number(n);
    const position = input.position === undefined ? count : Math.min(input.position, count);
    if (position < count) {
      await tx
        .updateTable('assignment_rule')
        .set((eb) => ({ position: eb('position', '+', 1) }))
        .where('workspace_id', '=', input.workspaceId)
        .where('position', '>=', position)
        .execute();
    }
    const row: RuleRow = {
      workspace_id: input.workspaceId,
      id: deps.ids.next(),
      position,
      name,
      conditions: JSON.stringify(conditions),
      team_id: input.teamId,
      required_skills: JSON.stringify([...new Set(input.requiredSkills ?? [])]),
      enabled: input.enabled === false ? 0 : 1,
      created_at: deps.clock.now(),
    };
    await tx.insertInto('assignment_rule').values(row).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'assignment_rule.created', target: row.id, details: { name, teamId: input.teamId, position } });
    return toView(row);
  });
}

/** Changes a rule's name, conditions, team, required skills or whether it is on. */
export async function updateRule(
  deps: Deps,
  input: Partial<RuleFields> & { readonly workspaceId: string; readonly ruleId: string; readonly actor: string },
): Promise<AssignmentRuleView> {
  const conditions = input.conditions === undefined ? undefined : validateConditions(input.conditions);
  const name = input.name === undefined ? undefined : ruleName(input.name);
  return deps.db.transaction().execute(async (tx) => {
    await findRule(tx, input.workspaceId, input.ruleId);
    if (input.teamId !== undefined) await checkTeam(tx, input.workspaceId, input.teamId, 'teamId');
    await checkBusinessUnits(tx, input.workspaceId, conditions?.businessUnitIds);
    const changes = {
      ...(name !== undefined ? { name } : {}),
      ...(conditions !== undefined ? { conditions: JSON.stringify(conditions) } : {}),
      ...(input.teamId !== undefined ? { team_id: input.teamId } : {}),
      ...(input.requiredSkills !== undefined ? { required_skills: JSON.stringify([...new Set(input.requiredSkills)]) } : {}),
      ...(input.enabled !== undefined ? { enabled: input.enabled ? 1 : 0 } : {}),
    };
    if (Object.keys(changes).length > 0) {
      await tx.updateTable('assignment_rule').set(changes).where('workspace_id', '=', input.workspaceId).where('id', '=', input.ruleId).execute();
    }
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'assignment_rule.updated', target: input.ruleId, details: changes });
    return toView(await findRule(tx, input.workspaceId, input.ruleId));
  });
}

/** Removes a rule; the ones after it move up. */
export async function deleteRule(deps: Deps, input: { readonly workspaceId: string; readonly ruleId: string; readonly actor: string }): Promise<void> {
  await deps.db.transaction().execute(async (tx) => {
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const row = await findRule(tx, input.workspaceId, input.ruleId);
    await tx.deleteFrom('assignment_rule').where('workspace_id', '=', input.workspaceId).where('id', '=', input.ruleId).execute();
    await tx
      .updateTable('assignment_rule')
      .set((eb) => ({ position: eb('position', '-', 1) }))
      .where('workspace_id', '=', input.workspaceId)
      .where('position', '>', row.position)
      .execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'assignment_rule.deleted', target: input.ruleId, details: { name: row.name } });
  });
}

/**
 * Puts the rules in a new order. `ids` must list every rule of the workspace exactly once, so
 * that a screen working from a stale list cannot silently drop or duplicate a rule.
 */
export async function reorderRules(deps: Deps, input: { readonly workspaceId: string; readonly ids: readonly string[]; readonly actor: string }): Promise<AssignmentRuleView[]> {
  return deps.db.transaction().execute(async (tx) => {
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const existing = new Set((await tx.selectFrom('assignment_rule').select('id').where('workspace_id', '=', input.workspaceId).execute()).map((r) => r.id));
    const exact = input.ids.length === existing.size && new Set(input.ids).size === input.ids.length && input.ids.every((id) => existing.has(id));
    if (!exact) throw new AppError('invalid_field', `ids must list each of the workspace's ${existing.size} rules exactly once`, 'ids');
    for (const [position, id] of input.ids.entries()) {
      await tx.updateTable('assignment_rule').set({ position }).where('workspace_id', '=', input.workspaceId).where('id', '=', id).execute();
    }
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'assignment_rules.reordered', target: input.workspaceId, details: { ids: input.ids } });
    return listRules(tx, input.workspaceId);
  });
}

/** What routing would decide for these facts: the matching rule's team, else the default team. */
export type RoutingTest = {
  readonly matched: { readonly ruleId: string; readonly ruleName: string; readonly teamId: string; readonly teamName: string | null } | null;
  /** The workspace's default team when no rule matched (null: the workspace owner would hold it). */
  readonly fallback: { readonly teamId: string | null; readonly teamName: string | null };
};

/** Answers "which team would this go to?" without opening anything. */
export async function testRouting(db: Db | Tx, workspaceId: string, facts: RoutingFacts, defaultTeamId: string | null): Promise<RoutingTest> {
  const rule = firstMatch(await loadRules(db, workspaceId), facts);
  const teamId = rule?.teamId ?? defaultTeamId;
  const team = teamId === null ? undefined : await db.selectFrom('team').select('name').where('workspace_id', '=', workspaceId).where('id', '=', teamId).executeTakeFirst();
  const teamName = team?.name ?? null;
  if (rule) return { matched: { ruleId: rule.id, ruleName: rule.name, teamId: rule.teamId, teamName }, fallback: { teamId: null, teamName: null } };
  return { matched: null, fallback: { teamId, teamName } };
}

async function findRule(tx: Tx, workspaceId: string, ruleId: string): Promise<RuleRow> {
  const row = await tx.selectFrom('assignment_rule').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', ruleId).executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', 'no such assignment rule in this workspace', 'id');
  return row;
}

function ruleName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new AppError('invalid_field', 'a rule needs a name', 'name');
  return trimmed;
}

async function checkBusinessUnits(tx: Tx, workspaceId: string, ids: readonly string[] | undefined): Promise<void> {
  if (!ids || ids.length === 0) return;
  const found = await tx.selectFrom('business_unit').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', ids).execute();
  if (found.length !== ids.length) throw new AppError('invalid_field', 'a business unit is not in this workspace', 'conditions.businessUnitIds');
}
