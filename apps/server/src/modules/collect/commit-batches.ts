import type { Deps } from '../../platform/deps.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { recordTouchpoints, type ProfileCache, type RecordOutcome, type Touchpoint } from '../profiles/index.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';

/** Touchpoints of one workspace to record together, with the settings that govern them. */
export type WorkspaceBatch = { readonly workspaceId: string; readonly settings: WorkspaceSettings; readonly touchpoints: readonly Touchpoint[] };

/**
 * What a commit needs: no channel secrets (the ingest thread never holds the key), and
 * the profile cache of the process (or thread) that records most touchpoints.
 */
export type IngestDeps = Omit<Deps, 'secretBox' | 'reads'> & { readonly profileCache?: ProfileCache };

/** Records several workspaces' batches in one transaction; one outcome per batch, in order. */
export type CommitBatches = (batches: readonly WorkspaceBatch[]) => Promise<RecordOutcome[]>;

/**
 * The commit itself, on the calling thread: one transaction, workspaces locked in sorted
 * order (PostgreSQL; no deadlocks between processes), then each batch recorded.
 */
export function commitInProcess(deps: IngestDeps): CommitBatches {
  const cache = deps.profileCache;
  return async (batches) => {
    try {
      return await deps.db.transaction().execute(async (tx) => {
        const order = batches.map((b, i) => ({ b, i })).sort((x, y) => (x.b.workspaceId < y.b.workspaceId ? -1 : x.b.workspaceId > y.b.workspaceId ? 1 : 0));
        const outcomes: RecordOutcome[] = new Array(batches.length);
        for (const { b, i } of order) {
          await lockWorkspace(tx, deps.engine, b.workspaceId);
          await cache?.take(tx, b.workspaceId);
          outcomes[i] = await recordTouchpoints(tx, deps, b.workspaceId, b.settings, b.touchpoints);
          await cache?.leave(tx, b.workspaceId);
        }
        return outcomes;
      });
    } catch (error) {
      cache?.forget();
      throw error;
    }
  };
}
