import { parseJsonObject, parseStringList } from '../../platform/json.ts';
import { compiledOnce } from '../../platform/db/compiled-once.ts';
import type { Db, Tx } from '../../platform/db/database.ts';

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
 * Agents (a team's members, or one agent) with their load on a channel: active moments they
 * own there, not counting the ones they only hold in a team's waiting line as fallback owner.
 */
export async function loadCandidates(tx: Tx, workspaceId: string, channel: string, defaultCapacity: number, who: { readonly teamId: string } | { readonly agentId: string }): Promise<Candidate[]> {
  const rows = 'teamId' in who ? await teamCandidates(tx, { workspaceId, channel, teamId: who.teamId }) : await agentCandidate(tx, { workspaceId, channel, agentId: who.agentId });
  return rows.map((a) => ({
    id: a.id,
    presence: a.presence,
    skills: new Set(parseStringList(a.skills)),
    capacity: capacityOn(a.capacity, channel, defaultCapacity),
    load: a.n === null ? 0 : Number(a.n),
  }));
}

// Each moment routed runs one of these: built and compiled once (compiled-once.ts). The load
// comes from agent_load, kept by triggers on moment (migration 0500): one row per agent,
// however full the inbox. Analysts only read: routing never hands them a moment.
type Params = { workspaceId: string; channel: string };
const candidates = (db: Db, p: Params) =>
  db
    .selectFrom('agent')
    .leftJoin('agent_load', (j) => j.onRef('agent_load.workspace_id', '=', 'agent.workspace_id').onRef('agent_load.agent_id', '=', 'agent.id').on('agent_load.channel', '=', p.channel))
    .select(['agent.id', 'agent.presence', 'agent.skills', 'agent.capacity', 'agent_load.n'])
    .where('agent.workspace_id', '=', p.workspaceId)
    .where('agent.role', '!=', 'analyst');
const teamCandidates = compiledOnce((db, p: Params & { teamId: string }) =>
  candidates(db, p)
    .innerJoin('team_member', (j) => j.onRef('team_member.workspace_id', '=', 'agent.workspace_id').onRef('team_member.agent_id', '=', 'agent.id'))
    .where('team_member.team_id', '=', p.teamId)
    .orderBy('agent.id'),
);
const agentCandidate = compiledOnce((db, p: Params & { agentId: string }) => candidates(db, p).where('agent.id', '=', p.agentId));

/** The skills a moment asks of whoever takes it. */
export const skillsOf = (moment: { readonly required_skills: string }): string[] => parseStringList(moment.required_skills);
