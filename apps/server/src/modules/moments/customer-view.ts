import type { Selectable } from 'kysely';
import type { VisitorMessage } from '@touchpoint/widget/protocol';
import { chunks } from '../../platform/chunks.ts';
import type { Db } from '../../platform/db/database.ts';
import type { MessageTable } from '../../platform/db/tables.ts';
import { isoTime } from '../../platform/iso-time.ts';
import { parseJsonObject } from '../../platform/json.ts';
import { oldestActivitySeq, type Audience } from './activity.ts';
import { audienceOf } from './ownership.ts';
import { REPLAYABLE_ACTIVITIES } from './prune-activity.ts';
import { unindexedNumber, unindexedText } from '../../platform/db/unindexed.ts';

/**
 * What a customer may see of their own conversations on one channel kind, for the clients that
 * show it to them (the chat widget). Such a client stores the ids it gives its own messages as
 * external ids `<channel>:<client id>`, which is how a resend finds its message again.
 */
export type CustomerView = { readonly db: Db; readonly workspaceId: string; readonly channel: string };

/** The moments a customer may see, each from their first message in it onwards. */
export type VisibleMoments = Map<string, { since: string; lastMessageAt: number }>;

/** A message as the customer sees it: the shape customer-facing clients read, as the widget protocol defines it. */
export type CustomerMessage = VisitorMessage;

/** Agents' replies become visible once their channel has them (sent): never while queued or failed. */
export const SHOWN_TO_CUSTOMER: readonly string[] = ['sent', 'delivered', 'read'];
/** Activities that carry a message: a new moment's first one, later ones, and delivery changes. */
export const MESSAGE_ACTIVITIES: readonly string[] = ['moment.created', 'message.added', 'message.updated'];
const PAGE = 500;

/** The customer's own messages, and agents' replies once shown (notes never). */
export const shownToCustomer = (direction: string, delivery: string) => direction === 'in' || (direction === 'out' && SHOWN_TO_CUSTOMER.includes(delivery));

/**
 * The moments of the customer's profile (`group`: the profile and those merged into it) on the
 * view's channel in which one of the customer's own addresses wrote, each from their first
 * message on: a profile linked by an email someone typed does not open its older conversations.
 * A moment in which a verified user id other than these addresses wrote is theirs alone: the
 * browser someone signed out of keeps its anonymous id, and the next person on it must not
 * read on.
 */
export async function visibleMoments(view: CustomerView, group: readonly string[], addresses: readonly string[]): Promise<VisibleMoments> {
  const visible: VisibleMoments = new Map();
  if (group.length === 0) return visible;
  const moments = await view.db
    .selectFrom('moment')
    .select(['id', 'last_message_at'])
    .where('workspace_id', '=', view.workspaceId)
    .where('customer_id', 'in', group)
    .where('channel', '=', view.channel)
    .orderBy(unindexedNumber('last_message_at'), 'desc') // seek the customer's moments (unindexed.ts)
    .limit(100)
    .execute();
  if (moments.length === 0) return visible;
  const firsts = await view.db
    .selectFrom('message')
    .select(['moment_id', (eb) => eb.fn.min('id').as('since')])
    .where('workspace_id', '=', view.workspaceId)
    .where('moment_id', 'in', moments.map((m) => m.id))
    .where('direction', '=', 'in')
    .where('address', 'in', addresses)
    .groupBy('moment_id')
    .execute();
  if (firsts.length === 0) return visible;
  const claimed = await view.db
    .selectFrom('message')
    .select('moment_id')
    .distinct()
    .where('workspace_id', '=', view.workspaceId)
    .where('moment_id', 'in', firsts.map((f) => f.moment_id))
    .where('direction', '=', 'in')
    // Addresses starting `user_id:` (';' follows ':'): a range, no LIKE wildcards to escape.
    .where('address', '>=', 'user_id:')
    .where('address', '<', 'user_id;')
    .where('address', 'not in', addresses)
    .execute();
  const theirs = new Set(claimed.map((c) => c.moment_id));
  const last = new Map(moments.map((m) => [m.id, m.last_message_at]));
  for (const f of firsts) if (!theirs.has(f.moment_id)) visible.set(f.moment_id, { since: String(f.since), lastMessageAt: last.get(f.moment_id) ?? 0 });
  return visible;
}

