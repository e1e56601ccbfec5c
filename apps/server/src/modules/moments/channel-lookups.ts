import type { Db, Tx } from '../../platform/db/database.ts';
import { parseJsonObject, type JsonObject } from '../../platform/json.ts';
import { unindexedNumber, unindexedText } from '../../platform/db/unindexed.ts';
import { inScope, scopeOfChannel } from './channel-scope.ts';

/**
 * Questions channel adapters ask about moments and their messages, answered here so that the
 * moments module stays the only reader of its tables (adapters call use cases and queries).
 */

/**
 * When the customer sent a message: the provider's own time (`meta.sentAt`) when it gave one,
 * else when it reached us. A provider retrying a delivery for hours must not make an old
 * message look new (WhatsApp's 24-hour window counts from the customer's sending).
 */
export function sentByCustomerAt(message: { readonly created_at: number; readonly meta: string }): number {
  const sentAt = parseJsonObject(message.meta).sentAt;
  return typeof sentAt === 'number' && Number.isFinite(sentAt) && sentAt < message.created_at ? sentAt : message.created_at;
}

/** When the customer last wrote on a moment (WhatsApp's 24-hour window), or null if never. */
export async function lastInboundAt(tx: Tx, moment: { readonly workspace_id: string; readonly id: string }): Promise<number | null> {
  // The latest few by arrival: a late redelivery may have arrived after a newer message.
  const recent = await tx
    .selectFrom('message')
    .select(['created_at', 'meta'])
    .where('workspace_id', '=', moment.workspace_id)
    .where('moment_id', '=', moment.id)
    .where('direction', '=', 'in')
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  return recent.length === 0 ? null : Math.max(...recent.map(sentByCustomerAt));
}

/**
 * Replies sent to one customer address on a channel kind up to a time, still in one of
 * `states`, oldest first: what a Messenger receipt by watermark covers.
 */
export async function repliesUpTo(
  db: Db,
  q: { readonly workspaceId: string; readonly channel: string; readonly address: string; readonly states: readonly string[]; readonly until: number; readonly limit: number },
): Promise<string[]> {
  // The customer's moments on the channel: where they wrote from this address.
  const theirMoments = db.selectFrom('message').select('moment_id').where('workspace_id', '=', q.workspaceId).where('channel', '=', q.channel).where('direction', '=', 'in').where('address', '=', q.address);
  const rows = await db
    .selectFrom('message')
    .select('id')
    .where('workspace_id', '=', q.workspaceId)
    .where('moment_id', 'in', theirMoments)
    .where('direction', '=', 'out')
    .where('delivery', 'in', q.states)
    .where('created_at', '<=', q.until)
    .orderBy(unindexedText('id')) // seek those moments' messages, not walk the workspace's (unindexed.ts)
    .limit(q.limit)
    .execute();
  return rows.map((r) => r.id);
}

/** The moments that hold messages with these provider ids on a configured channel: id → moment. */
export async function momentsOfMessages(db: Db, channel: { readonly workspaceId: string; readonly id: string; readonly kind: string }, externalIds: readonly string[]): Promise<Map<string, string>> {
  if (externalIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('message')
    .select(['external_id', 'moment_id'])
    .where('workspace_id', '=', channel.workspaceId)
    .where(inScope('message', scopeOfChannel(channel)))
    .where('external_id', 'in', externalIds)
    .execute();
  return new Map(rows.map((r) => [r.external_id as string, r.moment_id]));
}

/** A person's latest moments on a configured channel that are not closed or merged away, newest first. */
export async function recentMomentsOf(db: Db, q: { readonly workspaceId: string; readonly channelId: string; readonly customerRoot: string; readonly limit: number }): Promise<{ readonly id: string; readonly subject: string }[]> {
  const group = db.selectFrom('customer').select('id').where('workspace_id', '=', q.workspaceId).where('root_id', '=', q.customerRoot);
  return db
    .selectFrom('moment')
    .select(['id', 'subject'])
    .where('workspace_id', '=', q.workspaceId)
    .where('customer_id', 'in', group)
    .where('channel_id', '=', q.channelId)
    .where('status', '!=', 'closed')
    .where('merged_into', 'is', null)
    .orderBy(unindexedNumber('last_message_at'), 'desc') // seek the customer's moments (unindexed.ts)
    .limit(q.limit)
    .execute();
}

/**
 * The profile a moment of a configured channel is with now (merges followed); null when the
 * moment is not on that channel. `anyChannel`: on whichever channel of the workspace (a reply
 * token the channel signed may name a chat it followed up by email).
 */
export async function customerOfMoment(db: Db, channel: { readonly workspaceId: string; readonly id: string }, momentId: string, options: { readonly anyChannel?: boolean } = {}): Promise<string | null> {
  let query = db
    .selectFrom('moment')
    .innerJoin('customer', (j) => j.onRef('customer.workspace_id', '=', 'moment.workspace_id').onRef('customer.id', '=', 'moment.customer_id'))
    .select(['customer.root_id'])
    .where('moment.workspace_id', '=', channel.workspaceId)
    .where('moment.id', '=', momentId);
  if (!options.anyChannel) query = query.where('moment.channel_id', '=', channel.id);
  const row = await query.executeTakeFirst();
  return row?.root_id ?? null;
}

/** The address and metadata (To, Cc, …) of a moment's first 200 inbound messages. */
export async function inboundSenders(db: Db, workspaceId: string, momentId: string): Promise<{ readonly address: string | null; readonly meta: JsonObject }[]> {
  const rows = await db.selectFrom('message').select(['address', 'meta']).where('workspace_id', '=', workspaceId).where('moment_id', '=', momentId).where('direction', '=', 'in').orderBy('id').limit(200).execute();
  return rows.map((m) => ({ address: m.address, meta: parseJsonObject(m.meta) }));
}
