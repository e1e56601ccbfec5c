import type { Deps } from '../../platform/deps.ts';
import { AppError } from '../../platform/errors.ts';
import { writeAudit } from '../../platform/audit.ts';

/**
 * Revokes an API or write key. Its caller makes the authenticator forget it (in every
 * process), so it stops working at once.
 */
export async function revokeKey(deps: Deps, input: { readonly workspaceId: string; readonly keyId: string; readonly actor: string }): Promise<{ readonly id: string; readonly revokedAt: number }> {
  return deps.db.transaction().execute(async (tx) => {
    const key = await tx.selectFrom('api_key').select(['id', 'revoked_at']).where('workspace_id', '=', input.workspaceId).where('id', '=', input.keyId).executeTakeFirst();
    if (!key) throw new AppError('not_found', `no key ${input.keyId} in this workspace`, 'id');
    if (key.revoked_at !== null) return { id: key.id, revokedAt: key.revoked_at };
    const now = deps.clock.now();
    await tx.updateTable('api_key').set({ revoked_at: now }).where('workspace_id', '=', input.workspaceId).where('id', '=', key.id).execute();
    await writeAudit(tx, deps, { workspaceId: input.workspaceId, actor: input.actor, action: 'key.revoked', target: key.id });
    return { id: key.id, revokedAt: now };
  });
}
