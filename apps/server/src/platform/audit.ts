import type { Clock } from './clock.ts';
import type { Db, Tx } from './db/database.ts';
import type { Ids } from './ids.ts';

/** Who did a thing: an agent id, `key:<id>`, `system` or `cli`. */
export type Actor = string;

/** Records a deliberate act (key created, stage overridden, manual merge) for later review. */
export async function writeAudit(
  tx: Tx | Db,
  deps: { readonly ids: Ids; readonly clock: Clock },
  entry: { readonly workspaceId: string; readonly actor: Actor; readonly action: string; readonly target: string; readonly details?: Readonly<Record<string, unknown>> },
): Promise<void> {
  await tx
    .insertInto('audit')
    .values({
      workspace_id: entry.workspaceId,
      id: deps.ids.next(),
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      details: JSON.stringify(entry.details ?? {}),
      created_at: deps.clock.now(),
    })
    .execute();
}