/** The latest messages the customer may see, oldest first. */
export async function customerHistory(view: CustomerView, visible: VisibleMoments, limit = 200): Promise<CustomerMessage[]> {
  if (visible.size === 0) return [];
  const rows = await view.db
    .selectFrom('message')
    .selectAll()
    .where('workspace_id', '=', view.workspaceId)
    .where('moment_id', 'in', [...visible.keys()])
    .where((eb) => eb.or([eb('direction', '=', 'in'), eb.and([eb('direction', '=', 'out'), eb('delivery', 'in', [...SHOWN_TO_CUSTOMER])])]))
    .orderBy('id', 'desc')
    .limit(limit * 2)
    .execute();
  const shown = rows.filter((r) => r.id >= (visible.get(r.moment_id)?.since ?? '\uffff')).slice(0, limit).reverse();
  return toCustomerMessages(view, shown);
}

/**
 * What became visible to the customer in (after, upTo] of the workspace's activity log, in seq
 * order, each message once; null when that is too much to replay (send the history instead).
 */
export async function customerReplay(view: CustomerView, visible: VisibleMoments, after: number, upTo: number, max = 2_000): Promise<{ seq: number; message: CustomerMessage }[] | null> {
  if (visible.size === 0 || after >= upTo) return [];
  // Older activity may have been pruned (prune-activity.ts): a replay could miss messages.
  if (upTo - after > REPLAYABLE_ACTIVITIES) return null;
  const firstSeq = new Map<string, number>();
  let cursor = after;
  for (;;) {
    const rows = await view.db
      .selectFrom('moment_activity')
      .select(['seq', 'moment_id', 'payload'])
      .where('workspace_id', '=', view.workspaceId)
      .where('moment_id', 'in', [...visible.keys()])
      .where('seq', '>', cursor)
      .where('seq', '<=', upTo)
      .where('type', 'in', [...MESSAGE_ACTIVITIES])
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const message = parseJsonObject(row.payload).message as { id?: unknown } | undefined;
      if (typeof message?.id === 'string' && !firstSeq.has(message.id)) firstSeq.set(message.id, Number(row.seq));
    }
    if (firstSeq.size > max) return null;
    if (rows.length < PAGE) break;
    cursor = Number(rows.at(-1)!.seq);
  }
  // Pruning takes the oldest first: if the oldest kept now comes after `after`, some of what
  // was read over may have gone meanwhile.
  const oldest = await oldestActivitySeq(view.db, view.workspaceId);
  if (oldest !== null && oldest > after + 1) return null;
  const messages = await customerMessagesByIds(view, [...firstSeq.keys()], visible);
  return messages.map(({ delivery: _d, externalId: _e, ...message }) => ({ seq: firstSeq.get(message.id)!, message })).sort((a, b) => a.seq - b.seq);
}

/**
 * Messages by id, as the customer sees them. With `visible`, only those the customer may see
 * now; without, every one found, with its delivery state (a reply being sent is still queued).
 */
export async function customerMessagesByIds(
  view: CustomerView,
  ids: readonly string[],
  visible?: VisibleMoments,
): Promise<(CustomerMessage & { readonly delivery: string; readonly externalId: string | null })[]> {
  const rows: Selectable<MessageTable>[] = [];
  for (const part of chunks(ids)) {
    rows.push(...(await view.db.selectFrom('message').selectAll().where('workspace_id', '=', view.workspaceId).where('id', 'in', part).execute()));
  }
  const shown = visible
    ? rows.filter((r) => {
        const since = visible.get(r.moment_id)?.since;
        return since !== undefined && r.id >= since && shownToCustomer(r.direction, r.delivery);
      })
    : rows;
  const messages = await toCustomerMessages(view, shown);
  return messages.map((m, i) => ({ ...m, delivery: shown[i].delivery, externalId: shown[i].external_id }));
}

