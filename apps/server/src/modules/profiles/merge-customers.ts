import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';
import { writeOutbox } from '../../platform/outbox.ts';
import type { WorkspaceSettings } from '../workspaces/index.ts';
import { foldInto, older, refreshStage, stateFromRow } from './profile-state.ts';
import { moveProfile } from './move-profile.ts';
import { saveProfile } from './save-profile.ts';
import { PROFILE_EVENTS } from './profiles.events.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { rootOf } from './profiles.queries.ts';

/**
 * Merges two profiles a person says are the same customer. The older survives, as in
 * automatic merges; identity limits still hold (two different user ids stay apart) unless the
 * caller forces it. Recorded, audited and reversible with unmerge.
 */
export async function mergeCustomers(
  deps: Deps,
  input: { readonly workspaceId: string; readonly ids: readonly [string, string]; readonly reason: string; readonly force: boolean; readonly actor: string; readonly settings: WorkspaceSettings },
): Promise<{ readonly survivorId: string; readonly absorbedId: string; readonly mergeId: string }> {
  const { workspaceId } = input;
  return deps.db.transaction().execute(async (tx) => {
    await lockWorkspace(tx, deps.engine, workspaceId);
    const [a, b] = await Promise.all(input.ids.map((id, i) => rootOf(tx, workspaceId, id, i === 0 ? 'ids[0]' : 'ids[1]')));
    if (a.id === b.id) throw new AppError('conflict', 'these profiles are already one customer', 'ids');
    const counts = await tx
      .selectFrom('identity')
      .select(['customer_id', 'kind', 'value'])
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', 'in', [a.id, b.id])
      .execute();
    if (!input.force) {
      for (const [kind, limit] of Object.entries(input.settings.identity.limits)) {
        const n = counts.filter((c) => c.kind === kind).length;
        if (n > limit) throw new AppError('merge_conflict', `merging would give one profile ${n} ${kind} (limit ${limit}); pass force to merge anyway`, 'ids');
      }
      // The cap on all identities holds too, as in automatic merges (resolve-group.ts).
      const max = input.settings.identity.maxIdentitiesPerProfile;
      if (counts.length > max) throw new AppError('merge_conflict', `merging would give one profile ${counts.length} identities (limit ${max}); pass force to merge anyway`, 'ids');
    }
    const sa = stateFromRow(a);
    const sb = stateFromRow(b);
    const [survivor, absorbed] = older(sa, sb) ? [sa, sb] : [sb, sa];
    foldInto(survivor, absorbed);
    const now = deps.clock.now();
    refreshStage(survivor, input.settings.lifecycle, now);
    await moveProfile(tx, workspaceId, absorbed.id, survivor.id);
    absorbed.rootId = survivor.id;
    absorbed.updatedAt = now;
    survivor.updatedAt = now;
    await saveProfile(tx, workspaceId, absorbed);
    await saveProfile(tx, workspaceId, survivor);
    const mergeId = deps.ids.next();
    await tx
      .insertInto('merge')
      .values({ workspace_id: workspaceId, id: mergeId, survivor_id: survivor.id, absorbed_id: absorbed.id, cause: 'manual', detail: input.reason, created_at: now, undone_at: null })
      .execute();
    await writeOutbox(tx, deps, [{ workspaceId, topic: PROFILE_EVENTS.merged, payload: { survivorId: survivor.id, absorbedId: absorbed.id, cause: 'manual' } }]);
    await writeAudit(tx, deps, { workspaceId, actor: input.actor, action: 'customer.merged', target: survivor.id, details: { absorbedId: absorbed.id, reason: input.reason, force: input.force } });
    return { survivorId: survivor.id, absorbedId: absorbed.id, mergeId };
  });
}
