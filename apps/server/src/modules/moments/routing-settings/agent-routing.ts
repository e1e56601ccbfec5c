import type { Deps } from '../../../platform/deps.ts';
import type { Db, Tx } from '../../../platform/db/database.ts';
import { lockWorkspace } from '../../../platform/db/lock-workspace.ts';
import { AppError } from '../../../platform/errors.ts';
import { writeAudit } from '../../../platform/audit.ts';
import { parseNumberRecord, parseStringList } from '../../../platform/json.ts';
import { checkOwnerChange, type Role } from '../../workspaces/index.ts';

/** A person as routing sees them: presence, skills, capacity per channel, and teams. */
export type AgentRouting = {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  /** online | away | offline: only online agents are routed new work. */
  readonly presence: string;
  readonly presenceAt: number;
  readonly skills: readonly string[];
  /** Open moments they may own per channel; `*` for any other channel. */
  readonly capacity: Readonly<Record<string, number>>;
  readonly teams: readonly { readonly id: string; readonly key: string; readonly name: string }[];
  readonly createdAt: number;
};

export async function getAgent(db: Db | Tx, workspaceId: string, agentId: string): Promise<AgentRouting> {
  const row = await db
    .selectFrom('agent')
    .select(['id', 'email', 'name', 'role', 'presence', 'presence_at', 'skills', 'capacity', 'created_at'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', agentId)
    .executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', 'no such agent in this workspace', 'id');
  const teams = await db
    .selectFrom('team_member')
    .innerJoin('team', (j) => j.onRef('team.workspace_id', '=', 'team_member.workspace_id').onRef('team.id', '=', 'team_member.team_id'))
    .select(['team.id', 'team.key', 'team.name'])
    .where('team_member.workspace_id', '=', workspaceId)
    .where('team_member.agent_id', '=', agentId)
    .orderBy('team.name')
    .execute();
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    presence: row.presence,
    presenceAt: row.presence_at,
    skills: parseStringList(row.skills),
    capacity: parseNumberRecord(row.capacity),
    teams,
    createdAt: row.created_at,
  };
}

/**
 * Changes an agent's name, role, skills or capacity (capacity is replaced whole, so a channel
 * can be taken out). A workspace always keeps an owner: demoting the last one is refused, and
 * only an owner makes owners or changes an owner's role.
 */
export async function updateAgent(
  deps: Deps,
  input: {
    readonly workspaceId: string;
    readonly agentId: string;
    readonly name?: string;
    readonly role?: Role;
    readonly skills?: readonly string[];
    readonly capacity?: Readonly<Record<string, number>>;
    readonly actor: string;
    /** The caller's role: only an owner makes someone an owner or changes an owner's role. */
    readonly callerRole: Role;
    /** Runs in the transaction once someone became an analyst: whatever they held must move. */
    readonly onBecameReader: (tx: Tx, workspaceId: string, agentId: string) => Promise<void>;
  },
): Promise<AgentRouting> {
  return deps.db.transaction().execute(async (tx) => {
    // Two owners demoting each other at once must not both succeed.
    if (input.role !== undefined) await lockWorkspace(tx, deps.engine, input.workspaceId);
    const current = await getAgent(tx, input.workspaceId, input.agentId);
    if (input.role !== undefined) checkOwnerChange(input.callerRole, current.role as Role, input.role);
    if (input.role !== undefined && current.role === 'owner' && input.role !== 'owner') {
      const { n } = await tx
        .selectFrom('agent')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('workspace_id', '=', input.workspaceId)
        .where('role', '=', 'owner')
        .executeTakeFirstOrThrow();
      if (Number(n) <= 1) throw new AppError('conflict', 'this is the last owner of the workspace; make someone else owner first', 'role');
    }
    const becomesReader = input.role === 'analyst' && current.role !== 'analyst';
    if (becomesReader) {
      // An analyst only reads: a team's fallback owner or lead must be someone who can answer.
      const holds = await tx
        .selectFrom('team')
        .select('name')
        .where('workspace_id', '=', input.workspaceId)
        .where((eb) => eb.or([eb('fallback_owner_id', '=', input.agentId), eb('lead_id', '=', input.agentId)]))
        .execute();
      if (holds.length > 0) throw new AppError('conflict', `the fallback owner or lead of ${holds.map((t) => t.name).join(', ')} cannot become an analyst; name someone else there first`, 'role');
    }
    const name = input.name?.trim();
    if (name === '') throw new AppError('invalid_field', 'a name cannot be blank', 'name');
    const changes = {
      ...(name !== undefined ? { name } : {}),
      ...(input.role !== undefined ? { role: input.role } : {}),
      ...(input.skills !== undefined ? { skills: JSON.stringify([...new Set(input.skills)]) } : {}),
      ...(input.capacity !== undefined ? { capacity: JSON.stringify(input.capacity) } : {}),
    };
    if (Object.keys(changes).length > 0) {
      await tx.updateTable('agent').set(changes).where('workspace_id', '=', input.workspaceId).where('id', '=', input.agentId).execute();
    }
    if (becomesReader) await input.onBecameReader(tx, input.workspaceId, input.agentId);
    await writeAudit(tx, deps, {
      workspaceId: input.workspaceId,
      actor: input.actor,
      action: 'agent.updated',
      target: input.agentId,
      details: { name, role: input.role, previousRole: input.role === undefined ? undefined : current.role, skills: input.skills, capacity: input.capacity },
    });
    return getAgent(tx, input.workspaceId, input.agentId);
  });
}
