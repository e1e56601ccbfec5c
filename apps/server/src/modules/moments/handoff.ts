import { AppError } from '../../platform/errors.ts';
import { checkCanHoldMoments, checkTeam } from '../workspaces/index.ts';
import { loadCandidates, hasRoom } from './agent-load.ts';
import { actingAgent, isManager, loadForCaller, requireOwnerOrManager, type Caller } from './caller.ts';
import { fillFromQueue } from './fill-from-queue.ts';
import { inMomentTx, type MomentsCtx, type MomentWrite } from './moment-tx.ts';
import { handoffColumns, parseHandoff, type Handoff, type MomentRow } from './moment-view.ts';
import { audienceOf, changeOwner, momentPayload } from './ownership.ts';

export type HandoffRequest = { readonly toTeamId?: string | null; readonly toAgentId?: string | null; readonly reason: string; readonly note?: string | null };

/**
 * The owner hands a moment to another team or person, with a reason and context. Until the
 * receiver accepts, the sender stays the owner and accountable; the SLA keeps running and
 * carries over, because deadlines belong to the moment.
 */
export async function requestHandoff(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly momentId: string; readonly caller: Caller; readonly request: HandoffRequest }): Promise<MomentRow> {
  const { request } = input;
  if (!request.toTeamId && !request.toAgentId) throw new AppError('missing_field', 'hand off to a team (toTeamId) or a person (toAgentId)', 'toTeamId');
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const row = await loadForCaller(w, input.caller, input.momentId);
    requireOwnerOrManager(input.caller, row, 'hand the moment off');
    if (row.status === 'closed' || row.status === 'resolved') throw new AppError('invalid_transition', `a ${row.status} moment cannot be handed off`, 'status');
    // Replacing a waiting hand-off would leave its receiver answering one that no longer exists.
    const waiting = parseHandoff(row.handoff);
    if (waiting) throw new AppError('handoff_waiting', `${await describeHandoff(w, waiting)} is still waiting for an answer; withdraw it first (POST /api/v1/moments/${row.id}/handoff/decline), then hand off again`);
    if (request.toTeamId) await checkTeam(w.tx, w.workspaceId, request.toTeamId, 'toTeamId');
    if (request.toAgentId) {
      await checkCanHoldMoments(w.tx, w.workspaceId, request.toAgentId, 'toAgentId');
      if (request.toAgentId === row.owner_id) throw new AppError('invalid_field', 'the moment is already theirs', 'toAgentId');
      if (request.toTeamId && !(await isMember(w, request.toTeamId, request.toAgentId))) throw new AppError('invalid_field', 'that person is not in that team', 'toAgentId');
    }
    const handoff: Handoff = { fromOwnerId: row.owner_id, toTeamId: request.toTeamId ?? null, toAgentId: request.toAgentId ?? null, reason: request.reason, note: request.note ?? null, requestedAt: w.now, requestedBy: input.caller.actor };
    const next = await setHandoff(w, row, handoff);
    w.announce({ momentId: row.id, type: 'handoff.requested', actor: input.caller.actor, audience: handoffAudience(row, handoff), payload: { moment: momentPayload(w, next), handoff } });
    return next;
  });
}

/**
 * The receiver accepts: they become the owner (the team changes to the receiving team), the
 * ledger records the acceptance with the reason and context, and the sender's capacity frees.
 * Acceptance respects the receiver's capacity; taking over is the explicit way past it.
 */
export async function acceptHandoff(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly momentId: string; readonly caller: Caller; readonly agentId?: string }): Promise<MomentRow> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const row = await loadForCaller(w, input.caller, input.momentId);
    const handoff = parseHandoff(row.handoff);
    if (!handoff) throw new AppError('no_handoff', 'this moment has no hand-off waiting');
    const receiver = await actingAgent(w, input.caller, input.agentId);
    await mayReceive(w, handoff, receiver);
    const [me] = await loadCandidates(w.tx, w.workspaceId, row.channel, w.settings.moments.defaultCapacity, { agentId: receiver });
    if (!me || !hasRoom(me)) throw new AppError('over_capacity', `at capacity on ${row.channel} (${me?.load ?? 0}/${me?.capacity ?? 0}); finish a moment or take this one over`);
    const note = `${handoff.reason}${handoff.note ? ` — ${handoff.note}` : ''}`;
    const next = await changeOwner(w, row, { ownerId: receiver, teamId: handoff.toTeamId ?? row.team_id, reason: 'acceptance', queued: false, note }, input.caller.actor);
    w.announce({ momentId: row.id, type: 'handoff.accepted', actor: input.caller.actor, audience: handoffAudience(row, handoff), payload: { moment: momentPayload(w, next), handoff, acceptedBy: receiver } });
    await fillFromQueue(w, row.owner_id, 'capacity', 'system');
    return next;
  });
}

