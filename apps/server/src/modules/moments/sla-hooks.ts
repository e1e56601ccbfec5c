import type { MomentWrite } from './moment-tx.ts';
import type { MomentRow } from './moment-view.ts';
import { loadSla, loadSlaPolicy, onAgentReply, onCustomerMessage, pause, repickPolicy, restart, resume, startClock, stop, type PolicyChange, type SlaClock } from './sla/index.ts';

/**
 * The moment's SLA clock at each step of its life, applied to its row. The policy is chosen
 * when the moment opens (priority, channel, business unit) and again when its priority changes;
 * its deadlines carry over hand-offs and re-routing because they live on the moment, not on the owner.
 */
const matchOf = (row: MomentRow) => ({ priority: row.priority, channel: row.channel, businessUnitId: row.business_unit_id });

function withClock(row: MomentRow, clock: SlaClock): MomentRow {
  return { ...row, ...clock };
}

export async function startSla(w: MomentWrite, row: MomentRow): Promise<MomentRow> {
  const sla = await loadSla(w.tx, w.workspaceId, matchOf(row));
  return withClock(row, startClock(sla?.policy ?? null, sla?.hours ?? null, w.now));
}

export async function slaOnCustomerMessage(w: MomentWrite, row: MomentRow): Promise<MomentRow> {
  const sla = await loadSlaPolicy(w.tx, w.workspaceId, row.sla_policy_id);
  return sla ? withClock(row, onCustomerMessage(row, sla.policy, sla.hours, w.now)) : row;
}

export function slaOnReply(w: MomentWrite, row: MomentRow): MomentRow {
  return row.sla_policy_id === null ? row : withClock(row, onAgentReply(row, w.now));
}

export function slaPause(w: MomentWrite, row: MomentRow): MomentRow {
  return row.sla_policy_id === null ? row : withClock(row, pause(row, w.now));
}

export async function slaResume(w: MomentWrite, row: MomentRow): Promise<MomentRow> {
  if (row.sla_policy_id === null || row.sla_paused_at === null) return row;
  const sla = await loadSlaPolicy(w.tx, w.workspaceId, row.sla_policy_id);
  return withClock(row, resume(row, sla?.hours ?? null, w.now));
}

export function slaStop(w: MomentWrite, row: MomentRow): MomentRow {
  return row.sla_policy_id === null ? row : withClock(row, stop(row, w.now));
}

/** A reopened moment gets a fresh resolution deadline counted from now. */
export async function slaRestart(w: MomentWrite, row: MomentRow): Promise<MomentRow> {
  const sla = await loadSlaPolicy(w.tx, w.workspaceId, row.sla_policy_id);
  return sla ? withClock(row, restart(row, sla.policy, sla.hours, w.now)) : row;
}

/**
 * The moment's priority changed: the policy for its new priority times it from now on (the
 * same one: nothing changes). Only an active moment's clock moves; a resolved or closed one
 * keeps its deadlines as they ended.
 */
export async function slaRepick(w: MomentWrite, row: MomentRow): Promise<{ readonly row: MomentRow; readonly change: PolicyChange | null }> {
  if (row.status === 'resolved' || row.status === 'closed') return { row, change: null };
  const repicked = await repickPolicy(w.tx, w.workspaceId, row);
  return repicked ? { row: withClock(row, repicked.clock), change: repicked.change } : { row, change: null };
}
