import type { Deps } from '../../platform/deps.ts';
import type { Db } from '../../platform/db/database.ts';
import { EVERYTHING, type ForgetEverywhere } from '../../platform/forget-everywhere.ts';
import { parseNumberRecord, parseStringList } from '../../platform/json.ts';
import { parseSettings, type WorkspaceSettings } from './workspace-settings.ts';

const SETTINGS_TOPIC = 'settings:';

export async function getWorkspace(db: Db, workspaceId: string) {
  const row = await db.selectFrom('workspace').selectAll().where('id', '=', workspaceId).executeTakeFirst();
  return row ? { id: row.id, name: row.name, createdAt: row.created_at, settings: parseSettings(row.settings) } : undefined;
}

/**
 * Settings are read on every ingest group, so they are cached briefly per process; a change
 * is forgotten by every process at once (forget-everywhere.ts).
 */
export function createSettingsCache(deps: Pick<Deps, 'db' | 'clock'>, bus: ForgetEverywhere, ttlMs = 5_000) {
  const cache = new Map<string, { settings: WorkspaceSettings; until: number }>();
  bus.subscribe((topic) => {
    if (topic === EVERYTHING) cache.clear();
    else if (topic.startsWith(SETTINGS_TOPIC)) cache.delete(topic.slice(SETTINGS_TOPIC.length));
  });
  return {
    get: async (workspaceId: string): Promise<WorkspaceSettings> => {
      const hit = cache.get(workspaceId);
      if (hit && hit.until > deps.clock.now()) return hit.settings;
      const ws = await getWorkspace(deps.db, workspaceId);
      const settings = ws?.settings ?? parseSettings(null);
      cache.set(workspaceId, { settings, until: deps.clock.now() + ttlMs });
      return settings;
    },
    forget: (workspaceId: string): Promise<void> => bus.forget(SETTINGS_TOPIC + workspaceId),
  };
}
export type SettingsCache = ReturnType<typeof createSettingsCache>;

export async function listWorkspaces(db: Db) {
  return db.selectFrom('workspace').select(['id', 'name', 'created_at']).orderBy('created_at').execute();
}

export async function listBusinessUnits(db: Db, workspaceId: string) {
  return db
    .selectFrom('business_unit')
    .select(['id', 'key', 'name', 'created_at as createdAt'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
}

/** Every team with its routing settings and members, so a settings screen needs one request. */
export async function listTeams(db: Db, workspaceId: string) {
  const teams = await db
    .selectFrom('team')
    .select(['id', 'key', 'name', 'business_unit_id as businessUnitId', 'strategy', 'fallback_owner_id as fallbackOwnerId', 'lead_id as leadId', 'created_at as createdAt'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
  const members = await db.selectFrom('team_member').select(['team_id', 'agent_id']).where('workspace_id', '=', workspaceId).execute();
  const byTeam = groupBy(members, (m) => m.team_id, (m) => m.agent_id);
  return teams.map((t) => {
    const memberIds = byTeam.get(t.id) ?? [];
    // agentIds: the name this list first used (and team creation takes); memberIds: the same, as the detail calls them.
    return { ...t, agentIds: memberIds, memberIds };
  });
}

/** Every agent with presence, skills, capacity per channel and teams, so a settings screen needs one request. */
export async function listAgents(db: Db, workspaceId: string) {
  const agents = await db
    .selectFrom('agent')
    .select(['id', 'email', 'name', 'role', 'presence', 'skills', 'capacity', 'created_at as createdAt'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
  const memberships = await db.selectFrom('team_member').select(['team_id', 'agent_id']).where('workspace_id', '=', workspaceId).execute();
  const byAgent = groupBy(memberships, (m) => m.agent_id, (m) => m.team_id);
  return agents.map(({ skills, capacity, ...a }) => ({
    ...a,
    skills: parseStringList(skills),
    capacity: parseNumberRecord(capacity),
    teamIds: byAgent.get(a.id) ?? [],
  }));
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string, value: (row: T) => string): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list) list.push(value(row));
    else groups.set(key(row), [value(row)]);
  }
  return groups;
}

export async function listKeys(db: Db, workspaceId: string) {
  return db
    .selectFrom('api_key')
    .select(['id', 'kind', 'name', 'prefix', 'created_at as createdAt', 'revoked_at as revokedAt'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
}