/** The receiver (or the sender, withdrawing it) declines: the sender simply keeps the moment. */
export async function declineHandoff(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly momentId: string; readonly caller: Caller; readonly reason?: string | null }): Promise<MomentRow> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const row = await loadForCaller(w, input.caller, input.momentId);
    const handoff = parseHandoff(row.handoff);
    if (!handoff) throw new AppError('no_handoff', 'this moment has no hand-off waiting');
    const agent = input.caller.agentId;
    const isSender = agent === row.owner_id;
    if (!isSender && !isManager(input.caller)) await mayReceive(w, handoff, await actingAgent(w, input.caller, undefined));
    const next = await setHandoff(w, row, null);
    w.announce({ momentId: row.id, type: 'handoff.declined', actor: input.caller.actor, audience: handoffAudience(row, handoff), payload: { moment: momentPayload(w, next), handoff, reason: input.reason ?? null } });
    return next;
  });
}

/**
 * Hand-offs waiting for someone who can no longer take them (they became an analyst) are
 * withdrawn, as if declined: their senders, who still own the moments, hear so.
 */
export async function withdrawHandoffsTo(w: MomentWrite, agentId: string, actor: string, reason: string): Promise<void> {
  const waiting = await w.tx.selectFrom('moment').selectAll().where('workspace_id', '=', w.workspaceId).where('handoff_agent_id', '=', agentId).execute();
  for (const row of waiting) {
    const handoff = parseHandoff(row.handoff);
    if (!handoff) continue;
    const next = await setHandoff(w, row, null);
    w.announce({ momentId: row.id, type: 'handoff.declined', actor, audience: handoffAudience(row, handoff), payload: { moment: momentPayload(w, next), handoff, reason } });
  }
}

/** Stores the moment's pending hand-off (null: none) and returns the updated row. */
async function setHandoff(w: MomentWrite, row: MomentRow, handoff: Handoff | null): Promise<MomentRow> {
  const changed = { ...handoffColumns(handoff), updated_at: w.now };
  await w.tx.updateTable('moment').set(changed).where('workspace_id', '=', w.workspaceId).where('id', '=', row.id).execute();
  return { ...row, ...changed };
}

/** `the hand-off to Ana (01J…) of team Billing (01J…), asked at …("reason")`: whom it waits for, by name and id. */
async function describeHandoff(w: MomentWrite, handoff: Handoff): Promise<string> {
  const named = async (table: 'agent' | 'team', id: string | null) => {
    if (id === null) return null;
    const row = await w.tx.selectFrom(table).select('name').where('workspace_id', '=', w.workspaceId).where('id', '=', id).executeTakeFirst();
    return `${row?.name ?? 'unknown'} (${id})`;
  };
  const agent = await named('agent', handoff.toAgentId);
  const team = await named('team', handoff.toTeamId);
  const to = agent === null ? `team ${team}` : `${agent}${team === null ? '' : ` of team ${team}`}`;
  return `the hand-off to ${to}, asked at ${new Date(handoff.requestedAt).toISOString()} ("${handoff.reason}")`;
}

async function mayReceive(w: MomentWrite, handoff: Handoff, agentId: string): Promise<void> {
  if (handoff.toAgentId !== null ? handoff.toAgentId === agentId : await isMember(w, handoff.toTeamId!, agentId)) return;
  throw new AppError('forbidden', 'this hand-off is addressed to someone else');
}

function handoffAudience(row: MomentRow, handoff: Handoff) {
  const base = audienceOf(row);
  return { teams: [...base.teams, ...(handoff.toTeamId ? [handoff.toTeamId] : [])], agents: [...base.agents, ...(handoff.toAgentId ? [handoff.toAgentId] : [])] };
}

async function isMember(w: MomentWrite, teamId: string, agentId: string): Promise<boolean> {
  const row = await w.tx.selectFrom('team_member').select('agent_id').where('workspace_id', '=', w.workspaceId).where('team_id', '=', teamId).where('agent_id', '=', agentId).executeTakeFirst();
  return row !== undefined;
}
