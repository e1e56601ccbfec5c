import type { Deps } from '../../platform/deps.ts';
import type { Tx } from '../../platform/db/database.ts';
import { writeAudit } from '../../platform/audit.ts';
import { hashToken, newToken } from './secrets.ts';

export type KeyKind = 'api' | 'write';

export type CreatedKey = { readonly id: string; readonly kind: KeyKind; readonly name: string; readonly prefix: string; readonly key: string };

/**
 * Makes an API key (REST, `Authorization: Bearer`) or a write key (tracking API, Basic auth).
 * The key is returned once; the database keeps its hash.
 */
export async function createKey(
  deps: Deps,
  input: { readonly workspaceId: string; readonly kind: KeyKind; readonly name?: string; readonly actor?: string },
): Promise<CreatedKey> {
  return deps.db.transaction().execute(async (tx) => {
    const created = await createKeyInTx(tx, deps, input);
    await writeAudit(tx, deps, {
      workspaceId: input.workspaceId,
      actor: input.actor ?? 'system',
      action: 'key.created',
      target: created.id,
      details: { kind: created.kind, prefix: created.prefix },
    });
    return created;
  });
}

export async function createKeyInTx(
  tx: Tx,
  deps: Pick<Deps, 'ids' | 'clock'>,
  input: { readonly workspaceId: string; readonly kind: KeyKind; readonly name?: string },
): Promise<CreatedKey> {
  const key = newToken(input.kind === 'api' ? 'tp_api' : 'tp_write');
  const id = deps.ids.next();
  const prefix = key.slice(0, input.kind === 'api' ? 11 : 13);
  const name = input.name ?? (input.kind === 'api' ? 'API key' : 'Write key');
  await tx
    .insertInto('api_key')
    .values({
      workspace_id: input.workspaceId,
      id,
      kind: input.kind,
      name,
      prefix,
      hash: hashToken(key),
      created_at: deps.clock.now(),
      revoked_at: null,
    })
    .execute();
  return { id, kind: input.kind, name, prefix, key };
}