/** The agents' replies among `ids` in the customer's moments (what a read receipt may mark). */
export async function repliesAmong(view: CustomerView, ids: readonly string[], momentIds: readonly string[]): Promise<string[]> {
  if (ids.length === 0 || momentIds.length === 0) return [];
  const rows = await view.db.selectFrom('message').select('id').where('workspace_id', '=', view.workspaceId).where('id', 'in', ids).where('moment_id', 'in', momentIds).where('direction', '=', 'out').execute();
  return rows.map((r) => r.id);
}

/** An attachment of a message the customer may see. */
export async function customerAttachment(view: CustomerView, id: string, visible: VisibleMoments): Promise<{ fileName: string; contentType: string; data: Buffer } | null> {
  if (visible.size === 0) return null;
  const row = await view.db
    .selectFrom('attachment')
    .innerJoin('message', (join) => join.onRef('message.workspace_id', '=', 'attachment.workspace_id').onRef('message.id', '=', 'attachment.message_id'))
    .select(['attachment.file_name', 'attachment.content_type', 'attachment.data', 'message.id as message_id', 'message.moment_id', 'message.direction', 'message.delivery'])
    .where('attachment.workspace_id', '=', view.workspaceId)
    .where('attachment.id', '=', id)
    .where('attachment.moment_id', 'in', [...visible.keys()])
    .executeTakeFirst();
  if (!row || row.message_id < (visible.get(row.moment_id)?.since ?? '\uffff')) return null;
  if (!shownToCustomer(row.direction, row.delivery)) return null;
  return { fileName: row.file_name, contentType: row.content_type, data: Buffer.from(row.data) };
}

/** The external id a message sent by the customer's client is stored under. */
export const clientExternalId = (view: Pick<CustomerView, 'channel'>, clientId: string): string => `${view.channel}:${clientId}`;

/** The client id a message was sent with, read back from its external id (null for others' messages). */
export function clientIdOf(view: Pick<CustomerView, 'channel'>, externalId: string | null): string | null {
  const prefix = clientExternalId(view, '');
  return externalId?.startsWith(prefix) ? externalId.slice(prefix.length) : null;
}

/** Who may receive a signal about a moment (typing): its owner and team; null when there is no such moment. */
export async function audienceOfMoment(db: Db, workspaceId: string, momentId: string): Promise<Audience | null> {
  const moment = await db.selectFrom('moment').select(['owner_id', 'team_id']).where('workspace_id', '=', workspaceId).where('id', '=', momentId).executeTakeFirst();
  return moment ? audienceOf(moment) : null;
}

/** Messages as the customer sees them: with their files and the replying agent's name. */
async function toCustomerMessages(view: CustomerView, rows: readonly Selectable<MessageTable>[]): Promise<CustomerMessage[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const authors = [...new Set(rows.filter((r) => r.direction === 'out' && r.author_id !== null).map((r) => r.author_id!))];
  const [files, agents] = await Promise.all([
    view.db.selectFrom('attachment').select(['id', 'message_id', 'file_name', 'content_type', 'size']).where('workspace_id', '=', view.workspaceId).where('message_id', 'in', ids).orderBy(unindexedText('id')).execute(),
    authors.length > 0 ? view.db.selectFrom('agent').select(['id', 'name']).where('workspace_id', '=', view.workspaceId).where('id', 'in', authors).execute() : Promise.resolve([]),
  ]);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  return rows.map((r) => ({
    id: r.id,
    momentId: r.moment_id,
    clientId: r.direction === 'in' ? clientIdOf(view, r.external_id) : null,
    direction: r.direction === 'in' ? 'in' : 'out',
    body: r.body,
    authorName: r.direction === 'out' && r.author_id ? (names.get(r.author_id) ?? null) : null,
    attachments: files.filter((f) => f.message_id === r.id).map((f) => ({ id: f.id, fileName: f.file_name, contentType: f.content_type, size: f.size })),
    createdAt: isoTime(r.created_at),
    read: r.direction === 'out' && r.delivery === 'read',
  }));
}
