import { sql } from 'kysely';
import type { Deps } from '../../platform/deps.ts';
import { inMomentTx, type MomentsCtx } from './moment-tx.ts';
import { audienceOf, momentPayload } from './ownership.ts';
import { saveMoment } from './save-moment.ts';
import { finishHandBacks } from './set-presence.ts';
import { moveStatus } from './update-moment.ts';

const BATCH = 200;

/**
 * Moves moments along with time: snoozed ones whose time has come wake up (open again),
 * resolved ones past their workspace's reopen window close (a later message opens a new one),
 * and an offline agent's moments that a stopped process had not handed back yet go back.
 * Each workspace's moments change under its write lock, re-read there, so a customer writing
 * at the same instant wins cleanly.
 */
export async function sweepMoments(ctx: MomentsCtx): Promise<{ readonly woken: number; readonly closed: number; readonly handedBack: number }> {
  const { deps } = ctx;
  const now = deps.clock.now();
  const snoozed = await deps.db.selectFrom('moment').select(['workspace_id', 'id']).where('snoozed_until', '<=', now).where('status', '=', 'snoozed').limit(BATCH).execute();
  let woken = 0;
  for (const m of snoozed) woken += await advance(ctx, m.workspace_id, m.id, 'snoozed', 'open');
  const resolved = await resolvedPastWindow(ctx, deps, now);
  let closed = 0;
  for (const m of resolved) closed += await advance(ctx, m.workspace_id, m.id, 'resolved', 'closed');
  return { woken, closed, handedBack: await finishHandBacks(ctx) };
}

/**
 * Resolved moments past their workspace's reopen window, up to BATCH a workspace, oldest first.
 * Asked workspace by workspace, each with its own window: one query for the oldest resolved
 * moments of all workspaces let a workspace with a long window and many resolved moments fill
 * every batch with moments not yet due, and another's due ones never closed.
 */
async function resolvedPastWindow(ctx: MomentsCtx, deps: Deps, now: number) {
  const due = [];
  for (const { id } of await deps.db.selectFrom('workspace').select('id').execute()) {
    const settings = await ctx.settings.get(id);
    const rows = await deps.db
      .selectFrom('moment')
      .select(['workspace_id', 'id'])
      .where('workspace_id', '=', id)
      // Written into the SQL, not bound, so SQLite can prove at prepare time that the partial
      // index moment_resolved_at (WHERE status = 'resolved') holds every row asked for.
      .where('status', '=', sql.lit('resolved'))
      .where('resolved_at', '<=', now - settings.moments.reopenWindowHours * 3_600_000)
      .orderBy('resolved_at')
      .limit(BATCH)
      .execute();
    due.push(...rows);
  }
  return due;
}

async function advance(ctx: MomentsCtx, workspaceId: string, momentId: string, from: 'snoozed' | 'resolved', to: 'open' | 'closed'): Promise<number> {
  return inMomentTx(ctx, workspaceId, async (w) => {
    const row = await w.tx.selectFrom('moment').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', momentId).executeTakeFirst();
    if (!row || row.status !== from) return 0;
    if (from === 'snoozed' && (row.snoozed_until ?? Infinity) > w.now) return 0;
    const next = { ...(await moveStatus(w, row, to)), updated_at: w.now };
    await saveMoment(w, next);
    w.announce({ momentId, type: 'moment.updated', actor: 'system', audience: audienceOf(next), payload: { moment: momentPayload(w, next), changed: ['status'], why: from === 'snoozed' ? 'snooze ended' : 'reopen window passed' } });
    return 1;
  });
}
