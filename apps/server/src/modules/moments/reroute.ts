import type { MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';
import { loadCandidates, skillsOf } from './agent-load.ts';
import { changeOwner, type OwnershipReason } from './ownership.ts';
import { routeMoment } from './route-moment.ts';

/**
 * Moves a moment to someone else in its own team (the owner went offline, left the team, or an
 * SLA breach asks for it): the team's strategy picks among available members other than the
 * current owner; when nobody can take it, the fallback owner holds it in the team's line.
 */
export async function rerouteInTeam(w: MomentWrite, row: MomentRow, reason: OwnershipReason, actor: string, note: string | null = null): Promise<MomentRow> {
  const placement = await routeMoment(w, {
    momentId: row.id,
    customerId: row.customer_id,
    channel: row.channel,
    facts: { channel: row.channel, businessUnitId: row.business_unit_id, stage: null, language: row.language, text: row.subject, traits: {} },
    teamId: row.team_id,
    requiredSkills: skillsOf(row),
    exclude: row.owner_id,
  });
  return changeOwner(w, row, { ...placement, reason: placement.queued ? 'fallback' : reason, note: placement.note ?? note }, actor);
}

/**
 * A resolved moment became active again (the customer wrote, or someone reopened it). Its owner
 * keeps it when they are online with room on the channel (this moment now counts); otherwise it
 * is routed again in its team, so a reopen never takes anyone past their capacity.
 */
export async function placeReopened(w: MomentWrite, row: MomentRow, actor: string): Promise<MomentRow> {
  if (row.team_id === null) return row;
  const [owner] = await loadCandidates(w.tx, w.workspaceId, row.channel, w.settings.moments.defaultCapacity, { agentId: row.owner_id });
  if (owner && owner.presence === 'online' && owner.load <= owner.capacity) return row;
  return rerouteInTeam(w, row, 'reopened', actor, owner?.presence === 'online' ? 'reopened while its owner was at capacity' : 'reopened while its owner was away');
}
