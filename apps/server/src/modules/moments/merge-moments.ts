import { AppError } from '../../platform/errors.ts';
import { loadForCaller, requireOwnerOrManager, type Caller } from './caller.ts';
import { fillFromQueue } from './fill-from-queue.ts';
import { inMomentTx, type MomentsCtx } from './moment-tx.ts';
import { handoffColumns, type MomentRow } from './moment-view.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import { saveMoment } from './save-moment.ts';
import { cleanTags, storeTags, tagsColumn, tagsOf } from './moment-tags.ts';

/**
 * Folds a duplicate moment into another of the same customer: its messages, attachments and
 * tags move over, and the duplicate is closed pointing at the survivor (its ledger ends with
 * its last owner, who is freed). The survivor keeps its owner and SLA.
 */
export async function mergeMoments(ctx: MomentsCtx, input: { readonly workspaceId: string; readonly intoId: string; readonly duplicateId: string; readonly caller: Caller }): Promise<MomentRow> {
  if (input.intoId === input.duplicateId) throw new AppError('invalid_field', 'a moment cannot be merged into itself', 'duplicateId');
  return inMomentTx(ctx, input.workspaceId, async (w) => {
    const into = await loadForCaller(w, input.caller, input.intoId);
    const dup = await loadForCaller(w, input.caller, input.duplicateId, 'duplicateId');
    requireOwnerOrManager(input.caller, into, 'merge into this moment');
    requireOwnerOrManager(input.caller, dup, 'merge this moment away');
    if (dup.status === 'closed' || into.status === 'closed') throw new AppError('invalid_transition', 'closed moments cannot be merged', 'status');
    const sameCustomer = await w.tx
      .selectFrom('customer as a')
      .innerJoin('customer as b', (j) => j.onRef('a.workspace_id', '=', 'b.workspace_id').onRef('a.root_id', '=', 'b.root_id'))
      .select('a.id')
      .where('a.workspace_id', '=', w.workspaceId)
      .where('a.id', '=', into.customer_id)
      .where('b.id', '=', dup.customer_id)
      .executeTakeFirst();
    if (!sameCustomer) throw new AppError('invalid_field', 'only moments of the same customer can be merged', 'duplicateId');

    for (const table of ['message', 'attachment'] as const) {
      await w.tx.updateTable(table).set({ moment_id: into.id }).where('workspace_id', '=', w.workspaceId).where('moment_id', '=', dup.id).execute();
    }
    const tags = cleanTags([...tagsOf(into), ...tagsOf(dup)]);
    await storeTags(w, into.id, tags, 'replace');

    const survivor: MomentRow = {
      ...into,
      tags: tagsColumn(tags),
      message_count: into.message_count + dup.message_count,
      last_message_at: Math.max(into.last_message_at, dup.last_message_at),
      // The inbox row shows the latest message, whichever moment it came to.
      preview: dup.last_message_at > into.last_message_at ? dup.preview : into.preview,
      awaiting_reply_since: minOf(into.awaiting_reply_since, dup.awaiting_reply_since),
      updated_at: w.now,
    };
    const closed: MomentRow = { ...dup, status: 'closed', closed_at: w.now, merged_into: into.id, message_count: 0, queued_at: null, ...handoffColumns(null), sla_due_at: null, updated_at: w.now };
    await saveMoment(w, survivor);
    await saveMoment(w, closed);
    w.announce({ momentId: dup.id, type: 'moment.updated', actor: input.caller.actor, audience: audienceOf(dup), payload: { moment: momentPayload(w, closed), mergedInto: into.id } });
    w.announce({ momentId: into.id, type: 'moment.updated', actor: input.caller.actor, audience: audienceOf(into), payload: { moment: momentPayload(w, survivor), merged: dup.id } });
    if (dup.status !== 'resolved') await fillFromQueue(w, dup.owner_id, 'capacity', 'system');
    return survivor;
  });
}

const minOf = (a: number | null, b: number | null) => (a === null ? b : b === null ? a : Math.min(a, b));
