import { AppError } from '../../platform/errors.ts';
import { checkCanHoldMoments, checkTeam } from '../workspaces/index.ts';
import { hasRoom, loadCandidates } from './agent-load.ts';
import { actingAgent, isManager, loadForCaller, requireOwnerOrManager, type Caller } from './caller.ts';
import { fillFromQueue } from './fill-from-queue.ts';
import { inMomentTx, type MomentsCtx } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';
import { audienceOf, changeOwner, momentPayload } from './ownership.ts';
import { saveMoment } from './save-moment.ts';
import { slaRepick } from './sla-hooks.ts';

type Act = { readonly workspaceId: string; readonly momentId: string; readonly caller: Caller };

const RAISE: Readonly<Record<string, string>> = { low: 'normal', normal: 'high', high: 'urgent', urgent: 'urgent' };
export const raisedPriority = (p: string) => RAISE[p] ?? 'high';

/**
 * Takes a moment over from its owner: an explicit, recorded act (the only way to own beyond
 * one's capacity). Whoever may see the moment may take it over; the previous owner's capacity frees.
 */
export async function takeOver(ctx: MomentsCtx, input: Act & { readonly agentId?: string; readonly note?: string | null }): Promise<MomentRow> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const row = await loadForCaller(w, input.caller, input.momentId);
    const taker = await actingAgent(w, input.caller, input.agentId);
    if (row.status === 'closed') throw new AppError('invalid_transition', 'a closed moment cannot be taken over', 'status');
    if (taker === row.owner_id && row.queued_at === null) return row;
    const next = await changeOwner(w, row, { ownerId: taker, teamId: row.team_id, reason: 'take_over', queued: false, note: input.note ?? null }, input.caller.actor);
    if (row.owner_id !== taker) await fillFromQueue(w, row.owner_id, 'capacity', 'system');
    return next;
  });
}

/**
 * Escalates to the lead of the moment's team (optionally raising its priority): the lead owns
 * it from now, recorded with the reason.
 */
export async function escalate(ctx: MomentsCtx, input: Act & { readonly reason: string; readonly raisePriority?: boolean }): Promise<MomentRow> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const row = await loadForCaller(w, input.caller, input.momentId);
    requireOwnerOrManager(input.caller, row, 'escalate');
    if (row.status === 'closed' || row.status === 'resolved') throw new AppError('invalid_transition', `a ${row.status} moment cannot be escalated`, 'status');
    const team = row.team_id === null ? undefined : await w.tx.selectFrom('team').select('lead_id').where('workspace_id', '=', w.workspaceId).where('id', '=', row.team_id).executeTakeFirst();
    if (!team?.lead_id) throw new AppError('conflict', "the moment's team has no lead to escalate to", 'teamId');
    if (team.lead_id === row.owner_id) throw new AppError('conflict', 'the team lead already owns this moment');
    let next = await changeOwner(w, row, { ownerId: team.lead_id, teamId: row.team_id, reason: 'escalation', queued: false, note: input.reason }, input.caller.actor);
    const priority = raisedPriority(next.priority);
    if (input.raisePriority && priority !== next.priority) {
      // A higher priority may have a stricter policy: it times the moment from now on.
      const { row: raised, change: sla } = await slaRepick(w, { ...next, priority, updated_at: w.now });
      await saveMoment(w, raised);
      w.announce({ momentId: row.id, type: 'moment.updated', actor: input.caller.actor, audience: audienceOf(raised), payload: { moment: momentPayload(w, raised), changed: ['priority'], ...(sla ? { sla } : {}) } });
      next = raised;
    }
    await fillFromQueue(w, row.owner_id, 'capacity', 'system');
    return next;
  });
}

/** An admin assigns a moment to a person, within that person's capacity on the channel. */
export async function assign(ctx: MomentsCtx, input: Act & { readonly agentId: string; readonly teamId?: string | null; readonly note?: string | null }): Promise<MomentRow> {
  if (!isManager(input.caller)) throw new AppError('forbidden', 'only admins assign moments; agents take them over', 'agentId');
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const row = await loadForCaller(w, input.caller, input.momentId);
    if (row.status === 'closed') throw new AppError('invalid_transition', 'a closed moment cannot be assigned', 'status');
    await checkCanHoldMoments(w.tx, w.workspaceId, input.agentId, 'agentId');
    const [agent] = await loadCandidates(w.tx, w.workspaceId, row.channel, w.settings.moments.defaultCapacity, { agentId: input.agentId });
    if (!agent) throw new AppError('invalid_field', 'no such agent in this workspace', 'agentId');
    const teamId = input.teamId === undefined ? row.team_id : input.teamId;
    if (teamId) await checkTeam(w.tx, w.workspaceId, teamId, 'teamId');
    // The owner already holds it: only a new team (or leaving the line) changes anything.
    const holds = agent.id === row.owner_id;
    if (holds && row.queued_at === null && teamId === row.team_id) return row;
    if ((!holds || row.queued_at !== null) && !hasRoom(agent)) throw new AppError('over_capacity', `the agent is at capacity on ${row.channel} (${agent.load}/${agent.capacity})`, 'agentId');
    const next = await changeOwner(w, row, { ownerId: agent.id, teamId, reason: 'manual', queued: false, note: input.note ?? null }, input.caller.actor);
    if (row.owner_id !== agent.id) await fillFromQueue(w, row.owner_id, 'capacity', 'system');
    return next;
  });
}
