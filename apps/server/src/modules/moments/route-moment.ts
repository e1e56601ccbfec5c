import { compiledOnce } from '../../platform/db/compiled-once.ts';
import { isAvailable, loadCandidates } from './agent-load.ts';
import type { MomentWrite } from './moment-tx.ts';
import type { Placement } from './ownership.ts';
import { pickAgent, type Strategy } from './pick-agent.ts';
import { firstMatch, loadRules, type RoutingFacts } from './routing-settings/index.ts';

/** What routing knows about a moment when it is opened or has to move. */
export type RoutingInput = {
  readonly momentId: string;
  readonly customerId: string;
  /** The customer was made by this very contact: nobody served them before (skips looking). */
  readonly newCustomer?: boolean;
  readonly channel: string;
  readonly facts: RoutingFacts;
  /** Skip the rules and route inside this team (re-routing keeps the moment's team and its skills). */
  readonly teamId?: string | null;
  readonly requiredSkills?: readonly string[];
  /** Never pick this agent (they are going offline, or being relieved by an SLA action). */
  readonly exclude?: string | null;
};

/**
 * Decides who owns a moment: the first matching assignment rule names a team (else the
 * workspace's default team); a returning customer's previous owner gets it back when they are
 * in that team and available; otherwise the team's strategy picks among members online with
 * room on the channel; when nobody can, the team's fallback owner holds it in the team's
 * first-in-first-out line. Without any team, the workspace owner holds it. Never nobody.
 */
export async function routeMoment(w: MomentWrite, input: RoutingInput): Promise<Placement> {
  let teamId: string | null;
  let requiredSkills: readonly string[] = [];
  let viaRule = false;
  if (input.teamId !== undefined) {
    teamId = input.teamId;
    requiredSkills = input.requiredSkills ?? [];
  } else {
    const rule = firstMatch(await loadRules(w.tx, w.workspaceId), input.facts);
    teamId = rule?.teamId ?? w.settings.moments.defaultTeamId;
    requiredSkills = rule?.requiredSkills ?? [];
    viaRule = rule !== null;
  }
  if (teamId === null) return { ownerId: await workspaceOwner(w), teamId: null, reason: 'fallback', queued: false, note: 'no team matched' };

  const [team] = await teamById(w.tx, { workspaceId: w.workspaceId, teamId });
  if (!team) return { ownerId: await workspaceOwner(w), teamId: null, reason: 'fallback', queued: false, note: 'routed team no longer exists' };

  const members = (await loadCandidates(w.tx, w.workspaceId, input.channel, w.settings.moments.defaultCapacity, { teamId })).filter((m) => m.id !== input.exclude);
  if (input.teamId === undefined && input.newCustomer !== true) {
    const canTake = new Map(members.filter((m) => isAvailable(m) && requiredSkills.every((s) => m.skills.has(s))).map((m) => [m.id, m]));
    const returning = (await previousOwners(w, input.customerId, input.momentId)).find((id) => canTake.has(id));
    if (returning) return { ownerId: returning, teamId, reason: 'returning_customer', queued: false, requiredSkills };
  }

  const strategy = team.strategy as Strategy;
  const chosen = pickAgent(strategy, members, team.last_assigned_id, requiredSkills);
  if (chosen) {
    await setLastAssigned(w.tx, { workspaceId: w.workspaceId, teamId, agentId: chosen.id });
    return { ownerId: chosen.id, teamId, reason: viaRule && strategy === 'round_robin' ? 'rule' : strategy, queued: false, requiredSkills };
  }
  return { ownerId: team.fallback_owner_id ?? (await workspaceOwner(w)), teamId, reason: 'fallback', queued: true, note: 'nobody in the team is online with room on this channel', requiredSkills };
}

/**
 * Who owned this customer's recent moments, most recent first (a fallback holder in line does
 * not count), including moments of profiles since merged into theirs: those keep their own id.
 */
async function previousOwners(w: MomentWrite, customerId: string, momentId: string): Promise<string[]> {
  return (await recentOwners(w.tx, { workspaceId: w.workspaceId, customerId, momentId })).map((r) => r.owner_id);
}

/** The person who holds what no team can: the workspace's first owner. */
export async function workspaceOwner(w: MomentWrite): Promise<string> {
  const [row] = await firstOwner(w.tx, { workspaceId: w.workspaceId });
  if (!row) throw new Error(`workspace ${w.workspaceId} has no owner`);
  return row.id;
}

// Every moment routed runs these: built and compiled once (compiled-once.ts).
const teamById = compiledOnce((db, p: { workspaceId: string; teamId: string }) =>
  db.selectFrom('team').select(['id', 'strategy', 'fallback_owner_id', 'last_assigned_id']).where('workspace_id', '=', p.workspaceId).where('id', '=', p.teamId),
);
const setLastAssigned = compiledOnce((db, p: { workspaceId: string; teamId: string; agentId: string }) =>
  db.updateTable('team').set({ last_assigned_id: p.agentId }).where('workspace_id', '=', p.workspaceId).where('id', '=', p.teamId),
);
const recentOwners = compiledOnce((db, p: { workspaceId: string; customerId: string; momentId: string }) => {
  // The id may be an absorbed profile's (a moment keeps the one it was opened under): go by its root.
  const root = db.selectFrom('customer').select('root_id').where('workspace_id', '=', p.workspaceId).where('id', '=', p.customerId);
  const group = db.selectFrom('customer').select('id').where('workspace_id', '=', p.workspaceId).where('root_id', '=', root);
  return db
    .selectFrom('moment')
    .select('owner_id')
    .where('workspace_id', '=', p.workspaceId)
    .where('customer_id', 'in', group)
    .where('id', '!=', p.momentId)
    .where('queued_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(10);
});
const firstOwner = compiledOnce((db, p: { workspaceId: string }) =>
  db.selectFrom('agent').select('id').where('workspace_id', '=', p.workspaceId).where('role', '=', 'owner').orderBy('created_at').orderBy('id').limit(1),
);

