import { AppError } from '../../platform/errors.ts';
import { loadForCaller, requireOwnerOrManager, type Caller } from './caller.ts';
import { fillFromQueue } from './fill-from-queue.ts';
import { inMomentTx, type MomentsCtx, type MomentWrite } from './moment-tx.ts';
import { handoffColumns, type MomentRow } from './moment-view.ts';
import type { Priority } from './open-moment.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import { placeReopened } from './reroute.ts';
import { saveMoment } from './save-moment.ts';
import { slaPause, slaRepick, slaRestart, slaResume, slaStop } from './sla-hooks.ts';
import type { PolicyChange } from './sla/index.ts';
import { cleanTags, storeTags, tagsColumn } from './moment-tags.ts';

export const STATUSES = ['open', 'pending', 'snoozed', 'resolved', 'closed'] as const;
export type Status = (typeof STATUSES)[number];

/**
 * The documented life of a moment. pending = waiting on the customer (SLA paused); snoozed =
 * put aside until a time (wakes up by itself, or when the customer writes); resolved = done,
 * reopened by the customer within the reopen window or by an agent; closed = final.
 */
export const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  open: ['pending', 'snoozed', 'resolved'],
  pending: ['open', 'snoozed', 'resolved'],
  snoozed: ['open', 'pending', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

export type MomentPatch = {
  readonly status?: Status;
  readonly snoozedUntil?: number;
  readonly priority?: Priority;
  readonly tags?: readonly string[];
  readonly subject?: string;
};

/** Changes a moment's status, priority, tags or subject (its owner, or an admin). */
export async function updateMoment(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly momentId: string; readonly caller: Caller; readonly patch: MomentPatch }): Promise<MomentRow> {
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const before = await loadForCaller(w, input.caller, input.momentId);
    requireOwnerOrManager(input.caller, before, 'change the moment');
    const { patch } = input;
    let row: MomentRow = { ...before, updated_at: w.now };
    if (patch.priority !== undefined) row = { ...row, priority: patch.priority };
    if (patch.subject !== undefined) {
      // As when a moment opens: trimmed, and never blank (the inbox row would show nothing).
      const subject = patch.subject.trim();
      if (subject === '') throw new AppError('invalid_field', 'subject cannot be blank', 'subject');
      row = { ...row, subject };
    }
    const tags = patch.tags === undefined ? null : cleanTags(patch.tags);
    if (tags !== null) row = { ...row, tags: tagsColumn(tags) };
    if (patch.status !== undefined && patch.status !== before.status) row = await moveStatus(w, row, patch.status, patch.snoozedUntil);
    else if (patch.snoozedUntil !== undefined) {
      if (before.status !== 'snoozed') throw new AppError('invalid_field', 'snoozedUntil goes with status snoozed', 'snoozedUntil');
      row = { ...row, snoozed_until: futureTime(w, patch.snoozedUntil) };
    }
    // Policies are per priority: a new priority may bring another one (after any status move, so a resolved moment keeps its clock).
    let sla: PolicyChange | null = null;
    if (row.priority !== before.priority) ({ row, change: sla } = await slaRepick(w, row));
    await saveMoment(w, row);
    if (before.status === 'resolved' && row.status === 'open') row = await placeReopened(w, row, input.caller.actor);
    if (tags !== null) await storeTags(w, row.id, tags, 'replace');
    w.announce({ momentId: row.id, type: 'moment.updated', actor: input.caller.actor, audience: audienceOf(row), payload: { moment: momentPayload(w, row), changed: changedFields(before, row), ...(sla ? { sla } : {}) } });
    // A resolved or closed moment no longer counts against its owner: they may take a waiting one.
    if ((row.status === 'resolved' || row.status === 'closed') && (before.status !== 'resolved' && before.status !== 'closed')) await fillFromQueue(w, row.owner_id, 'capacity', 'system');
    return row;
  });
}

/** What a change did to the fields a patch can name (a priority set to what it was is no change). */
function changedFields(before: MomentRow, after: MomentRow): (keyof MomentPatch)[] {
  const fields: [keyof MomentPatch, keyof MomentRow][] = [['status', 'status'], ['snoozedUntil', 'snoozed_until'], ['priority', 'priority'], ['tags', 'tags'], ['subject', 'subject']];
  return fields.filter(([, column]) => before[column] !== after[column]).map(([field]) => field);
}

/** Applies one documented transition and what it does to the SLA clock. */
export async function moveStatus(w: MomentWrite, row: MomentRow, to: Status, snoozedUntil?: number): Promise<MomentRow> {
  const from = row.status as Status;
  if (!TRANSITIONS[from].includes(to)) throw new AppError('invalid_transition', `${from === 'open' ? 'an' : 'a'} ${from} moment cannot become ${to}; allowed: ${TRANSITIONS[from].join(', ') || 'none'}`, 'status');
  if (from === 'pending') row = await slaResume(w, row);
  row = { ...row, status: to, snoozed_until: null };
  switch (to) {
    case 'pending':
      return slaPause(w, row);
    case 'snoozed':
      if (snoozedUntil === undefined) throw new AppError('missing_field', 'snoozing needs snoozedUntil', 'snoozedUntil');
      return { ...row, snoozed_until: futureTime(w, snoozedUntil) };
    case 'resolved':
      // Done: it leaves the waiting line, and a pending hand-off has nothing left to hand over.
      return slaStop(w, { ...row, resolved_at: w.now, queued_at: null, ...handoffColumns(null) });
    case 'closed':
      return { ...row, closed_at: w.now };
    case 'open':
      return from === 'resolved' ? slaRestart(w, { ...row, resolved_at: null }) : row;
  }
}

function futureTime(w: MomentWrite, at: number): number {
  if (!Number.isFinite(at) || at <= w.now) throw new AppError('invalid_field', 'snoozedUntil must be in the future', 'snoozedUntil');
  return at;
}
