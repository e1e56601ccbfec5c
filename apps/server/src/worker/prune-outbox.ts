import { DELETE_BATCH, deleteInBatches } from '../platform/db/delete-in-batches.ts';
import type { Deps } from '../platform/deps.ts';
import type { PeriodicJob } from './outbox-worker.ts';

/** Delivered events stay this long, for looking into what listeners were given. */
export const OUTBOX_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Deletes outbox rows delivered longer ago than the retention: every touchpoint and moment
 * change adds a row, and without this the table grows for ever. Rows still waiting or
 * failing stay whatever their age. Returns how many rows went.
 */
export async function pruneOutbox(deps: Pick<Deps, 'db' | 'clock'>): Promise<number> {
  const before = deps.clock.now() - OUTBOX_RETENTION_MS;
  return deleteInBatches(async () => {
    const result = await deps.db
      .deleteFrom('outbox')
      .where((eb) =>
        eb(
          eb.refTuple('workspace_id', 'id'),
          'in',
          eb.selectFrom('outbox').select(['workspace_id', 'id']).where('processed_at', 'is not', null).where('processed_at', '<', before).limit(DELETE_BATCH).$asTuple('workspace_id', 'id'),
        ),
      )
      .executeTakeFirst();
    return result.numDeletedRows;
  });
}

export const pruneOutboxJob = (deps: Pick<Deps, 'db' | 'clock'>): PeriodicJob => ({ name: 'outbox-prune', everyMs: 3_600_000, run: async () => void (await pruneOutbox(deps)) });
