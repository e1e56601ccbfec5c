import type { Selectable } from 'kysely';
import type { VisitorMessage } from '@touchpoint/widget/protocol';
import type { Db } from '../../platform/db/database.ts';
import type { MessageTable } from '../../platform/db/tables.ts';
import { parseJsonObject } from '../../platform/json.ts';

/** What a visitor may see of a moment: messages from their first one in it onwards. */
export type Visible = Map<string, { since: string; lastMessageAt: number }>;

/** Agents' replies become visible once their channel has them (sent) — never while queued or failed. */
export const SHOWN: readonly string[] = ['sent', 'delivered', 'read'];
/** Activities that carry a message: a new moment's first one, later ones, and delivery changes. */
export const MESSAGE_ACTIVITIES: readonly string[] = ['moment.created', 'message.added', 'message.updated'];
const PAGE = 500;

/** The visitor's own messages, and agents' replies once shown (notes never). */
const shownToVisitor = (direction: string, delivery: string) => direction === 'in' || (direction === 'out' && SHOWN.includes(delivery));

/**
 * The profile a visitor's identities resolve to (all profiles merged into it), and whether it
 * has an email. Identities are `kind:value` as stored (`anonymous_id:…`, `user_id:…`).
 */
export async function visitorProfile(db: Db, workspaceId: string, identities: readonly string[]): Promise<{ readonly group: string[]; readonly emailKnown: boolean }> {
  const pairs = identities.map((i) => ({ kind: i.slice(0, i.indexOf(':')), value: i.slice(i.indexOf(':') + 1) }));
  const found = await db
    .selectFrom('identity')
    .select('customer_id')
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or(pairs.map((p) => eb.and([eb('kind', '=', p.kind), eb('value', '=', p.value)]))))
    .execute();
  const roots = [...new Set(found.map((r) => r.customer_id))];
  if (roots.length === 0) return { group: [], emailKnown: false };
  const [group, email] = await Promise.all([
    db.selectFrom('customer').select('id').where('workspace_id', '=', workspaceId).where('root_id', 'in', roots).execute(),
    db.selectFrom('identity').select('value').where('workspace_id', '=', workspaceId).where('kind', '=', 'email').where('customer_id', 'in', roots).limit(1).executeTakeFirst(),
  ]);
  return { group: group.map((r) => r.id), emailKnown: email !== undefined };
}

/**
 * The chat moments of the visitor's profile in which one of the visitor's own addresses
 * wrote, each from the visitor's first message on: a profile linked by an email someone
 * typed does not open its older conversations to them.
 */
