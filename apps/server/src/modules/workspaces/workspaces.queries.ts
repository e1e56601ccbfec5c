import type { Deps } from '../../platform/deps.ts';
import type { Db } from '../../platform/db/database.ts';
import { parseSettings, type WorkspaceSettings } from './workspace-settings.ts';

export async function getWorkspace(db: Db, workspaceId: string) {
  const row = await db.selectFrom('workspace').selectAll().where('id', '=', workspaceId).executeTakeFirst();
  return row ? { id: row.id, name: row.name, createdAt: row.created_at, settings: parseSettings(row.settings) } : undefined;
}

/** Settings are read on every ingest group, so they are cached briefly per process. */
export function createSettingsCache(deps: Pick<Deps, 'db' | 'clock'>, ttlMs = 5_000) {
  const cache = new Map<string, { settings: WorkspaceSettings; until: number }>();
  return {
    get: async (workspaceId: string): Promise<WorkspaceSettings> => {
      const hit = cache.get(workspaceId);
      if (hit && hit.until > deps.clock.now()) return hit.settings;
      const ws = await getWorkspace(deps.db, workspaceId);
      const settings = ws?.settings ?? parseSettings(null);
      cache.set(workspaceId, { settings, until: deps.clock.now() + ttlMs });
      return settings;
    },
    forget: (workspaceId: string) => cache.delete(workspaceId),
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

export async function listTeams(db: Db, workspaceId: string) {
  const teams = await db
    .selectFrom('team')
    .select(['id', 'key', 'name', 'business_unit_id as businessUnitId', 'created_at as createdAt'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
  const members = await db
    .selectFrom('team_member')
    .select(['team_id', 'agent_id'])
    .where('workspace_id', '=', workspaceId)
    .execute();
  return teams.map((t) => ({ ...t, agentIds: members.filter((m) => m.team_id === t.id).map((m) => m.agent_id) }));
}

export async function listAgents(db: Db, workspaceId: string) {
  return db
    .selectFrom('agent')
    .select(['id', 'email', 'name', 'role', 'created_at as createdAt'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
}

export async function listKeys(db: Db, workspaceId: string) {
  return db
    .selectFrom('api_key')
    .select(['id', 'kind', 'name', 'prefix', 'created_at as createdAt', 'revoked_at as revokedAt'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
}
