import type { Deps } from '../../platform/deps.ts';
import { lockWorkspace } from '../../platform/db/lock-workspace.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';

/** A brand or division: channels, teams and touchpoints are attributed to one. */
export async function createBusinessUnit(
  deps: Deps,
  input: { readonly workspaceId: string; readonly key: string; readonly name: string; readonly actor: string },
): Promise<{ readonly id: string }> {
  return deps.db.transaction().execute(async (tx) => {
    // Check, then insert: on PostgreSQL two requests at once would both pass the check.
    await lockWorkspace(tx, deps.engine, input.workspaceId);
    const clash = await tx.selectFrom('business_unit').select('id').where('workspace_id', '=', input.workspaceId).where('key', '=', input.key).executeTakeFirst();
    if (clash) throw new AppError('conflict', `a business unit with key "${input.key}" exists`, 'key');
    const id = deps.ids.next();
    await tx.insertInto('business_unit').values({ workspace_id: input.workspaceId, id, key: input.key, name: input.name, created_at: deps.clock.now() }).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'business_unit.created', target: id });
    return { id };
  });
}
