import { parseJsonObject, parseStringList } from '../../platform/json.ts';
import type { Tx } from '../../platform/db/database.ts';

/** Statuses in which a moment takes up its owner's capacity (the agent_load triggers of migration 0500 say the same). */
export const ACTIVE_STATUSES = ['open', 'pending', 'snoozed'] as const;

/** A person who might take a moment on one channel, and how much they already carry there. */
export type Candidate = {
  readonly id: string;
  readonly presence: string;
  readonly skills: ReadonlySet<string>;
  readonly capacity: number;
  readonly load: number;
};

export function capacityOn(capacityJson: string, channel: string, fallback: number): number {
  const c = parseJsonObject(capacityJson);
  const value = c[channel] ?? c['*'];
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

export const hasRoom = (c: Candidate) => c.load < c.capacity;
export const isAvailable = (c: Candidate) => c.presence === 'online' && hasRoom(c);

/**
 * Agents (a team's members, or given ids) with their load on a channel: active moments they
 * own there, not counting the ones they only hold in a team's waiting line as fallback owner.
 */
export async function loadCandidates(
  tx: Tx,
  workspaceId: string,
  channel: string,
  defaultCapacity: number,
  who: { readonly teamId: string } | { readonly agentIds: readonly string[] },
): Promise<Candidate[]> {
  // Analysts only read: routing never hands them a moment, whatever their presence or teams.
  let query = tx.selectFrom('agent').select(['agent.id', 'agent.presence', 'agent.skills', 'agent.capacity']).where('agent.workspace_id', '=', workspaceId).where('agent.role', '!=', 'analyst');
  if ('teamId' in who) {
    query = query
      .innerJoin('team_member', (j) => j.onRef('team_member.workspace_id', '=', 'agent.workspace_id').onRef('team_member.agent_id', '=', 'agent.id'))
      .where('team_member.team_id', '=', who.teamId);
  } else {
    if (who.agentIds.length === 0) return [];
    query = query.where('agent.id', 'in', who.agentIds);
  }
  const agents = await query.orderBy('agent.id').execute();
  if (agents.length === 0) return [];
  // Kept by triggers on moment (migration 0500): reading it costs one row per agent, however full the inbox.
  const loads = await tx
    .selectFrom('agent_load')
    .select(['agent_id', 'n'])
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('agent_id', 'in', agents.map((a) => a.id))
    .execute();
  const loadOf = new Map(loads.map((l) => [l.agent_id, Number(l.n)]));
  return agents.map((a) => ({
    id: a.id,
    presence: a.presence,
    skills: new Set(parseStringList(a.skills)),
    capacity: capacityOn(a.capacity, channel, defaultCapacity),
    load: loadOf.get(a.id) ?? 0,
  }));
}

/** The skills a moment asks of whoever takes it. */
export const skillsOf = (moment: { readonly required_skills: string }): string[] => parseStringList(moment.required_skills);