export async function visibleMoments(db: Db, workspaceId: string, group: readonly string[], addresses: readonly string[]): Promise<Visible> {
  const visible: Visible = new Map();
  if (group.length === 0) return visible;
  const moments = await db
    .selectFrom('moment')
    .select(['id', 'last_message_at'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', group)
    .where('channel', '=', 'chat')
    .orderBy('last_message_at', 'desc')
    .limit(100)
    .execute();
  if (moments.length === 0) return visible;
  const firsts = await db
    .selectFrom('message')
    .select(['moment_id', (eb) => eb.fn.min('id').as('since')])
    .where('workspace_id', '=', workspaceId)
    .where('moment_id', 'in', moments.map((m) => m.id))
    .where('direction', '=', 'in')
    .where('address', 'in', addresses)
    .groupBy('moment_id')
    .execute();
  const last = new Map(moments.map((m) => [m.id, m.last_message_at]));
  for (const f of firsts) visible.set(f.moment_id, { since: String(f.since), lastMessageAt: last.get(f.moment_id) ?? 0 });
  return visible;
}

/** The latest messages the visitor may see, oldest first. */
export async function historyOf(db: Db, workspaceId: string, visible: Visible, limit = 200): Promise<VisitorMessage[]> {
  if (visible.size === 0) return [];
  const rows = await db
    .selectFrom('message')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('moment_id', 'in', [...visible.keys()])
    .where((eb) => eb.or([eb('direction', '=', 'in'), eb.and([eb('direction', '=', 'out'), eb('delivery', 'in', [...SHOWN])])]))
    .orderBy('id', 'desc')
    .limit(limit * 2)
    .execute();
  const shown = rows.filter((r) => r.id >= (visible.get(r.moment_id)?.since ?? '\uffff')).slice(0, limit).reverse();
  return toVisitorMessages(db, workspaceId, shown);
}

/**
 * What became visible to the visitor in (after, upTo] of the workspace's activity log, in seq
 * order, each message once; null when that is too much to replay (send the history instead).
 */
export async function replayOf(db: Db, workspaceId: string, visible: Visible, after: number, upTo: number, max = 2_000): Promise<{ seq: number; message: VisitorMessage }[] | null> {
  if (visible.size === 0 || after >= upTo) return [];
  const firstSeq = new Map<string, number>();
  let cursor = after;
  for (;;) {
    const rows = await db
      .selectFrom('moment_activity')
      .select(['seq', 'moment_id', 'payload'])
      .where('workspace_id', '=', workspaceId)
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
  const messages = await visitorMessagesByIds(db, workspaceId, [...firstSeq.keys()], visible);
  return messages.map(({ delivery: _d, externalId: _e, ...message }) => ({ seq: firstSeq.get(message.id)!, message })).sort((a, b) => a.seq - b.seq);
}

/**
 * Messages by id, as the visitor sees them. With `visible`, only those the visitor may see
 * now; without, every one found, with its delivery state (a reply being sent is still queued).
 */
export async function visitorMessagesByIds(db: Db, workspaceId: string, ids: readonly string[], visible?: Visible): Promise<(VisitorMessage & { readonly delivery: string; readonly externalId: string | null })[]> {
  const rows: Selectable<MessageTable>[] = [];
  for (let i = 0; i < ids.length; i += PAGE) {
    rows.push(...(await db.selectFrom('message').selectAll().where('workspace_id', '=', workspaceId).where('id', 'in', ids.slice(i, i + PAGE)).execute()));
  }
  const shown = visible
    ? rows.filter((r) => {
        const since = visible.get(r.moment_id)?.since;
        return since !== undefined && r.id >= since && shownToVisitor(r.direction, r.delivery);
      })
    : rows;
  const messages = await toVisitorMessages(db, workspaceId, shown);
  return messages.map((m, i) => ({ ...m, delivery: shown[i].delivery, externalId: shown[i].external_id }));
}

/** The agents' replies among `ids` in the visitor's moments (what a read receipt may mark). */
export async function repliesAmong(db: Db, workspaceId: string, ids: readonly string[], momentIds: readonly string[]): Promise<string[]> {
  if (ids.length === 0 || momentIds.length === 0) return [];
  const rows = await db.selectFrom('message').select('id').where('workspace_id', '=', workspaceId).where('id', 'in', ids).where('moment_id', 'in', momentIds).where('direction', '=', 'out').execute();
  return rows.map((r) => r.id);
}

/** An attachment of a message the visitor may see. */
export async function visitorAttachment(db: Db, workspaceId: string, id: string, visible: Visible): Promise<{ fileName: string; contentType: string; data: Buffer } | null> {
  if (visible.size === 0) return null;
  const row = await db
    .selectFrom('attachment')
    .innerJoin('message', (join) => join.onRef('message.workspace_id', '=', 'attachment.workspace_id').onRef('message.id', '=', 'attachment.message_id'))
    .select(['attachment.file_name', 'attachment.content_type', 'attachment.data', 'message.id as message_id', 'message.moment_id', 'message.direction', 'message.delivery'])
    .where('attachment.workspace_id', '=', workspaceId)
    .where('attachment.id', '=', id)
    .where('attachment.moment_id', 'in', [...visible.keys()])
    .executeTakeFirst();
  if (!row || row.message_id < (visible.get(row.moment_id)?.since ?? '\uffff')) return null;
  if (!shownToVisitor(row.direction, row.delivery)) return null;
  return { fileName: row.file_name, contentType: row.content_type, data: Buffer.from(row.data) };
}

/** The message a client id was stored as (a resend after a lost acknowledgement). */
export async function messageByClientId(db: Db, workspaceId: string, clientId: string): Promise<{ id: string; momentId: string; address: string | null } | null> {
  const row = await db.selectFrom('message').select(['id', 'moment_id', 'address']).where('workspace_id', '=', workspaceId).where('channel', '=', 'chat').where('external_id', '=', `chat:${clientId}`).executeTakeFirst();
  return row ? { id: row.id, momentId: row.moment_id, address: row.address } : null;
}

export async function latestSeq(db: Db, workspaceId: string): Promise<number> {
  const row = await db.selectFrom('moment_activity').select((eb) => eb.fn.max('seq').as('seq')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** Messages as the visitor sees them: with their files and the replying agent's name. */
async function toVisitorMessages(db: Db, workspaceId: string, rows: readonly Selectable<MessageTable>[]): Promise<VisitorMessage[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const authors = [...new Set(rows.filter((r) => r.direction === 'out' && r.author_id !== null).map((r) => r.author_id!))];
  const [files, agents] = await Promise.all([
    db.selectFrom('attachment').select(['id', 'message_id', 'file_name', 'content_type', 'size']).where('workspace_id', '=', workspaceId).where('message_id', 'in', ids).orderBy('id').execute(),
    authors.length > 0 ? db.selectFrom('agent').select(['id', 'name']).where('workspace_id', '=', workspaceId).where('id', 'in', authors).execute() : Promise.resolve([]),
  ]);
  const names = new Map(agents.map((a) => [a.id, a.name]));
  return rows.map((r) => ({
    id: r.id,
    momentId: r.moment_id,
    clientId: r.direction === 'in' && r.external_id?.startsWith('chat:') ? r.external_id.slice(5) : null,
    direction: r.direction === 'in' ? 'in' : 'out',
    body: r.body,
    authorName: r.direction === 'out' && r.author_id ? (names.get(r.author_id) ?? null) : null,
    attachments: files.filter((f) => f.message_id === r.id).map((f) => ({ id: f.id, fileName: f.file_name, contentType: f.content_type, size: f.size })),
    createdAt: new Date(r.created_at).toISOString(),
  }));
}
