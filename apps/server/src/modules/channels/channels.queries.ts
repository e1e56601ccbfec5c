import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { ChannelKind } from './channel-kinds.ts';
import { recordFromRow, viewFromRow, type ChannelRecord, type ChannelView } from './channel-record.ts';

export async function listChannels(db: Db, workspaceId: string): Promise<ChannelView[]> {
  const rows = await db.selectFrom('channel').selectAll().where('workspace_id', '=', workspaceId).orderBy('created_at').orderBy('id').execute();
  return rows.map(viewFromRow);
}

export async function getChannel(db: Db, workspaceId: string, channelId: string): Promise<ChannelView> {
  const row = await db.selectFrom('channel').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', channelId).executeTakeFirst();
  if (!row) throw new AppError('resource_not_found', `no channel ${channelId}`, 'id');
  return viewFromRow(row);
}

/** The channel a provider's webhook URL names; null when unknown or disabled (answer 404, reveal nothing). */
export async function findChannelById(db: Db, channelId: string, kinds: readonly ChannelKind[]): Promise<ChannelRecord | null> {
  const row = await db.selectFrom('channel').selectAll().where('id', '=', channelId).where('enabled', '=', 1).executeTakeFirst();
  return row && (kinds as readonly string[]).includes(row.kind) ? recordFromRow(row) : null;
}

/** The enabled channels of a kind that receive at an address (an inbox's email address). */
export async function findChannelsByAddress(db: Db, kind: ChannelKind, address: string): Promise<ChannelRecord[]> {
  const rows = await db.selectFrom('channel').selectAll().where('kind', '=', kind).where('address', '=', address).where('enabled', '=', 1).execute();
  return rows.map(recordFromRow);
}

/** A channel with its secrets, within a workspace (delivery of a reply). */
export async function loadChannel(db: Db, workspaceId: string, channelId: string): Promise<ChannelRecord | null> {
  const row = await db.selectFrom('channel').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', channelId).executeTakeFirst();
  return row ? recordFromRow(row) : null;
}
