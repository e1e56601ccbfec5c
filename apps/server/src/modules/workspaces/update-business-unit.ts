import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';

/** Renames a business unit; its key stays, since integrations and rules refer to it. */
export async function updateBusinessUnit(
  deps: Deps,
  input: { readonly workspaceId: string; readonly businessUnitId: string; readonly name: string; readonly actor: string },
): Promise<{ readonly id: string; readonly key: string; readonly name: string; readonly createdAt: number }> {
  const name = input.name.trim();
  if (name === '') throw new AppError('invalid_field', 'a business unit needs a name', 'name');
  return deps.db.transaction().execute(async (tx) => {
    const unit = await tx
      .selectFrom('business_unit')
      .select(['id', 'key', 'name', 'created_at as createdAt'])
      .where('workspace_id', '=', input.workspaceId)
      .where('id', '=', input.businessUnitId)
      .executeTakeFirst();
    if (!unit) throw new AppError('resource_not_found', 'no such business unit in this workspace', 'id');
    await tx.updateTable('business_unit').set({ name }).where('workspace_id', '=', input.workspaceId).where('id', '=', input.businessUnitId).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'business_unit.updated', target: unit.id, details: { name: { from: unit.name, to: name } } });
    return { ...unit, name };
  });
}
