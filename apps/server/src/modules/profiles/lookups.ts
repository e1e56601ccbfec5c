import { chunks } from '../../platform/chunks.ts';
import { sql } from 'kysely';
import type { Engine, Tx } from '../../platform/db/database.ts';

/**
 * Which of these messageIds are stored already. On PostgreSQL the ids travel as one array
 * joined to the unique index: a long `IN (…)` list lets the planner, before a table has
 * statistics, pick a scan of the whole workspace (a second per group, measured).
 */
export async function storedMessageIds(tx: Tx, engine: Engine, workspaceId: string, messageIds: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  if (messageIds.length === 0) return found;
  if (engine === 'postgres') {
    const { rows } = await sql<{ message_id: string }>`select e.message_id from unnest(${messageIds}::text[]) as m(id)
      join event e on e.workspace_id = ${workspaceId} and e.message_id = m.id`.execute(tx);
    for (const r of rows) found.add(r.message_id);
    return found;
  }
  for (const part of chunks(messageIds)) {
    const rows = await tx.selectFrom('event').select('message_id').where('workspace_id', '=', workspaceId).where('message_id', 'in', part).execute();
    for (const r of rows) found.add(r.message_id);
  }
  return found;
}

/** The stored identities of one kind among these values (same array join on PostgreSQL). */
export async function findIdentities(
  tx: Tx,
  engine: Engine,
  workspaceId: string,
  kind: string,
  values: readonly string[],
): Promise<{ value: string; customer_id: string; profile_id: string }[]> {
  if (values.length === 0) return [];
  if (engine === 'postgres') {
    const { rows } = await sql<{ value: string; customer_id: string; profile_id: string }>`select i.value, i.customer_id, i.profile_id
      from unnest(${values}::text[]) as v(value)
      join identity i on i.workspace_id = ${workspaceId} and i.kind = ${kind} and i.value = v.value`.execute(tx);
    return rows;
  }
  const out: { value: string; customer_id: string; profile_id: string }[] = [];
  for (const part of chunks(values)) {
    out.push(...(await tx.selectFrom('identity').select(['value', 'customer_id', 'profile_id']).where('workspace_id', '=', workspaceId).where('kind', '=', kind).where('value', 'in', part).execute()));
  }
  return out;
}
