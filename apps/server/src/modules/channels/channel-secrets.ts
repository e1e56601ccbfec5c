import type { Kysely } from 'kysely';
import type { Logger } from '../../platform/logger.ts';
import { parseJsonObject } from '../../platform/json.ts';
import type { Tables } from '../../platform/db/tables.ts';
import { isSealed, SEALED_PREFIX, type SecretBox } from '../../platform/secret-box.ts';

type Secrets = Readonly<Record<string, string>>;
type Row = { readonly workspace_id: string; readonly id: string; readonly secrets: string };

/** What a sealed value is bound to: this channel of this workspace. */
const contextOf = (row: Pick<Row, 'workspace_id' | 'id'>) => `channel:${row.workspace_id}:${row.id}`;

/** The stored form of a channel's secrets: their JSON, sealed. */
export const sealSecrets = (box: SecretBox, row: Pick<Row, 'workspace_id' | 'id'>, secrets: Secrets): string => box.seal(JSON.stringify(secrets), contextOf(row));

/**
 * A channel's secrets, opened. Rows written before secrets were sealed hold plain JSON (they
 * are sealed at start-up, see sealStoredSecrets). Secrets sealed under another key (the key
 * file lost or a different TOUCHPOINT_SECRET_KEY) read as none: the channel then fails its
 * signature checks and provider calls, visibly, until an admin enters them again.
 */
export function openSecrets(box: SecretBox, row: Row): Secrets {
  let json = row.secrets;
  if (isSealed(json)) {
    try {
      json = box.open(json, contextOf(row));
    } catch {
      return {};
    }
  }
  return Object.fromEntries(Object.entries(parseJsonObject(json)).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/** Seals the secrets of channels stored in plain JSON by an earlier version. Returns how many. */
export async function sealStoredSecrets(db: Kysely<Tables>, box: SecretBox, log: Logger): Promise<number> {
  const plain = await db.selectFrom('channel').select(['workspace_id', 'id', 'secrets']).where('secrets', 'not like', `${SEALED_PREFIX}%`).execute();
  for (const row of plain) {
    await db.updateTable('channel').set({ secrets: sealSecrets(box, row, openSecrets(box, row)) }).where('workspace_id', '=', row.workspace_id).where('id', '=', row.id).where('secrets', '=', row.secrets).execute();
  }
  if (plain.length > 0) log.info({ channels: plain.length }, 'sealed channel secrets stored in plain text');
  return plain.length;
}
