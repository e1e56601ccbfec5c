import type { Db } from '../../platform/db/database.ts';
import type { SecretBox } from '../../platform/secret-box.ts';
import { AppError } from '../../platform/errors.ts';
import type { ChannelKind } from './channel-kinds.ts';
import { recordFromRow, viewFromRow, type ChannelRecord, type ChannelView } from './channel-record.ts';

/** The database, and the box channel secrets are sealed in. */
type Store = { readonly db: Db; readonly secretBox: SecretBox };

export async function listChannels({ db, secretBox }: Store, workspaceId: string): Promise<ChannelView[]> {
  const rows = await db.selectFrom('channel').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
  return rows.map((row) => viewFromRow(row, secretBox));
}

export async function getChannel({ db, secretBox }: Store, workspaceId: string, channelId: string): Promise<ChannelView> {
  const row = await db.selectFrom('channel').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', channelId).executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', `no channel ${channelId}`, 'id');
  return viewFromRow(row, secretBox);
}

/** The channel a provider's webhook URL names; null when unknown or disabled (answer 404, reveal nothing). */
export async function findChannelById({ db, secretBox }: Store, channelId: string, kinds: readonly ChannelKind[]): Promise<ChannelRecord | null> {
  const row = await db.selectFrom('channel').selectAll().where('id', '=', channelId).where('enabled', '=', 1).executeTakeFirst();
  return row && (kinds as readonly string[]).includes(row.kind) ? recordFromRow(row, secretBox) : null;
}

/** The enabled channels of a kind that receive at an address (an inbox's email address). */
export async function findChannelsByAddress({ db, secretBox }: Store, kind: ChannelKind, address: string): Promise<ChannelRecord[]> {
  const rows = await db.selectFrom('channel').selectAll().where('kind', '=', kind).where('address', '=', address).where('enabled', '=', 1).execute();
  return rows.map((row) => recordFromRow(row, secretBox));
}

/** A channel with its secrets, within a workspace (delivery of a reply). */
export async function loadChannel({ db, secretBox }: Store, workspaceId: string, channelId: string): Promise<ChannelRecord | null> {
  const row = await db.selectFrom('channel').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', channelId).executeTakeFirst();
  return row ? recordFromRow(row, secretBox) : null;
}
