import type { Insertable } from 'kysely';
import { compiledOnce } from '../../platform/db/compiled-once.ts';
import type { OwnershipChangeTable } from '../../platform/db/tables.ts';
import type { Audience } from './activity.ts';
import type { MomentWrite } from './moment-tx.ts';
import { handoffColumns, toMomentView, type MomentRow, type MomentView } from './moment-view.ts';

/** Why someone became a moment's owner: what the ledger records and the web app explains. */
export type OwnershipReason =
  | 'rule' //              an assignment rule picked the team, its strategy the person
  | 'round_robin' //       the team's turn-taking picked them
  | 'least_loaded' //      fewest open moments on the channel
  | 'skills' //            had the skills the rule asks for
  | 'returning_customer' //owned this customer's previous moment
  | 'capacity' //          freed capacity and took the oldest waiting moment
  | 'came_online' //       came online and took the oldest waiting moment
  | 'fallback' //          nobody could take it: the team's fallback owner holds it in the queue
  | 'manual' //            an admin assigned it
  | 'acceptance' //        accepted a hand-off
  | 'take_over' //         took it over explicitly
  | 'escalation' //        escalated to the team lead
  | 'agent_offline' //     the owner went offline; re-routed
  | 'member_removed' //    the owner left the team; re-routed
  | 'read_only' //         the owner became an analyst, who only reads; re-routed
  | 'sla_breach' //        re-routed by an SLA breach action
  | 'reopened' //          reopened while its owner was away or full; routed again
  | 'merged'; //           moved with a merged duplicate

/** Where a moment goes: the person, their team, and whether it waits in the team's line. */
export type Placement = {
  readonly ownerId: string;
  readonly teamId: string | null;
  /** The skills the rule asked for (kept on the moment: whoever takes it from the line needs them too). */
  readonly requiredSkills?: readonly string[];
  readonly reason: OwnershipReason;
  readonly queued: boolean;
  readonly note?: string | null;
};

/** The people and teams who see a moment's change: now and before (so lists can drop it). */
export function audienceOf(...rows: readonly { readonly owner_id: string; readonly team_id: string | null }[]): Audience {
  const teams = new Set<string>();
  const agents = new Set<string>();
  for (const r of rows) {
    agents.add(r.owner_id);
    if (r.team_id !== null) teams.add(r.team_id);
  }
  return { teams: [...teams], agents: [...agents] };
}

/** Opens the first ledger row of a new moment, in the transaction that creates it. */
export async function startLedger(w: MomentWrite, momentId: string, placement: Placement, actor: string): Promise<void> {
  await insertLedgerRow(w.tx, { workspace_id: w.workspaceId, id: w.deps.ids.next(), moment_id: momentId, owner_id: placement.ownerId, team_id: placement.teamId, reason: placement.reason, actor, note: placement.note ?? null, started_at: w.now, ended_at: null });
}

// Every new moment starts one: compiled once.
const insertLedgerRow = compiledOnce((db, row: Insertable<OwnershipChangeTable>) => db.insertInto('ownership_change').values(row));

/**
 * Gives a moment to its next owner: closes the current ledger row and opens the next at the
 * same instant (no gap, no overlap), and updates the moment, all in the caller's transaction.
 * A pending hand-off is settled by any change of owner. Returns the updated row.
 */
export async function changeOwner(w: MomentWrite, moment: MomentRow, placement: Placement, actor: string): Promise<MomentRow> {
  const queuedAt = placement.queued ? (moment.queued_at ?? w.now) : null;
  if (placement.ownerId === moment.owner_id && placement.teamId === moment.team_id && queuedAt === moment.queued_at) return moment;
  const next: MomentRow = { ...moment, owner_id: placement.ownerId, team_id: placement.teamId, queued_at: queuedAt, ...handoffColumns(null), updated_at: w.now };
  await w.tx
    .updateTable('moment')
    .set({ owner_id: next.owner_id, team_id: next.team_id, queued_at: next.queued_at, ...handoffColumns(null), updated_at: w.now })
    .where('workspace_id', '=', w.workspaceId)
    .where('id', '=', moment.id)
    .execute();
  // A new ledger row whenever the owner, the team, or why they hold it changes (a fallback owner
  // who starts working a moment they held in line now owns it for a different reason).
  await w.tx
    .updateTable('ownership_change')
    .set({ ended_at: w.now })
    .where('workspace_id', '=', w.workspaceId)
    .where('moment_id', '=', moment.id)
    .where('ended_at', 'is', null)
    .execute();
  await startLedger(w, moment.id, placement, actor);
  w.announce({
    momentId: next.id,
    type: 'moment.assigned',
    actor,
    audience: audienceOf(moment, next),
    payload: {
      moment: momentPayload(w, next),
      previousOwnerId: moment.owner_id,
      previousTeamId: moment.team_id,
      reason: placement.reason,
      note: placement.note ?? null,
    },
  });
  return next;
}

/** The moment as activities carry it: the same view the API returns. */
export function momentPayload(w: MomentWrite, row: MomentRow): MomentView {
  return toMomentView(row, w.now, w.settings.moments.dueSoonMinutes * 60_000);
}
