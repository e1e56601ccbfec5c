import { lockInstanceWide } from '../../platform/db/lock-workspace.ts';
import type { Deps } from '../../platform/deps.ts';
import { createWorkspaceUnless, type CreatedWorkspace, type CreateWorkspaceInput } from './create-workspace.ts';

/**
 * The instance's first workspace, or null when there is one already. Looked for and made in
 * one transaction that others wait for (SQLite's begin immediate; an advisory lock on
 * PostgreSQL): two servers started at once on an empty database make one between them, and
 * the later sees it, instead of each making its own "My company".
 */
export async function createFirstWorkspace(deps: Deps, input: CreateWorkspaceInput): Promise<CreatedWorkspace | null> {
  // Every start after the first ends here, before hashing a password it would not use.
  if (await anyWorkspace(deps.db)) return null;
  return createWorkspaceUnless(deps, input, async (tx) => {
    await lockInstanceWide(tx, deps.engine, 'first workspace');
    return anyWorkspace(tx);
  });
}

async function anyWorkspace(db: Deps['db']): Promise<boolean> {
  return (await db.selectFrom('workspace').select('id').limit(1).executeTakeFirst()) !== undefined;
}
