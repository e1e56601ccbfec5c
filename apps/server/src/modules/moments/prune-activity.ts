import { DELETE_BATCH, deleteInBatches } from '../../platform/db/delete-in-batches.ts';
import type { Deps } from '../../platform/deps.ts';
import type { PeriodicJob } from '../../worker/outbox-worker.ts';
import { latestActivitySeq } from './activity.ts';

/**
 * How many of a workspace's latest activities are always kept: a client resuming from a cursor
 * at most this far behind gets every activity since (the agents' stream, the chat widget);
 * one further behind is told to reload instead. Pruning never reaches into them, so a replay
 * can never meet a gap, and the latest seq never goes back (the next one follows it).
 */
export const REPLAYABLE_ACTIVITIES = 10_000;
/** Older activities than this may go (beyond the replayable ones): a week to look into what clients were sent. */
export const ACTIVITY_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Deletes activities older than the retention that are not among a workspace's replayable
 * latest. Every moment change adds one, with the moment's view in it (a kilobyte or two):
 * without this the log grows for ever. Returns how many rows went.
 */
export async function pruneActivity(deps: Pick<Deps, 'db' | 'clock'>, keep = { latest: REPLAYABLE_ACTIVITIES, forMs: ACTIVITY_RETENTION_MS }): Promise<number> {
  const before = deps.clock.now() - keep.forMs;
  let removed = 0;
  for (const { id: workspaceId } of await deps.db.selectFrom('workspace').select('id').execute()) {
    const upTo = (await latestActivitySeq(deps.db, workspaceId)) - Math.max(1, keep.latest);
    removed += await deleteInBatches(async () => {
      const result = await deps.db
        .deleteFrom('moment_activity')
        .where('workspace_id', '=', workspaceId)
        .where('seq', 'in', (eb) =>
          eb.selectFrom('moment_activity').select('seq').where('workspace_id', '=', workspaceId).where('seq', '<=', upTo).where('created_at', '<', before).orderBy('seq').limit(DELETE_BATCH),
        )
        .executeTakeFirst();
      return result.numDeletedRows;
    });
  }
  return removed;
}

export const pruneActivityJob = (deps: Pick<Deps, 'db' | 'clock'>): PeriodicJob => ({ name: 'activity-prune', everyMs: 3_600_000, run: async () => void (await pruneActivity(deps)) });
